using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Shared pieces of the CPU custom autograd functions: rows of the hidden width padded to whole SIMD vectors, views of
/// CPU tensors' memory, and a chunked parallel loop.
/// </summary>
internal static class HostKernels
{
    /// <summary><paramref name="d"/> rounded up to a whole number of <see cref="Vector{T}"/> lanes.</summary>
    internal static int Padded(int d)
    {
        int lanes = Vector<float>.Count;
        return Math.Max(lanes, (d + lanes - 1) / lanes * lanes);
    }

    /// <summary>
    /// A pooled array of at least <paramref name="length"/> floats (contents undefined). The kernels' scratch comes from
    /// the shared pool so that a training step allocates no large managed arrays; give it back with <see cref="Return"/>.
    /// </summary>
    internal static float[] Rent(long length) => ArrayPool<float>.Shared.Rent(checked((int)length));

    /// <summary>Gives a <see cref="Rent"/>ed array back.</summary>
    internal static void Return(float[] array) => ArrayPool<float>.Shared.Return(array);

    /// <summary>A rows x d float32 tensor copied into a pooled rows x <paramref name="dp"/> array, zero-padded.</summary>
    internal static float[] RentPadded(Tensor t, int dp)
    {
        int rows = (int)t.shape[0], d = (int)t.shape[1];
        if (rows == 0) return Rent(0);
        using var c = t.contiguous();
        return RentPadded(Floats(c), rows, d, dp);
    }

    /// <summary>Row-major rows x d values copied into a pooled rows x <paramref name="dp"/> array, zero-padded.</summary>
    internal static float[] RentPadded(ReadOnlySpan<float> src, int rows, int d, int dp)
    {
        var padded = Rent((long)rows * dp);
        for (int i = 0; i < rows; i++)
        {
            src.Slice(i * d, d).CopyTo(padded.AsSpan(i * dp, d));
            padded.AsSpan(i * dp + d, dp - d).Clear();
        }
        return padded;
    }

    /// <summary>A new rows x d float32 CPU tensor from the first d of every <paramref name="dp"/> values of <paramref name="padded"/>.</summary>
    internal static Tensor Unpad(float[] padded, int rows, int d, int dp)
    {
        var t = empty(rows, d, dtype: ScalarType.Float32);
        if (rows == 0 || d == 0) return t;
        Unpad(padded, rows, d, dp, Floats(t));
        return t;
    }

    /// <summary>The first d of every <paramref name="dp"/> values of <paramref name="padded"/>, written row-major into <paramref name="dst"/>.</summary>
    internal static void Unpad(float[] padded, int rows, int d, int dp, Span<float> dst)
    {
        for (int i = 0; i < rows; i++) padded.AsSpan(i * dp, d).CopyTo(dst.Slice(i * d, d));
    }

    /// <summary>A copy of a float32 CPU tensor's values (row-major).</summary>
    internal static float[] ToArray(Tensor t)
    {
        using var c = t.contiguous();
        return Floats(c).ToArray();
    }

    /// <summary>The values of a contiguous float32 CPU tensor, in place.</summary>
    internal static Span<float> Floats(Tensor t)
    {
        if (t.numel() == 0) return Span<float>.Empty;
        return MemoryMarshal.Cast<byte, float>(t.bytes);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(start, end) over <c>[0, n)</c> in at most one chunk per core, each of at least
    /// <paramref name="minimum"/> items. Chunk bounds depend only on n and the core count.
    /// </summary>
    internal static void For(int n, int minimum, Action<int, int> body)
    {
        if (n <= 0) return;
        int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, n / Math.Max(1, minimum)));
        if (chunks == 1) { body(0, n); return; }
        Parallel.For(0, chunks, c => body((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks)));
    }

    /// <summary>
    /// <c>dst[i] = sum_q val[q] dense[col[q]]</c> over <c>q</c> in <c>[ptr[i], ptr[i + 1])</c>, for rows
    /// <c>[start, end)</c>: a compressed-sparse-rows block times a dense matrix, rows of <paramref name="dp"/> values
    /// (a whole number of vectors). The row's accumulators stay in registers, two sets (even and odd <c>q</c>) so that
    /// consecutive terms do not wait on each other; the order of the sums is fixed.
    /// </summary>
    internal static unsafe void SparseRows(int* ptr, int* col, float* val, float* dense, float* dst, int start, int end, int dp)
    {
        int lanes = Vector<float>.Count, vectors = dp / lanes;
        for (int i = start; i < end; i++)
        {
            float* o = dst + (long)i * dp;
            int q = ptr[i], last = ptr[i + 1];
            switch (vectors)
            {
                case 1:
                {
                    Vector<float> a0 = default, b0 = default;
                    for (; q + 1 < last; q += 2)
                    {
                        var v = new Vector<float>(val[q]);
                        var u = new Vector<float>(val[q + 1]);
                        float* r = dense + (long)col[q] * dp;
                        float* t = dense + (long)col[q + 1] * dp;
                        a0 += v * Vector.Load(r);
                        b0 += u * Vector.Load(t);
                    }
                    if (q < last)
                    {
                        var v = new Vector<float>(val[q]);
                        float* r = dense + (long)col[q] * dp;
                        a0 += v * Vector.Load(r);
                    }
                    (a0 + b0).Store(o);
                    break;
                }
                case 2:
                {
                    Vector<float> a0 = default, b0 = default, a1 = default, b1 = default;
                    for (; q + 1 < last; q += 2)
                    {
                        var v = new Vector<float>(val[q]);
                        var u = new Vector<float>(val[q + 1]);
                        float* r = dense + (long)col[q] * dp;
                        float* t = dense + (long)col[q + 1] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                        b0 += u * Vector.Load(t);
                        b1 += u * Vector.Load(t + lanes);
                    }
                    if (q < last)
                    {
                        var v = new Vector<float>(val[q]);
                        float* r = dense + (long)col[q] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                    }
                    (a0 + b0).Store(o); (a1 + b1).Store(o + lanes);
                    break;
                }
                case 3:
                {
                    Vector<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default;
                    for (; q + 1 < last; q += 2)
                    {
                        var v = new Vector<float>(val[q]);
                        var u = new Vector<float>(val[q + 1]);
                        float* r = dense + (long)col[q] * dp;
                        float* t = dense + (long)col[q + 1] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                        a2 += v * Vector.Load(r + 2 * lanes);
                        b0 += u * Vector.Load(t);
                        b1 += u * Vector.Load(t + lanes);
                        b2 += u * Vector.Load(t + 2 * lanes);
                    }
                    if (q < last)
                    {
                        var v = new Vector<float>(val[q]);
                        float* r = dense + (long)col[q] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                        a2 += v * Vector.Load(r + 2 * lanes);
                    }
                    (a0 + b0).Store(o); (a1 + b1).Store(o + lanes); (a2 + b2).Store(o + 2 * lanes);
                    break;
                }
                case 4:
                {
                    Vector<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
                    for (; q + 1 < last; q += 2)
                    {
                        var v = new Vector<float>(val[q]);
                        var u = new Vector<float>(val[q + 1]);
                        float* r = dense + (long)col[q] * dp;
                        float* t = dense + (long)col[q + 1] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                        a2 += v * Vector.Load(r + 2 * lanes);
                        a3 += v * Vector.Load(r + 3 * lanes);
                        b0 += u * Vector.Load(t);
                        b1 += u * Vector.Load(t + lanes);
                        b2 += u * Vector.Load(t + 2 * lanes);
                        b3 += u * Vector.Load(t + 3 * lanes);
                    }
                    if (q < last)
                    {
                        var v = new Vector<float>(val[q]);
                        float* r = dense + (long)col[q] * dp;
                        a0 += v * Vector.Load(r);
                        a1 += v * Vector.Load(r + lanes);
                        a2 += v * Vector.Load(r + 2 * lanes);
                        a3 += v * Vector.Load(r + 3 * lanes);
                    }
                    (a0 + b0).Store(o); (a1 + b1).Store(o + lanes); (a2 + b2).Store(o + 2 * lanes); (a3 + b3).Store(o + 3 * lanes);
                    break;
                }
                default:
                    new Span<float>(o, dp).Clear();
                    for (; q < last; q++)
                    {
                        var v = new Vector<float>(val[q]);
                        float* r = dense + (long)col[q] * dp;
                        for (int k = 0; k < dp; k += lanes) (Vector.Load(o + k) + v * Vector.Load(r + k)).Store(o + k);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// <c>dst[col[q]] += val[q] src[i]</c> over <c>q</c> in <c>[ptr[i], ptr[i + 1])</c>, for rows <c>[start, end)</c>
    /// in order: the transposed block times a dense matrix, <c>Xᵀ S</c>, read row by row. Each source row is loaded
    /// once and stays in registers; the destination (columns x <paramref name="dp"/>) is small enough to stay in cache.
    /// </summary>
    internal static unsafe void ScatterRows(int* ptr, int* col, float* val, float* src, float* dst, int start, int end, int dp)
    {
        int lanes = Vector<float>.Count, vectors = dp / lanes;
        for (int i = start; i < end; i++)
        {
            float* r = src + (long)i * dp;
            int q = ptr[i], last = ptr[i + 1];
            switch (vectors)
            {
                case 1:
                {
                    var s0 = Vector.Load(r);
                    for (; q < last; q++)
                    {
                        var v = new Vector<float>(val[q]);
                        float* o = dst + (long)col[q] * dp;
                        (Vector.Load(o) + v * s0).Store(o);
                    }
                    break;
                }
                case 2:
                {
                    var s0 = Vector.Load(r); var s1 = Vector.Load(r + lanes);
                    for (; q < last; q++)
                    {
                        var v = new Vector<float>(val[q]);
                        float* o = dst + (long)col[q] * dp;
                        (Vector.Load(o) + v * s0).Store(o);
                        (Vector.Load(o + lanes) + v * s1).Store(o + lanes);
                    }
                    break;
                }
                default:
                    for (; q < last; q++)
                    {
                        var v = new Vector<float>(val[q]);
                        float* o = dst + (long)col[q] * dp;
                        for (int k = 0; k < dp; k += lanes) (Vector.Load(o + k) + v * Vector.Load(r + k)).Store(o + k);
                    }
                    break;
            }
        }
    }

    /// <summary>The dot product of two rows of <paramref name="dp"/> values (a whole number of vectors).</summary>
    internal static unsafe float Dot(float* a, float* b, int dp)
    {
        int lanes = Vector<float>.Count;
        var acc = Vector.Load(a) * Vector.Load(b);
        for (int k = lanes; k < dp; k += lanes) acc += Vector.Load(a + k) * Vector.Load(b + k);
        return Vector.Sum(acc);
    }

    /// <summary>Whether the custom CPU kernels apply to these tensors (float32 on the CPU).</summary>
    internal static bool OnCpu(params Tensor[] tensors)
    {
        foreach (var t in tensors)
            if (t.device_type != TorchSharp.DeviceType.CPU || t.dtype != ScalarType.Float32) return false;
        return true;
    }
}

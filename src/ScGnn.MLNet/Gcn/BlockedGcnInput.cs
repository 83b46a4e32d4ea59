using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Dense CPU input with register-blocked AVX2/FMA products for the model's skinny shapes (hidden width 8-64):
/// four rows of the left matrix times a 24-column tile of the right one, twelve accumulators held in registers.
/// General BLAS reaches about half its square-matrix rate on <c>cells x genes x genes/64</c>; this kernel is
/// FMA-bound instead. <c>X</c> is kept twice, row-major and transposed, so both products stream rows.
/// Row blocks run in parallel with one writer per output row, so results do not depend on the thread count.
/// </summary>
internal sealed class BlockedGcnInput : GcnInput
{
    private const int Lanes = 8;
    private readonly float[] _x;   // cells x genes, the caller's array (not copied; it must not change)
    private readonly float[] _xt;  // genes x cells
    private float[] _right = Array.Empty<float>();
    private float[] _out = Array.Empty<float>();

    internal BlockedGcnInput(float[] dense, int cells, int genes)
    {
        Cells = cells; Genes = genes;
        _x = dense;
        _xt = GcnTrainingKernel.Transpose(dense, cells, genes);
    }

    /// <summary>True where the CPU has AVX2 and FMA.</summary>
    internal static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    internal override int Cells { get; }
    internal override int Genes { get; }

    internal override void Multiply(float[] w, int hidden, float[] result) => RowBlocked(_x, Cells, Genes, w, hidden, result);

    internal override void MultiplyTransposed(float[] g, int hidden, float[] result) => RowBlocked(_xt, Genes, Cells, g, hidden, result);

    /// <summary>c (rows x hidden) = a (rows x inner) b (inner x hidden), all row-major.</summary>
    private void RowBlocked(float[] a, int rows, int inner, float[] b, int hidden, float[] c)
    {
        int width = (hidden + Lanes - 1) / Lanes * Lanes;
        // The right matrix padded to whole vectors with zero columns.
        if (_right.Length != inner * width) _right = new float[inner * width];
        for (int k = 0; k < inner; k++)
        {
            b.AsSpan(k * hidden, hidden).CopyTo(_right.AsSpan(k * width, hidden));
            _right.AsSpan(k * width + hidden, width - hidden).Clear();
        }
        if (_out.Length < rows * width) _out = new float[rows * width];
        var right = _right; var output = _out;

        int blocks = (rows + 3) / 4;
        int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, blocks / 16));
        Parallel.For(0, chunks, chunk =>
        {
            int start = (int)((long)blocks * chunk / chunks), end = (int)((long)blocks * (chunk + 1) / chunks);
            for (int block = start; block < end; block++)
            {
                int r0 = block * 4, count = Math.Min(4, rows - r0);
                for (int col = 0; col < width; col += 3 * Lanes)
                {
                    int vectors = Math.Min(3, (width - col) / Lanes);
                    if (count == 4) Block4(a, r0, inner, right, width, col, vectors, output);
                    else for (int r = r0; r < r0 + count; r++) Row1(a, r, inner, right, width, col, vectors, output);
                }
            }
        });
        for (int r = 0; r < rows; r++) output.AsSpan(r * width, hidden).CopyTo(c.AsSpan(r * hidden, hidden));
    }

    // Optimized from the first call: training is a few thousand calls, too few for tiered JIT to settle early.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block4(float[] a, int r0, int inner, float[] b, int width, int col, int vectors, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* a0 = pa + (long)r0 * inner, a1 = a0 + inner, a2 = a1 + inner, a3 = a2 + inner;
            float* bk = pb + col;
            Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
            Vector256<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
            if (vectors == 3)
            {
                for (int k = 0; k < inner; k++, bk += width)
                {
                    var b0 = Avx.LoadVector256(bk); var b1 = Avx.LoadVector256(bk + 8); var b2 = Avx.LoadVector256(bk + 16);
                    var x = Vector256.Create(a0[k]);
                    c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01); c02 = Fma.MultiplyAdd(x, b2, c02);
                    x = Vector256.Create(a1[k]);
                    c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11); c12 = Fma.MultiplyAdd(x, b2, c12);
                    x = Vector256.Create(a2[k]);
                    c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21); c22 = Fma.MultiplyAdd(x, b2, c22);
                    x = Vector256.Create(a3[k]);
                    c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31); c32 = Fma.MultiplyAdd(x, b2, c32);
                }
            }
            else if (vectors == 2)
            {
                for (int k = 0; k < inner; k++, bk += width)
                {
                    var b0 = Avx.LoadVector256(bk); var b1 = Avx.LoadVector256(bk + 8);
                    var x = Vector256.Create(a0[k]);
                    c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
                    x = Vector256.Create(a1[k]);
                    c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
                    x = Vector256.Create(a2[k]);
                    c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
                    x = Vector256.Create(a3[k]);
                    c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
                }
            }
            else
            {
                for (int k = 0; k < inner; k++, bk += width)
                {
                    var b0 = Avx.LoadVector256(bk);
                    c00 = Fma.MultiplyAdd(Vector256.Create(a0[k]), b0, c00);
                    c10 = Fma.MultiplyAdd(Vector256.Create(a1[k]), b0, c10);
                    c20 = Fma.MultiplyAdd(Vector256.Create(a2[k]), b0, c20);
                    c30 = Fma.MultiplyAdd(Vector256.Create(a3[k]), b0, c30);
                }
            }
            float* o = pc + (long)r0 * width + col;
            Store(o, vectors, c00, c01, c02);
            Store(o + width, vectors, c10, c11, c12);
            Store(o + 2 * width, vectors, c20, c21, c22);
            Store(o + 3 * width, vectors, c30, c31, c32);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Row1(float[] a, int r, int inner, float[] b, int width, int col, int vectors, float[] c)
    {
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* ar = pa + (long)r * inner, bk = pb + col;
            Vector256<float> c0 = default, c1 = default, c2 = default;
            for (int k = 0; k < inner; k++, bk += width)
            {
                var x = Vector256.Create(ar[k]);
                c0 = Fma.MultiplyAdd(x, Avx.LoadVector256(bk), c0);
                if (vectors > 1) c1 = Fma.MultiplyAdd(x, Avx.LoadVector256(bk + 8), c1);
                if (vectors > 2) c2 = Fma.MultiplyAdd(x, Avx.LoadVector256(bk + 16), c2);
            }
            Store(pc + (long)r * width + col, vectors, c0, c1, c2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Store(float* o, int vectors, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2)
    {
        Avx.Store(o, v0);
        if (vectors > 1) Avx.Store(o + 8, v1);
        if (vectors > 2) Avx.Store(o + 16, v2);
    }
}

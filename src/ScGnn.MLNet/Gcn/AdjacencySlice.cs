using System.Numerics;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Rows of the normalized adjacency <c>Â</c> (or a rectangular slice of it, <see cref="GcnSubgraph"/>) as an operator on
/// dense rows x D tensors: a sparse COO tensor for <c>mm</c> on any device, and on the CPU a CSR copy behind
/// <see cref="AdjacencyProduct"/>, a custom autograd function that runs the same product in C#.
/// </summary>
/// <remarks>
/// On this project's CPU torch's COO <c>mm</c> costs far more than its arithmetic, mostly in its backward pass
/// (<c>Âᵀ G</c> transposes and coalesces the indices every step); the CSR product is a few hundred thousand
/// multiply-adds. docs/BENCHMARKS.md (section 2) has the measured gain; the tests check both against each other.
/// </remarks>
internal sealed class AdjacencySlice : IDisposable
{
    private readonly int[] _ptr, _col;
    private readonly float[] _val;
    private readonly bool _symmetric;
    private AdjacencySlice? _transposed;
    private Tensor? _coo;

    internal AdjacencySlice(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values, bool symmetric)
    {
        Rows = rows; Columns = columns;
        _ptr = rowPointers; _col = columnIndices; _val = values;
        _symmetric = symmetric && rows == columns;
    }

    internal int Rows { get; }
    internal int Columns { get; }

    /// <summary>Whether products run through the C# CSR kernel (CPU) rather than torch's sparse <c>mm</c>.</summary>
    internal bool UseCsrKernel { get; set; } = true;

    /// <summary><c>slice x h</c> for a dense <c>Columns x D</c> tensor <paramref name="h"/>, differentiable in <paramref name="h"/>.</summary>
    internal Tensor Multiply(Tensor h)
    {
        if (UseCsrKernel && h.device_type == TorchSharp.DeviceType.CPU && h.dtype == ScalarType.Float32)
            return AdjacencyProduct.apply(this, h);
        return Coo(h.device).mm(h);
    }

    /// <summary>The slice as a sparse COO tensor on <paramref name="device"/> (built once, kept until disposed).</summary>
    internal Tensor Coo(Device device)
    {
        if (_coo is not null && _coo.device == device) return _coo;
        _coo?.Dispose();
        using var scope = NewDisposeScope();
        var rows = new long[_col.Length];
        for (int i = 0; i < Rows; i++)
            for (int q = _ptr[i]; q < _ptr[i + 1]; q++) rows[q] = i;
        var indices = stack(new[] { tensor(rows), tensor(_col.Select(c => (long)c).ToArray()) });
        _coo = GcnSubgraph.OnDevice(sparse_coo_tensor(indices, tensor(_val), new long[] { Rows, Columns }), device).MoveToOuterDisposeScope();
        _coo.DetachFromDisposeScope();
        return _coo;
    }

    /// <summary>The transposed slice (itself when symmetric).</summary>
    internal AdjacencySlice Transposed()
    {
        if (_symmetric) return this;
        if (_transposed is not null) return _transposed;
        var ptr = new int[Columns + 1];
        foreach (int c in _col) ptr[c + 1]++;
        for (int c = 0; c < Columns; c++) ptr[c + 1] += ptr[c];
        var next = (int[])ptr.Clone();
        var col = new int[_col.Length];
        var val = new float[_val.Length];
        for (int i = 0; i < Rows; i++)
            for (int q = _ptr[i]; q < _ptr[i + 1]; q++)
            {
                int at = next[_col[q]]++;
                col[at] = i;
                val[at] = _val[q];
            }
        return _transposed = new AdjacencySlice(Columns, Rows, ptr, col, val, symmetric: false);
    }

    /// <summary>dst = slice x src for row-major <c>Columns x d</c> src and <c>Rows x d</c> dst, rows in parallel
    /// (one writer per row, so the result does not depend on the thread count).</summary>
    internal void Multiply(ReadOnlySpan<float> src, int d, Span<float> dst)
    {
        if (src.Length != (long)Columns * d || dst.Length != (long)Rows * d) throw new ArgumentException("Operand sizes do not match the slice.");
        unsafe
        {
            fixed (float* s = src, t = dst)
            {
                var (sp, tp) = ((IntPtr)s, (IntPtr)t);
                int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, Rows / 256));
                int srcLength = src.Length, dstLength = dst.Length;
                Parallel.For(0, chunks, c =>
                {
                    var source = new ReadOnlySpan<float>((void*)sp, srcLength);
                    var target = new Span<float>((void*)tp, dstLength);
                    int end = (int)((long)Rows * (c + 1) / chunks);
                    for (int i = (int)((long)Rows * c / chunks); i < end; i++)
                    {
                        var row = target.Slice(i * d, d);
                        row.Clear();
                        for (int q = _ptr[i]; q < _ptr[i + 1]; q++) Axpy(_val[q], source.Slice(_col[q] * d, d), row);
                    }
                });
            }
        }
    }

    // y += a x on a short (hidden-width) row.
    private static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(a);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < xv.Length; v++) yv[v] += va * xv[v];
            j = xv.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) y[j] += a * x[j];
    }

    public void Dispose()
    {
        _coo?.Dispose();
        _coo = null;
    }
}

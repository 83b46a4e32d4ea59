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
    /// <remarks>
    /// Each row's sum stays in registers (<see cref="HostKernels.SparseRows"/>); when d is not a whole number of SIMD
    /// lanes, src and dst go through pooled copies padded to whole vectors.
    /// </remarks>
    internal void Multiply(ReadOnlySpan<float> src, int d, Span<float> dst)
    {
        if (src.Length != (long)Columns * d || dst.Length != (long)Rows * d) throw new ArgumentException("Operand sizes do not match the slice.");
        if (Rows == 0) return;
        int dp = HostKernels.Padded(d);
        var paddedSrc = dp == d ? null : HostKernels.RentPadded(src, Columns, d, dp);
        var paddedDst = dp == d ? null : HostKernels.Rent((long)Rows * dp);
        unsafe
        {
            fixed (float* s = paddedSrc ?? src, t = paddedDst ?? dst)
            fixed (int* ptr = _ptr, col = _col)
            fixed (float* val = _val)
            {
                var (sp, tp, pp, cp, vp) = ((IntPtr)s, (IntPtr)t, (IntPtr)ptr, (IntPtr)col, (IntPtr)val);
                HostKernels.For(Rows, 256, (start, end) =>
                    HostKernels.SparseRows((int*)pp, (int*)cp, (float*)vp, (float*)sp, (float*)tp, start, end, dp));
            }
        }
        if (paddedDst is not null)
        {
            HostKernels.Unpad(paddedDst, Rows, d, dp, dst);
            HostKernels.Return(paddedSrc!);
            HostKernels.Return(paddedDst);
        }
    }

    public void Dispose()
    {
        _coo?.Dispose();
        _coo = null;
    }
}

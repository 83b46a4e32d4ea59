using ScGnn.MLNet.Numerics;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// One step's input block, rows of the network's input <c>X</c>: on the CPU the rows in compressed sparse form for
/// <see cref="SparseInputProduct"/> (no dense copy), elsewhere a device tensor, dense or sparse COO, for <c>mm</c>.
/// </summary>
internal sealed class GcnInput : IDisposable
{
    private GcnInput(CsrMatrix? rows, Tensor? tensor)
    {
        Rows = rows;
        Tensor = tensor;
    }

    /// <summary>The block's rows on the host (CPU only), else null.</summary>
    internal CsrMatrix? Rows { get; }

    /// <summary>The block as a device tensor (devices other than the CPU), else null.</summary>
    internal Tensor? Tensor { get; }

    /// <summary>Rows <paramref name="rows"/> of <paramref name="x"/> (all of them, uncopied, when it is every row in order).</summary>
    /// <param name="x">The network's input.</param>
    /// <param name="rows">Ascending row ids.</param>
    /// <param name="sparse">Off the CPU: a sparse COO tensor rather than a dense block.</param>
    /// <param name="device">Where the block's products run.</param>
    internal static GcnInput Create(CsrMatrix x, int[] rows, bool sparse, Device device)
    {
        if (device.type != TorchSharp.DeviceType.CPU) return new GcnInput(null, GcnSubgraph.Block(x, rows, sparse, device));
        if (rows.Length == x.Rows) return new GcnInput(x, null);
        var ptr = new int[rows.Length + 1];
        for (int p = 0; p < rows.Length; p++) ptr[p + 1] = ptr[p] + x.RowPointers[rows[p] + 1] - x.RowPointers[rows[p]];
        var col = new int[ptr[^1]];
        var val = new float[ptr[^1]];
        for (int p = 0; p < rows.Length; p++)
        {
            x.RowIndices(rows[p]).CopyTo(col.AsSpan(ptr[p]));
            x.RowValues(rows[p]).CopyTo(val.AsSpan(ptr[p]));
        }
        return new GcnInput(new CsrMatrix(rows.Length, x.Columns, ptr, col, val), null);
    }

    /// <summary>Takes the device tensor (if any) out of the current dispose scope.</summary>
    internal GcnInput Detached()
    {
        Tensor?.DetachFromDisposeScope();
        return this;
    }

    public void Dispose() => Tensor?.Dispose();
}

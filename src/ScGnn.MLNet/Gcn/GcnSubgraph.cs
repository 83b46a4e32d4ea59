using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// What one step of the two-layer GCN needs to compute its output cells exactly: the output cells <c>B</c>, their
/// neighbours <c>N1</c> (the hidden layer's rows) and the neighbours' neighbours <c>N2</c> (the input's rows), with
/// the two slices of <c>Â</c>: rows <c>N1</c> x columns <c>N2</c> for the first convolution and rows <c>B</c> x columns
/// <c>N1</c> for the second. On the whole graph all three sets are every cell.
/// </summary>
/// <remarks>
/// Because the slices keep every edge the output cells depend on, the output, loss and gradients of a batch equal those
/// of the full-graph model restricted to the batch's entries: mini-batches change how often Adam steps, not what a
/// step computes. One step's memory is bounded by <c>|N2|</c> x genes for the input block.
/// </remarks>
internal sealed class GcnSubgraph
{
    private GcnSubgraph(int[] output, int[] hidden, int[] input, AdjacencySlice first, AdjacencySlice second, bool whole)
    {
        OutputCells = output;
        HiddenCells = hidden;
        InputCells = input;
        First = first;
        Second = second;
        IsWholeGraph = whole;
    }

    /// <summary>The cells whose output this subgraph computes (global ids, ascending).</summary>
    internal int[] OutputCells { get; }

    /// <summary>The rows of the hidden layer: the output cells' neighbours, themselves included (ascending).</summary>
    internal int[] HiddenCells { get; }

    /// <summary>The rows of the input block: the hidden cells' neighbours (ascending).</summary>
    internal int[] InputCells { get; }

    /// <summary>Whether this is the whole graph (all three sets are every cell).</summary>
    internal bool IsWholeGraph { get; }

    /// <summary>The first convolution's slice of <c>Â</c>: hidden x input cells.</summary>
    internal AdjacencySlice First { get; }

    /// <summary>The second convolution's slice of <c>Â</c>: output x hidden cells.</summary>
    internal AdjacencySlice Second { get; }

    /// <summary>The whole graph.</summary>
    internal static GcnSubgraph Whole(NormalizedAdjacency a)
    {
        var all = Enumerable.Range(0, a.Count).ToArray();
        var slice = new AdjacencySlice(a.Count, a.Count, a.RowPointers, a.Columns, a.Values, symmetric: true);
        return new GcnSubgraph(all, all, all, slice, slice, whole: true);
    }

    /// <summary>
    /// The subgraph <paramref name="cells"/> induce, as Cluster-GCN trains on: input, hidden and output rows are the
    /// cells themselves, and both convolutions use <c>Â</c> restricted to them, each row rescaled to its full row sum
    /// so that a cell with neighbours outside the batch still averages its neighbourhood at the whole graph's scale.
    /// A batch closed under neighbourhood (a union of components) computes exactly what the whole graph does there.
    /// </summary>
    /// <param name="a">The graph.</param>
    /// <param name="cells">The batch (ascending, distinct global ids).</param>
    /// <param name="local">A scratch array of a.Count entries, all -1 on entry and on return.</param>
    internal static GcnSubgraph Induced(NormalizedAdjacency a, int[] cells, int[] local)
    {
        if (cells.Length == a.Count) return Whole(a);
        for (int i = 0; i < cells.Length; i++) local[cells[i]] = i;
        var ptr = new int[cells.Length + 1];
        foreach (var (p, i) in cells.Select((c, p) => (p, c)))
        {
            int kept = 0;
            for (int q = a.RowPointers[i]; q < a.RowPointers[i + 1]; q++) if (local[a.Columns[q]] >= 0) kept++;
            ptr[p + 1] = ptr[p] + kept;
        }
        var col = new int[ptr[^1]];
        var val = new float[ptr[^1]];
        for (int p = 0; p < cells.Length; p++)
        {
            int i = cells[p], at = ptr[p];
            double full = 0, inside = 0;
            for (int q = a.RowPointers[i]; q < a.RowPointers[i + 1]; q++)
            {
                full += a.Values[q];
                int j = local[a.Columns[q]];
                if (j < 0) continue;
                inside += a.Values[q];
                col[at] = j; val[at] = a.Values[q]; at++;
            }
            float scale = inside > 0 ? (float)(full / inside) : 0f;
            if (scale != 1f) for (int q = ptr[p]; q < at; q++) val[q] *= scale;
        }
        foreach (int c in cells) local[c] = -1;
        var slice = new AdjacencySlice(cells.Length, cells.Length, ptr, col, val, symmetric: false);
        return new GcnSubgraph(cells, cells, cells, slice, slice, whole: false);
    }

    /// <summary>The exact two-hop neighbourhood of <paramref name="outputCells"/> (ascending, distinct global ids).</summary>
    /// <param name="a">The graph.</param>
    /// <param name="outputCells">The cells to compute.</param>
    /// <param name="local">A scratch array of a.Count entries, all -1 on entry and on return.</param>
    internal static GcnSubgraph Around(NormalizedAdjacency a, int[] outputCells, int[] local)
    {
        if (outputCells.Length == a.Count) return Whole(a);
        var hidden = Neighbours(a, outputCells, local);
        var input = Neighbours(a, hidden, local);
        for (int i = 0; i < input.Length; i++) local[input[i]] = i;
        var first = Slice(a, hidden, local, input.Length);
        for (int i = 0; i < input.Length; i++) local[input[i]] = -1;
        for (int i = 0; i < hidden.Length; i++) local[hidden[i]] = i;
        var second = Slice(a, outputCells, local, hidden.Length);
        for (int i = 0; i < hidden.Length; i++) local[hidden[i]] = -1;
        return new GcnSubgraph(outputCells, hidden, input, first, second, whole: false);
    }

    /// <summary>Each of the ascending <paramref name="cells"/>' position in the ascending superset <paramref name="within"/>.</summary>
    internal static long[] PositionsIn(int[] cells, int[] within)
    {
        var positions = new long[cells.Length];
        int at = 0;
        for (int p = 0; p < cells.Length; p++)
        {
            while (at < within.Length && within[at] < cells[p]) at++;
            if (at == within.Length || within[at] != cells[p]) throw new ArgumentException($"Cell {cells[p]} is not in the superset.");
            positions[p] = at;
        }
        return positions;
    }

    // The union of the rows' columns, ascending; uses local as a visited mark (restored to -1).
    private static int[] Neighbours(NormalizedAdjacency a, int[] rows, int[] local)
    {
        var set = new List<int>();
        foreach (int i in rows)
            for (int q = a.RowPointers[i]; q < a.RowPointers[i + 1]; q++)
            {
                int k = a.Columns[q];
                if (local[k] == -1) { local[k] = -2; set.Add(k); }
            }
        foreach (int k in set) local[k] = -1;
        set.Sort();
        return set.ToArray();
    }

    // Rows of Â with columns mapped through local (ascending, since local is monotone on the sorted column set).
    private static AdjacencySlice Slice(NormalizedAdjacency a, int[] rows, int[] local, int columns)
    {
        var ptr = new int[rows.Length + 1];
        for (int p = 0; p < rows.Length; p++) ptr[p + 1] = ptr[p] + a.RowPointers[rows[p] + 1] - a.RowPointers[rows[p]];
        var c = new int[ptr[^1]]; var v = new float[ptr[^1]];
        for (int p = 0; p < rows.Length; p++)
        {
            int at = ptr[p];
            for (int q = a.RowPointers[rows[p]]; q < a.RowPointers[rows[p] + 1]; q++, at++)
            {
                c[at] = local[a.Columns[q]];
                v[at] = a.Values[q];
            }
        }
        return new AdjacencySlice(rows.Length, columns, ptr, c, v, symmetric: false);
    }

    // Builds a sparse COO tensor on the device.
    private static Tensor Coo((long[] Rows, long[] Cols, float[] Vals) coo, long rows, long cols, Device device)
    {
        using var r = tensor(coo.Rows);
        using var c = tensor(coo.Cols);
        using var indices = stack(new[] { r, c });
        using var values = tensor(coo.Vals);
        return OnDevice(sparse_coo_tensor(indices, values, new[] { rows, cols }), device);
    }

    // Moves a new host tensor to the device, disposing the host copy when a copy was made.
    internal static Tensor OnDevice(Tensor host, Device device)
    {
        if (device.type == TorchSharp.DeviceType.CPU) return host;
        var moved = host.to(device);
        host.Dispose();
        return moved;
    }

    /// <summary>
    /// The input block: rows <see cref="InputCells"/> of <paramref name="x"/>, dense (rows x genes) or, when
    /// <paramref name="sparse"/>, a sparse COO tensor of the same values.
    /// </summary>
    internal Tensor InputBlock(CsrMatrix x, bool sparse, Device device) => Block(x, InputCells, sparse, device);

    /// <summary>The input block for <see cref="BottleneckGcn.InputProduct(GcnInput)"/>: host rows on the CPU, a tensor elsewhere.</summary>
    internal GcnInput Input(CsrMatrix x, bool sparse, Device device) => GcnInput.Create(x, InputCells, sparse, device);

    /// <summary>Rows of <paramref name="x"/> as a dense or sparse COO tensor.</summary>
    internal static Tensor Block(CsrMatrix x, int[] rows, bool sparse, Device device)
    {
        int genes = x.Columns;
        if (!sparse)
        {
            var dense = new float[(long)rows.Length * genes];
            for (int p = 0; p < rows.Length; p++)
            {
                var idx = x.RowIndices(rows[p]); var val = x.RowValues(rows[p]);
                long off = (long)p * genes;
                for (int q = 0; q < idx.Length; q++) dense[off + idx[q]] = val[q];
            }
            return OnDevice(tensor(dense, rows.Length, genes), device);
        }
        long count = 0;
        foreach (int i in rows) count += x.RowPointers[i + 1] - x.RowPointers[i];
        var r = new long[count]; var c = new long[count]; var v = new float[count];
        long at = 0;
        for (int p = 0; p < rows.Length; p++)
        {
            var idx = x.RowIndices(rows[p]); var val = x.RowValues(rows[p]);
            for (int q = 0; q < idx.Length; q++, at++) { r[at] = p; c[at] = idx[q]; v[at] = val[q]; }
        }
        return Coo((r, c, v), rows.Length, genes, device);
    }
}

using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Entries the network is trained or validated on: cell, gene and target value (on the loss's scale), sorted by cell,
/// with the skip connection's features at each entry (entries x features, row-major) when there is one.
/// </summary>
internal sealed record GcnTargets(int[] Cells, int[] Genes, float[] Values, float[]? Features)
{
    /// <summary>No entries.</summary>
    internal static GcnTargets Empty { get; } = new(Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>(), null);

    internal int Count => Cells.Length;

    /// <summary>Skip features per entry (0 without features).</summary>
    internal int FeatureCount => Features is null || Count == 0 ? 0 : Features.Length / Count;

    /// <summary>The entries whose cells are in the ascending list <paramref name="cells"/>, rows given as positions in it.</summary>
    /// <param name="cells">Ascending global cell ids.</param>
    /// <param name="firstEntry">Index of each cell's first entry (length cells + 1 over all cells), from <see cref="CellStarts"/>.</param>
    internal (long[] Rows, long[] Genes, float[] Values, float[]? Features) Select(int[] cells, int[] firstEntry)
    {
        int f = Features is null ? 0 : FeatureCount;
        long n = 0;
        foreach (int c in cells) n += firstEntry[c + 1] - firstEntry[c];
        var rows = new long[n]; var genes = new long[n]; var values = new float[n];
        var features = Features is null ? null : new float[n * f];
        long at = 0;
        for (int p = 0; p < cells.Length; p++)
            for (int e = firstEntry[cells[p]]; e < firstEntry[cells[p] + 1]; e++, at++)
            {
                rows[at] = p;
                genes[at] = Genes[e];
                values[at] = Values[e];
                if (features is not null) Array.Copy(Features!, (long)e * f, features, at * f, f);
            }
        return (rows, genes, values, features);
    }

    /// <summary>For every cell in <c>[0, cellCount)</c>, the index of its first entry (length cellCount + 1).</summary>
    internal int[] CellStarts(int cellCount)
    {
        return CsrMatrix.RowPointersOf(Cells, cellCount);
    }

    /// <summary>The distinct cells holding entries, ascending.</summary>
    internal int[] DistinctCells()
    {
        var list = new List<int>();
        for (int e = 0; e < Cells.Length; e++)
            if (e == 0 || Cells[e] != Cells[e - 1]) list.Add(Cells[e]);
        return list.ToArray();
    }
}

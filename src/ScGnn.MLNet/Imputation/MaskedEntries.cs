namespace ScGnn.MLNet.Imputation;

/// <summary>A set of (cell, gene, true value) entries, sorted by cell then gene.</summary>
internal sealed record MaskedEntries(int[] Cells, int[] Genes, float[] Values)
{
    internal int Count => Cells.Length;

    internal static MaskedEntries Empty { get; } = new(Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>());

    internal MaskedEntries Where(Func<int, bool> cellFilter)
    {
        // Counted first: the entries can number tens of millions, and growing lists would hold twice that.
        int count = 0;
        for (int k = 0; k < Cells.Length; k++) if (cellFilter(Cells[k])) count++;
        var c = new int[count]; var g = new int[count]; var v = new float[count];
        for (int k = 0, at = 0; k < Cells.Length; k++)
            if (cellFilter(Cells[k])) { c[at] = Cells[k]; g[at] = Genes[k]; v[at] = Values[k]; at++; }
        return new MaskedEntries(c, g, v);
    }
}

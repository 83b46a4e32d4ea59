namespace ScGnn.MLNet.Imputation;

/// <summary>A set of (cell, gene, true value) entries, sorted by cell then gene.</summary>
internal sealed record MaskedEntries(int[] Cells, int[] Genes, float[] Values)
{
    internal int Count => Cells.Length;

    internal static MaskedEntries Empty { get; } = new(Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>());

    internal MaskedEntries Where(Func<int, bool> cellFilter)
    {
        var c = new List<int>(); var g = new List<int>(); var v = new List<float>();
        for (int k = 0; k < Cells.Length; k++)
            if (cellFilter(Cells[k])) { c.Add(Cells[k]); g.Add(Genes[k]); v.Add(Values[k]); }
        return new MaskedEntries(c.ToArray(), g.ToArray(), v.ToArray());
    }
}

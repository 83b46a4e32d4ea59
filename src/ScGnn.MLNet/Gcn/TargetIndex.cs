namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The host side of a set of target entries for <see cref="TargetOutput"/>: row and gene per entry, and the entries
/// grouped by row and by gene (counting sort, so each group keeps entry order). Built once per set of entries, so a
/// training step copies nothing from the device to find them.
/// </summary>
/// <remarks>
/// The backward pass reads each gradient row as a sum over its group in this fixed order, one writer per row or
/// gene: the gradients do not depend on the thread count, and a run repeats bit for bit.
/// </remarks>
internal sealed class TargetIndex
{
    /// <summary>Indexes entries given by row and gene (non-negative, equal lengths).</summary>
    internal TargetIndex(int[] rows, int[] genes)
    {
        if (rows.Length != genes.Length) throw new ArgumentException($"{rows.Length} rows but {genes.Length} genes.");
        Rows = rows;
        Genes = genes;
        RowCount = Groups(rows, out var rowStarts, out var byRow);
        GeneCount = Groups(genes, out var geneStarts, out var byGene);
        RowStarts = rowStarts; ByRow = byRow;
        GeneStarts = geneStarts; ByGene = byGene;
        GenesByRow = new int[byRow.Length];
        RowsByGene = new int[byGene.Length];
        for (int q = 0; q < byRow.Length; q++) GenesByRow[q] = genes[byRow[q]];
        for (int q = 0; q < byGene.Length; q++) RowsByGene[q] = rows[byGene[q]];
    }

    /// <summary>Indexes int64 rows and genes (the device tensors' element type).</summary>
    internal TargetIndex(long[] rows, long[] genes) : this(ToInt(rows), ToInt(genes)) { }

    /// <summary>Entries.</summary>
    internal int Count => Rows.Length;

    /// <summary>Row of each entry.</summary>
    internal int[] Rows { get; }

    /// <summary>Gene of each entry.</summary>
    internal int[] Genes { get; }

    /// <summary>One more than the largest row (0 without entries).</summary>
    internal int RowCount { get; }

    /// <summary>One more than the largest gene (0 without entries).</summary>
    internal int GeneCount { get; }

    /// <summary>Entries of row <c>r</c> are <c>ByRow[RowStarts[r] .. RowStarts[r + 1]]</c>.</summary>
    internal int[] RowStarts { get; }

    /// <summary>Entry ids grouped by row, ascending within a row.</summary>
    internal int[] ByRow { get; }

    /// <summary>Entries of gene <c>g</c> are <c>ByGene[GeneStarts[g] .. GeneStarts[g + 1]]</c>.</summary>
    internal int[] GeneStarts { get; }

    /// <summary>Entry ids grouped by gene, ascending within a gene.</summary>
    internal int[] ByGene { get; }

    /// <summary>The gene of each entry in <see cref="ByRow"/> order.</summary>
    internal int[] GenesByRow { get; }

    /// <summary>The row of each entry in <see cref="ByGene"/> order.</summary>
    internal int[] RowsByGene { get; }

    private static int Groups(int[] keys, out int[] starts, out int[] order)
    {
        int count = 0;
        foreach (int k in keys)
        {
            if (k < 0) throw new ArgumentOutOfRangeException(nameof(keys), $"Negative index {k}.");
            if (k >= count) count = k + 1;
        }
        starts = new int[count + 1];
        foreach (int k in keys) starts[k + 1]++;
        for (int k = 0; k < count; k++) starts[k + 1] += starts[k];
        var next = starts[..^1];
        order = new int[keys.Length];
        for (int e = 0; e < keys.Length; e++) order[next[keys[e]]++] = e;
        return count;
    }

    private static int[] ToInt(long[] values)
    {
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = checked((int)values[i]);
        return result;
    }
}

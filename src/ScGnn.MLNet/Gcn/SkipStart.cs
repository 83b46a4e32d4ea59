using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The skip connection's starting point: per gene, the least-squares fit of the targets on the neighbourhood features
/// (<see cref="NeighborFeatures"/>) plus an intercept, so that the network learns the residual.
/// </summary>
internal static class SkipStart
{
    // Cells whose observed values are summarized at once: bounds the features held for the observed-value targets.
    private const int ObservedCellsPerChunk = 2048;

    /// <summary>
    /// Fits the start on <paramref name="targets"/> (features included) and, when <paramref name="observedCells"/> is
    /// given, on every other stored non-zero of <paramref name="x"/> in those cells (a target's own entry, when
    /// <paramref name="x"/> holds it, is counted once, as the target), added in chunks of cells in ascending order.
    /// </summary>
    /// <param name="a">The cell graph.</param>
    /// <param name="x">The skip features' input (on the targets' scale), cells x genes.</param>
    /// <param name="hops">Hops of the features.</param>
    /// <param name="targets">The masked training targets with their features.</param>
    /// <param name="observedCells">Ascending cells whose observed values are extra targets, or null.</param>
    internal static (float[][] Coefficients, float[] Intercept) Fit(NormalizedAdjacency a, CsrMatrix x, int hops, GcnTargets targets,
        int[]? observedCells)
    {
        int f = NeighborFeatures.PerHop * hops;
        var ls = new NeighborFeatures.LeastSquares(f, x.Columns);
        ls.Add(targets.Genes, targets.Values, targets.Features);
        if (observedCells is not null)
        {
            var targetStarts = targets.CellStarts(x.Rows);
            var isTarget = new bool[x.Columns];
            foreach (var chunk in observedCells.Chunk(ObservedCellsPerChunk))
            {
                var (cells, genes, values) = NonZeros(x, chunk, targets, targetStarts, isTarget);
                ls.Add(genes, values, NeighborFeatures.AtEntries(a, x, hops, cells, genes));
            }
        }
        return ls.Solve();
    }

    // The stored non-zeros of the rows that are not targets (isTarget: a genes-long scratch, left all false).
    private static (int[] Cells, int[] Genes, float[] Values) NonZeros(CsrMatrix x, IReadOnlyList<int> rows, GcnTargets targets,
        int[] targetStarts, bool[] isTarget)
    {
        var c = new List<int>(); var g = new List<int>(); var v = new List<float>();
        foreach (int i in rows)
        {
            for (int e = targetStarts[i]; e < targetStarts[i + 1]; e++) isTarget[targets.Genes[e]] = true;
            var idx = x.RowIndices(i); var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
                if (val[q] != 0 && !isTarget[idx[q]]) { c.Add(i); g.Add(idx[q]); v.Add(val[q]); }
            for (int e = targetStarts[i]; e < targetStarts[i + 1]; e++) isTarget[targets.Genes[e]] = false;
        }
        return (c.ToArray(), g.ToArray(), v.ToArray());
    }

    /// <summary>The targets with their skip features attached.</summary>
    internal static GcnTargets WithFeatures(NormalizedAdjacency a, CsrMatrix x, int hops, int[] cells, int[] genes, float[] values) =>
        new(cells, genes, values, NeighborFeatures.AtEntries(a, x, hops, cells, genes));
}

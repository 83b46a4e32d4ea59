using System.Runtime.InteropServices;
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
    private const int ObservedCellsPerChunk = 2048, MaxChunks = 64;

    /// <summary>
    /// The training targets with their features and the start fitted on them (and on the other observed non-zeros of
    /// <paramref name="observedCells"/>), from one neighbourhood summary per cell that serves both the targets' features
    /// and the fit. A target's own entry, when <paramref name="x"/> holds it, is counted once, as the target. The targets'
    /// and the observed values' normal equations are summed separately, then added.
    /// </summary>
    /// <param name="a">The cell graph.</param>
    /// <param name="x">The skip features' input (on the targets' scale), cells x genes.</param>
    /// <param name="hops">Hops of the features.</param>
    /// <param name="cells">Target cells, sorted.</param>
    /// <param name="genes">Target genes.</param>
    /// <param name="values">Target values.</param>
    /// <param name="observedCells">Ascending cells whose observed values are extra targets, or null.</param>
    /// <param name="meanScale">The features' mean scale (<see cref="NeighborFeatures.AtEntries"/>).</param>
    internal static (GcnTargets Train, (float[][] Coefficients, float[] Intercept) Start) FitWithTargets(NormalizedAdjacency a, CsrMatrix x,
        int hops, int[] cells, int[] genes, float[] values, int[]? observedCells, float meanScale = 1f)
    {
        int f = NeighborFeatures.PerHop * hops;
        var features = new float[(long)cells.Length * f];
        var onTargets = new NeighborFeatures.LeastSquares(f, x.Columns);
        var onObserved = new NeighborFeatures.LeastSquares(f, x.Columns);
        // The union of target cells and observed cells, ascending, visited in chunks of cells.
        var visit = new List<int>();
        int t = 0, o = 0, nObserved = observedCells?.Length ?? 0;
        while (t < cells.Length || o < nObserved)
        {
            int next = t < cells.Length && (o >= nObserved || cells[t] <= observedCells![o]) ? cells[t] : observedCells![o];
            visit.Add(next);
            while (t < cells.Length && cells[t] == next) t++;
            if (o < nObserved && observedCells![o] == next) o++;
        }
        var observed = new bool[x.Rows];
        foreach (int c in observedCells ?? Array.Empty<int>()) observed[c] = true;
        var isTarget = new bool[x.Columns];
        int firstTarget = 0;
        var eCells = new List<int>(); var eGenes = new List<int>(); var kind = new List<bool>();
        var oValues = new List<float>(); var oGenes = new List<int>();
        // At least ObservedCellsPerChunk cells per chunk and at most MaxChunks chunks: per-call costs stay linear in cells.
        int chunkCells = Math.Max(ObservedCellsPerChunk, (visit.Count + MaxChunks - 1) / MaxChunks);
        foreach (var chunk in visit.Chunk(chunkCells))
        {
            // Per cell: its targets, then its other observed non-zeros (one summary serves both).
            eCells.Clear(); eGenes.Clear(); kind.Clear(); oValues.Clear(); oGenes.Clear();
            int targetStart = firstTarget;
            foreach (int c in chunk)
            {
                int cellStart = firstTarget;
                while (firstTarget < cells.Length && cells[firstTarget] == c)
                {
                    eCells.Add(c); eGenes.Add(genes[firstTarget]); kind.Add(true); isTarget[genes[firstTarget]] = true; firstTarget++;
                }
                if (observed[c])
                {
                    var idx = x.RowIndices(c); var val = x.RowValues(c);
                    for (int q = 0; q < idx.Length; q++)
                        if (val[q] != 0 && !isTarget[idx[q]])
                        {
                            eCells.Add(c); eGenes.Add(idx[q]); kind.Add(false); oGenes.Add(idx[q]); oValues.Add(val[q]);
                        }
                }
                for (int e = cellStart; e < firstTarget; e++) isTarget[genes[e]] = false;
            }
            var all = NeighborFeatures.AtEntries(a, x, hops, CollectionsMarshal.AsSpan(eCells), CollectionsMarshal.AsSpan(eGenes), meanScale);
            var obsFeatures = new float[(long)oGenes.Count * f];
            long tAt = (long)targetStart * f, oAt = 0;
            for (int e = 0; e < kind.Count; e++)
            {
                if (kind[e]) { Array.Copy(all, (long)e * f, features, tAt, f); tAt += f; }
                else { Array.Copy(all, (long)e * f, obsFeatures, oAt, f); oAt += f; }
            }
            int n = firstTarget - targetStart;
            onTargets.Add(genes.AsSpan(targetStart, n), values.AsSpan(targetStart, n), features.AsSpan((int)((long)targetStart * f), n * f));
            onObserved.Add(CollectionsMarshal.AsSpan(oGenes), CollectionsMarshal.AsSpan(oValues), obsFeatures);
        }
        if (firstTarget != cells.Length) throw new ArgumentException("Target cells must be sorted.");
        onTargets.Add(onObserved);
        return (new GcnTargets(cells, genes, values, features), onTargets.Solve());
    }

    /// <summary>The targets with their skip features attached.</summary>
    internal static GcnTargets WithFeatures(NormalizedAdjacency a, CsrMatrix x, int hops, int[] cells, int[] genes, float[] values,
        float meanScale = 1f) =>
        new(cells, genes, values, NeighborFeatures.AtEntries(a, x, hops, cells, genes, meanScale));
}

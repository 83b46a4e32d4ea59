using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>
/// The skip start by its definition, as a test oracle for <see cref="SkipStart.FitWithTargets"/>: least squares on
/// the targets' own features, then on every other stored non-zero of the observed cells, summarized a second time.
/// </summary>
internal static class TwoPassSkipStart
{
    private const int CellsPerChunk = 2048;

    /// <summary>Fits the start on <paramref name="targets"/> (features included) and the other non-zeros of <paramref name="observedCells"/>.</summary>
    internal static (float[][] Coefficients, float[] Intercept) Fit(NormalizedAdjacency a, CsrMatrix x, int hops, GcnTargets targets,
        int[]? observedCells, float meanScale = 1f)
    {
        var ls = new NeighborFeatures.LeastSquares(NeighborFeatures.PerHop * hops, x.Columns);
        ls.Add(targets.Genes, targets.Values, targets.Features);
        if (observedCells is not null)
        {
            var targetStarts = targets.CellStarts(x.Rows);
            var isTarget = new bool[x.Columns];
            foreach (var chunk in observedCells.Chunk(CellsPerChunk))
            {
                var c = new List<int>(); var g = new List<int>(); var v = new List<float>();
                foreach (int i in chunk)
                {
                    for (int e = targetStarts[i]; e < targetStarts[i + 1]; e++) isTarget[targets.Genes[e]] = true;
                    var idx = x.RowIndices(i); var val = x.RowValues(i);
                    for (int q = 0; q < idx.Length; q++)
                        if (val[q] != 0 && !isTarget[idx[q]]) { c.Add(i); g.Add(idx[q]); v.Add(val[q]); }
                    for (int e = targetStarts[i]; e < targetStarts[i + 1]; e++) isTarget[targets.Genes[e]] = false;
                }
                var (cells, genes) = (c.ToArray(), g.ToArray());
                ls.Add(genes, v.ToArray(), NeighborFeatures.AtEntries(a, x, hops, cells, genes, meanScale));
            }
        }
        return ls.Solve();
    }
}

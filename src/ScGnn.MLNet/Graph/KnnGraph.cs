using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// Exact k-nearest-neighbour cell graph (paper §2): Euclidean distance in PCA space, connectivity 0/1, made
/// undirected (an edge when either cell lists the other), as scanpy's <c>pp.neighbors(method="umap")</c>
/// connectivities before weighting and MAGIC's <c>knn</c>.
/// </summary>
internal static class KnnGraph
{
    private const int BlockRows = 2048;

    /// <summary>
    /// Returns, for each cell, the indices of its k nearest other cells (ascending distance; ties broken by index).
    /// </summary>
    internal static int[][] NearestNeighbors(float[] points, int count, int dims, int k)
    {
        if (count < 2) throw new ArgumentException("A kNN graph needs at least two cells.");
        k = Math.Min(k, count - 1);
        TorchRuntime.EnsureInitialized();
        var result = new int[count][];
        using var scope = NewDisposeScope();
        var all = tensor(points, count, dims).to_type(ScalarType.Float64);
        var sq = all.pow(2).sum(1);
        for (int start = 0; start < count; start += BlockRows)
        {
            using var inner = NewDisposeScope();
            int rows = Math.Min(BlockRows, count - start);
            var block = all[start..(start + rows)];
            var d = sq[start..(start + rows)].unsqueeze(1) + sq.unsqueeze(0) - 2 * block.matmul(all.t());
            // Exclude self explicitly: duplicate cells have distance 0 too.
            var selfIdx = arange(start, start + rows, dtype: ScalarType.Int64).unsqueeze(1);
            d.scatter_(1, selfIdx, full(rows, 1, double.PositiveInfinity, dtype: ScalarType.Float64));
            // Partial selection of the k smallest per row, ties to the lower index (what a stable sort gives),
            // instead of sorting whole rows.
            var dist = d.contiguous().data<double>().ToArray();
            int offset = start;
            Parallel.For(0, rows, r =>
            {
                var bestD = new double[k];
                var bestI = new int[k];
                int filled = 0;
                int rowStart = r * count;
                for (int j = 0; j < count; j++)
                {
                    double v = dist[rowStart + j];
                    if (filled == k && !(v < bestD[k - 1])) continue;
                    int at = filled < k ? filled++ : k - 1;
                    while (at > 0 && v < bestD[at - 1]) { bestD[at] = bestD[at - 1]; bestI[at] = bestI[at - 1]; at--; }
                    bestD[at] = v; bestI[at] = j;
                }
                result[offset + r] = bestI;
            });
        }
        return result;
    }
}

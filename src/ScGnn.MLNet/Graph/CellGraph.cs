using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// Paper step 2, the cell graph: PCA of the cells -> k nearest neighbours in PCA space -> the renormalized
/// adjacency <c>D^-1/2 (A + I) D^-1/2</c>. The input is on the graph's scale (log1p applied by the caller when asked).
/// Sparse throughout: memory grows with the non-zeros plus cells x (components + neighbours), never cells x genes.
/// </summary>
internal static class CellGraph
{
    /// <summary>Fits the PCA basis on <paramref name="x"/> and builds its graph.</summary>
    internal static (PcaProjection Pca, NormalizedAdjacency Adjacency) Fit(CsrMatrix x, int components, int k, int seed,
        NeighborSearch search = NeighborSearch.Auto)
    {
        var pca = PcaProjection.Fit(x, components, seed);
        return (pca, Build(pca, x, k, seed, search));
    }

    /// <summary>The graph of a batch of cells in a fitted PCA space.</summary>
    internal static NormalizedAdjacency Build(PcaProjection pca, CsrMatrix x, int k, int seed, NeighborSearch search = NeighborSearch.Auto) =>
        NormalizedAdjacency.FromNeighbors(Neighbors(pca, x, k, seed, search));

    /// <summary>Each cell's k nearest other cells in the fitted PCA space (see <see cref="KnnGraph.NearestNeighbors"/>).</summary>
    internal static int[][] Neighbors(PcaProjection pca, CsrMatrix x, int k, int seed, NeighborSearch search = NeighborSearch.Auto)
    {
        var embedding = pca.Transform(x);
        return KnnGraph.NearestNeighbors(embedding, x.Rows, pca.ComponentCount, k, search, seed);
    }
}

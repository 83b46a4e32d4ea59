using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// Paper step 2, the cell graph: PCA of the cells -> k nearest neighbours in PCA space -> the renormalized
/// adjacency <c>D^-1/2 (A + I) D^-1/2</c>. The input is on the graph's scale (log1p applied by the caller when asked).
/// </summary>
internal static class CellGraph
{
    /// <summary>Fits the PCA basis on <paramref name="x"/> and builds its graph.</summary>
    internal static (PcaProjection Pca, NormalizedAdjacency Adjacency) Fit(CsrMatrix x, int components, int k, int seed)
    {
        var dense = x.ToDense();
        var pca = PcaProjection.Fit(dense, x.Rows, x.Columns, components);
        return (pca, Build(pca, x, k, seed));
    }

    /// <summary>The graph of a batch of cells in a fitted PCA space.</summary>
    internal static NormalizedAdjacency Build(PcaProjection pca, CsrMatrix x, int k, int seed)
    {
        _ = seed;
        var embedding = pca.Transform(x.ToDense(), x.Rows);
        var neighbors = KnnGraph.NearestNeighbors(embedding, x.Rows, pca.ComponentCount, k);
        return NormalizedAdjacency.FromNeighbors(neighbors);
    }
}

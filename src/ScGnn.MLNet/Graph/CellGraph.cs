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
    /// <param name="x">Cells x genes on the graph's scale.</param>
    /// <param name="components">Principal components.</param>
    /// <param name="k">Neighbours per cell.</param>
    /// <param name="seed">Seeds the randomized parts (PCA solver, approximate kNN insertion order).</param>
    /// <param name="search">Exact, approximate, or by size.</param>
    /// <param name="log">Receives each step's wall time (PCA, projection, kNN, adjacency), or null.</param>
    /// <param name="checkAlive">Called between the steps and inside the neighbour search (throws to cancel).</param>
    internal static (PcaProjection Pca, NormalizedAdjacency Adjacency) Fit(CsrMatrix x, int components, int k, int seed,
        NeighborSearch search = NeighborSearch.Auto, Action<string>? log = null, Action? checkAlive = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pca = PcaProjection.Fit(x, components, seed);
        Lap(log, clock, $"PCA ({pca.ComponentCount} components)");
        checkAlive?.Invoke();
        var embedding = pca.Transform(x);
        Lap(log, clock, "projection");
        var neighbors = KnnGraph.NearestNeighbors(embedding, x.Rows, pca.ComponentCount, k, search, seed, checkAlive);
        Lap(log, clock, $"kNN ({(KnnGraph.SearchesExactly(search, x.Rows) ? "exact" : "HNSW")})");
        var adjacency = NormalizedAdjacency.FromNeighbors(neighbors);
        Lap(log, clock, "adjacency");
        return (pca, adjacency);
    }

    private static void Lap(Action<string>? log, System.Diagnostics.Stopwatch clock, string step)
    {
        log?.Invoke(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ScGnn: {step} in {clock.Elapsed.TotalSeconds:F2} s"));
        clock.Restart();
    }

    /// <summary>The graph of a batch of cells in a fitted PCA space.</summary>
    internal static NormalizedAdjacency Build(PcaProjection pca, CsrMatrix x, int k, int seed, NeighborSearch search = NeighborSearch.Auto,
        Action? checkAlive = null) =>
        NormalizedAdjacency.FromNeighbors(Neighbors(pca, x, k, seed, search, checkAlive));

    /// <summary>Each cell's k nearest other cells in the fitted PCA space (see <see cref="KnnGraph.NearestNeighbors"/>).</summary>
    internal static int[][] Neighbors(PcaProjection pca, CsrMatrix x, int k, int seed, NeighborSearch search = NeighborSearch.Auto,
        Action? checkAlive = null)
    {
        var embedding = pca.Transform(x);
        return KnnGraph.NearestNeighbors(embedding, x.Rows, pca.ComponentCount, k, search, seed, checkAlive);
    }
}

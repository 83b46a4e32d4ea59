namespace ScGnn.MLNet.Graph;

/// <summary>How the kNN graph finds each cell's neighbours.</summary>
internal enum NeighborSearch
{
    /// <summary>Exact up to <see cref="KnnGraph.ExactMaxCells"/> cells, approximate (HNSW) above.</summary>
    Auto,

    /// <summary>All pairwise distances (cells² x components).</summary>
    Exact,

    /// <summary>An HNSW index (USearch), about cells x log(cells).</summary>
    Approximate,
}

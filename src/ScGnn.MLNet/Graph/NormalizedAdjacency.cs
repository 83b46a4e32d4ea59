namespace ScGnn.MLNet.Graph;

/// <summary>
/// The renormalized adjacency of Kipf &amp; Welling, <c>Â = D^-1/2 (A + I) D^-1/2</c>, of the undirected kNN graph,
/// in CSR form (symmetric, self loops included).
/// </summary>
internal sealed class NormalizedAdjacency
{
    private NormalizedAdjacency(int count, int[] rowPointers, int[] columns, float[] values)
    {
        Count = count;
        RowPointers = rowPointers;
        Columns = columns;
        Values = values;
    }

    internal int Count { get; }
    internal int[] RowPointers { get; }
    internal int[] Columns { get; }
    internal float[] Values { get; }

    /// <summary>Builds Â from directed kNN lists: edge (i, j) when i lists j or j lists i; plus self loops.</summary>
    internal static NormalizedAdjacency FromNeighbors(int[][] neighbors)
    {
        int n = neighbors.Length;
        var sets = new SortedSet<int>[n];
        for (int i = 0; i < n; i++) sets[i] = new SortedSet<int> { i };
        for (int i = 0; i < n; i++)
            foreach (int j in neighbors[i])
            {
                sets[i].Add(j);
                sets[j].Add(i);
            }
        var ptr = new int[n + 1];
        for (int i = 0; i < n; i++) ptr[i + 1] = ptr[i] + sets[i].Count;
        var cols = new int[ptr[n]];
        var vals = new float[ptr[n]];
        var invSqrtDeg = new double[n];
        for (int i = 0; i < n; i++) invSqrtDeg[i] = 1.0 / Math.Sqrt(sets[i].Count);
        for (int i = 0; i < n; i++)
        {
            int k = ptr[i];
            foreach (int j in sets[i])
            {
                cols[k] = j;
                vals[k] = (float)(invSqrtDeg[i] * invSqrtDeg[j]);
                k++;
            }
        }
        return new NormalizedAdjacency(n, ptr, cols, vals);
    }

    /// <summary>Number of undirected edges, self loops excluded.</summary>
    internal int EdgeCount => (Columns.Length - Count) / 2;
}

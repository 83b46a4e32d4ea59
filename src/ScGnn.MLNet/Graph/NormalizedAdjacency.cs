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
    /// <remarks>Linear in the edges: every listed pair is written into both rows, then each row is sorted and deduplicated.</remarks>
    internal static NormalizedAdjacency FromNeighbors(int[][] neighbors)
    {
        int n = neighbors.Length;
        var slots = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            slots[i + 1] += 1 + neighbors[i].Length;
            foreach (int j in neighbors[i])
            {
                if ((uint)j >= (uint)n) throw new ArgumentException($"Cell {i} lists neighbour {j}; there are {n} cells.");
                slots[j + 1]++;
            }
        }
        for (int i = 0; i < n; i++) slots[i + 1] += slots[i];
        var all = new int[slots[n]];
        var fill = slots[..n];
        for (int i = 0; i < n; i++)
        {
            all[fill[i]++] = i;
            foreach (int j in neighbors[i])
            {
                all[fill[i]++] = j;
                all[fill[j]++] = i;
            }
        }
        var ptr = new int[n + 1];
        int write = 0;
        for (int i = 0; i < n; i++)
        {
            var row = all.AsSpan(slots[i], slots[i + 1] - slots[i]);
            row.Sort();
            int start = write;
            for (int q = 0; q < row.Length; q++)
                if (write == start || all[write - 1] != row[q]) all[write++] = row[q];
            ptr[i + 1] = write;
        }
        var cols = all.AsSpan(0, write).ToArray();
        var vals = new float[write];
        var invSqrtDeg = new double[n];
        for (int i = 0; i < n; i++) invSqrtDeg[i] = 1.0 / Math.Sqrt(ptr[i + 1] - ptr[i]);
        for (int i = 0; i < n; i++)
            for (int q = ptr[i]; q < ptr[i + 1]; q++)
                vals[q] = (float)(invSqrtDeg[i] * invSqrtDeg[cols[q]]);
        return new NormalizedAdjacency(n, ptr, cols, vals);
    }

    /// <summary>Number of undirected edges, self loops excluded.</summary>
    internal int EdgeCount => (Columns.Length - Count) / 2;
}

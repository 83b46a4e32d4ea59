using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// A Markov matrix over cells in CSR form (each row's weights sum to 1, self included): one step of diffusion,
/// <c>x_i &lt;- sum_j P_ij x_j</c>.
/// </summary>
internal sealed class DiffusionOperator
{
    private DiffusionOperator(int count, int[] rowPointers, int[] columns, double[] weights)
    {
        Count = count;
        RowPointers = rowPointers;
        Columns = columns;
        Weights = weights;
        SingleWeights = Array.ConvertAll(weights, w => (float)w);
    }

    internal int Count { get; }
    internal int[] RowPointers { get; }
    internal int[] Columns { get; }
    internal double[] Weights { get; }

    /// <summary><see cref="Weights"/> in single precision, for the float kernels that step whole gene blocks.</summary>
    internal float[] SingleWeights { get; }

    /// <summary>The random walk with self loops over an undirected kNN graph: each row the mean of the cell and its neighbours.</summary>
    internal static DiffusionOperator Flat(NormalizedAdjacency graph)
    {
        var w = new double[graph.Columns.Length];
        for (int i = 0; i < graph.Count; i++)
        {
            int a = graph.RowPointers[i], b = graph.RowPointers[i + 1];
            for (int q = a; q < b; q++) w[q] = 1.0 / (b - a);
        }
        return new DiffusionOperator(graph.Count, graph.RowPointers, graph.Columns, w);
    }

    /// <summary>
    /// MAGIC's adaptive kernel: <c>K_ij = exp(-(d_ij / sigma_i)^decay)</c> with <c>sigma_i</c> the distance from cell i
    /// to its k-th nearest neighbour, over the cells <paramref name="neighbors"/> lists; symmetrized as
    /// <c>(K + K^T) / 2</c>, with <c>K_ii = 1</c>, then each row normalized to sum 1.
    /// </summary>
    /// <param name="points">Row-major cells x dims.</param>
    /// <param name="neighbors">Each cell's nearest other cells, nearest first (at least k of them).</param>
    /// <param name="dims">Dimensions per cell.</param>
    /// <param name="k">Which neighbour's distance is a cell's bandwidth (1-based).</param>
    /// <param name="decay">The kernel's exponent (MAGIC's default 1).</param>
    internal static DiffusionOperator AlphaDecay(float[] points, int[][] neighbors, int dims, int k, double decay)
    {
        int n = neighbors.Length;
        var directed = new Dictionary<long, double>();
        var rows = new List<(int J, double W)>[n];
        for (int i = 0; i < n; i++) rows[i] = new List<(int, double)>();
        for (int i = 0; i < n; i++)
        {
            var list = neighbors[i];
            if (list.Length == 0) continue;
            double sigma = Distance(points, dims, i, list[Math.Min(k, list.Length) - 1]);
            foreach (int j in list)
            {
                double d = Distance(points, dims, i, j);
                double w = sigma > 0 ? Math.Exp(-Math.Pow(d / sigma, decay)) : (d > 0 ? 0 : 1);
                // Half of each direction's weight, so that a pair listed both ways gets the mean of the two.
                rows[i].Add((j, w / 2));
                rows[j].Add((i, w / 2));
            }
        }
        var ptr = new int[n + 1];
        var cols = new List<int>();
        var weights = new List<double>();
        var merged = new SortedDictionary<int, double>();
        for (int i = 0; i < n; i++)
        {
            merged.Clear();
            merged[i] = 1;
            foreach (var (j, w) in rows[i]) merged[j] = merged.TryGetValue(j, out var v) ? v + w : w;
            double sum = merged.Values.Sum();
            foreach (var (j, w) in merged)
            {
                if (w <= 0) continue;
                cols.Add(j);
                weights.Add(w / sum);
            }
            ptr[i + 1] = cols.Count;
        }
        return new DiffusionOperator(n, ptr, cols.ToArray(), weights.ToArray());
    }

    private static double Distance(float[] points, int dims, int i, int j)
    {
        double s = 0;
        for (int c = 0; c < dims; c++)
        {
            double t = points[(long)i * dims + c] - points[(long)j * dims + c];
            s += t * t;
        }
        return Math.Sqrt(s);
    }
}

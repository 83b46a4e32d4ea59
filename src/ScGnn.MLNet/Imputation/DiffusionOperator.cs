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
        // Directed kernel weights, one per listed pair, at each row's offset.
        var listStart = new int[n + 1];
        for (int i = 0; i < n; i++) listStart[i + 1] = listStart[i] + neighbors[i].Length;
        var directed = new double[listStart[n]];
        Parallel.For(0, n, i =>
        {
            var list = neighbors[i];
            if (list.Length == 0) return;
            double sigma = Distance(points, dims, i, list[Math.Min(k, list.Length) - 1]);
            for (int r = 0; r < list.Length; r++)
            {
                double d = Distance(points, dims, i, list[r]);
                directed[listStart[i] + r] = sigma > 0 ? Math.Exp(-Math.Pow(d / sigma, decay)) : (d > 0 ? 0 : 1);
            }
        });

        // Each row holds itself (weight 1), half of each of its own pairs and half of each pair listing it; a pair
        // listed both ways is summed to the mean of the two directions.
        var rowLength = new int[n];
        for (int i = 0; i < n; i++)
        {
            rowLength[i] += 1 + neighbors[i].Length;
            foreach (int j in neighbors[i]) rowLength[j]++;
        }
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rowLength[i];
        var cols = new int[rowStart[n]];
        var vals = new double[rowStart[n]];
        var fill = rowStart[..n];
        for (int i = 0; i < n; i++)
        {
            cols[fill[i]] = i;
            vals[fill[i]++] = 1;
        }
        for (int i = 0; i < n; i++)
        {
            var list = neighbors[i];
            for (int r = 0; r < list.Length; r++)
            {
                int j = list[r];
                double half = directed[listStart[i] + r] / 2;
                cols[fill[i]] = j;
                vals[fill[i]++] = half;
                cols[fill[j]] = i;
                vals[fill[j]++] = half;
            }
        }

        // Sort each row by column, merge duplicates, normalize; rows are then compacted in order.
        var kept = new int[n];
        Parallel.For(0, n, i =>
        {
            int a = rowStart[i], len = rowStart[i + 1] - a;
            Array.Sort(cols, vals, a, len);
            int w = a;
            for (int q = a; q < a + len; q++)
            {
                if (w > a && cols[w - 1] == cols[q]) vals[w - 1] += vals[q];
                else { cols[w] = cols[q]; vals[w++] = vals[q]; }
            }
            double sum = 0;
            for (int q = a; q < w; q++) sum += vals[q];
            int m = a;
            for (int q = a; q < w; q++)
            {
                if (vals[q] <= 0) continue;
                cols[m] = cols[q];
                vals[m++] = vals[q] / sum;
            }
            kept[i] = m - a;
        });
        var ptr = new int[n + 1];
        for (int i = 0; i < n; i++) ptr[i + 1] = ptr[i] + kept[i];
        var outCols = new int[ptr[n]];
        var outVals = new double[ptr[n]];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(cols, rowStart[i], outCols, ptr[i], kept[i]);
            Array.Copy(vals, rowStart[i], outVals, ptr[i], kept[i]);
        }
        return new DiffusionOperator(n, ptr, outCols, outVals);
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

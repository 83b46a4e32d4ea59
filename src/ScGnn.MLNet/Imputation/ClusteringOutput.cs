using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// The <see cref="ImputationOutputMode.Smoothed"/> output of a batch: the batch's values diffused over its kNN cell
/// graph, <c>X_t = P^t X</c> with <c>P = D^-1 (A + I)</c> the random walk over the undirected kNN graph with self
/// loops (MAGIC's diffusion with a flat kernel), in the model's PCA space. The neighbour count k (the model's k
/// halved, as is, or doubled) and the number of steps t (0 to <see cref="MaxSteps"/>) are chosen for the batch by
/// molecular cross-validation (Batson, Royer and Webber 2019): the values (as counts, rounded) are split molecule by
/// molecule into two halves, the first half is diffused over its own graph, and the (k, t) whose result best predicts
/// the second half (mean squared error of log1p) wins. When no smoothing predicts held-out molecules better than the
/// values themselves, t = 0 and the output is the input. Holds the output dense (cells x genes floats).
/// </summary>
internal sealed class ClusteringOutput
{
    /// <summary>Most diffusion steps tried.</summary>
    internal const int MaxSteps = 10;

    private const int GeneBlock = 128;
    private const int SplitSeed = 1;

    private readonly float[] _values;

    private ClusteringOutput(float[] values, int cells, int genes, int neighborCount, int steps, double[] losses)
    {
        _values = values;
        Cells = cells;
        Genes = genes;
        NeighborCount = neighborCount;
        Steps = steps;
        Losses = losses;
    }

    internal int Cells { get; }

    internal int Genes { get; }

    /// <summary>The k chosen.</summary>
    internal int NeighborCount { get; }

    /// <summary>The t chosen (0: the input as it is).</summary>
    internal int Steps { get; }

    /// <summary>Held-out loss of the chosen k for t = 0 to <see cref="MaxSteps"/>.</summary>
    internal double[] Losses { get; }

    /// <summary>Chooses k and t for the batch and diffuses it.</summary>
    /// <param name="state">The fitted model: PCA basis, k, and whether the graph is on log1p.</param>
    /// <param name="x">The batch in the model's genes (observed values).</param>
    internal static ClusteringOutput Prepare(ScGnnNetworkState state, CsrMatrix x)
    {
        int cells = x.Rows, genes = x.Columns;
        var (first, second) = SplitMolecules(x, new Random(SplitSeed));
        var candidates = new[] { state.NeighborCount / 2, state.NeighborCount, state.NeighborCount * 2 }
            .Select(k => Math.Clamp(k, 1, cells - 1)).Distinct().ToArray();
        int bestK = candidates[0], bestT = 0;
        double bestLoss = double.PositiveInfinity;
        double[] bestLosses = Array.Empty<double>();
        foreach (int k in candidates)
        {
            var losses = HeldOutLosses(Graph(state, first, k), first, second);
            for (int t = 0; t < losses.Length; t++)
                if (losses[t] < bestLoss) { bestLoss = losses[t]; bestK = k; bestT = t; bestLosses = losses; }
        }
        var values = bestT == 0 ? x.ToDense() : Diffuse(Graph(state, x, bestK), x, bestT);
        return new ClusteringOutput(values, cells, genes, bestK, bestT, bestLosses);
    }

    /// <summary>Output rows <c>[start, start + count)</c> in the model's genes (row-major).</summary>
    internal float[] Rows(int start, int count) => _values.AsSpan((int)((long)start * Genes), (int)((long)count * Genes)).ToArray();

    private static NormalizedAdjacency Graph(ScGnnNetworkState state, CsrMatrix x, int k) =>
        CellGraph.Build(state.Pca, state.GraphOnLog1p ? x.Log1p() : x, k, ScGnnEngine.GraphSeed);

    /// <summary>
    /// Binomial thinning: each value, rounded to a count, sends each of its molecules to the first half with
    /// probability 1/2 (a normal approximation above 1,000 molecules).
    /// </summary>
    internal static (CsrMatrix First, CsrMatrix Second) SplitMolecules(CsrMatrix x, Random rng)
    {
        var a = new float[x.Values.Length];
        var b = new float[x.Values.Length];
        for (int q = 0; q < a.Length; q++)
        {
            long c = (long)Math.Round(Math.Max(0f, x.Values[q]));
            long h;
            if (c <= 1000)
            {
                h = 0;
                for (long m = 0; m < c; m++) if (rng.NextDouble() < 0.5) h++;
            }
            else
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                h = Math.Clamp((long)Math.Round(c / 2.0 + z * Math.Sqrt(c / 4.0)), 0, c);
            }
            a[q] = h;
            b[q] = c - h;
        }
        return (new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, a),
                new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, b));
    }

    /// <summary>Mean over every entry of <c>(log1p((P^t A)_ij) - log1p(B_ij))^2</c> for t = 0 to <see cref="MaxSteps"/>.</summary>
    internal static double[] HeldOutLosses(NormalizedAdjacency graph, CsrMatrix first, CsrMatrix second)
    {
        int cells = first.Rows, genes = first.Columns;
        var sums = new double[MaxSteps + 1];
        var blocks = GeneBlocks(genes).ToArray();
        var perBlock = new double[blocks.Length][];
        Parallel.For(0, blocks.Length, bi =>
        {
            var (g0, width) = blocks[bi];
            var cur = Columns(first, g0, width);
            var target = Columns(second, g0, width);
            for (int i = 0; i < target.Length; i++) target[i] = MathF.Log(1 + target[i]);
            var next = new float[cur.Length];
            var local = new double[MaxSteps + 1];
            for (int t = 0; t <= MaxSteps; t++)
            {
                if (t > 0) { Step(graph, cur, next, width); (cur, next) = (next, cur); }
                double s = 0;
                for (int i = 0; i < cur.Length; i++) { double d = MathF.Log(1 + cur[i]) - target[i]; s += d * d; }
                local[t] = s;
            }
            perBlock[bi] = local;
        });
        foreach (var local in perBlock)
            for (int t = 0; t <= MaxSteps; t++) sums[t] += local[t];
        return sums.Select(s => s / ((double)cells * genes)).ToArray();
    }

    /// <summary><c>P^t X</c>, dense row-major cells x genes, computed a block of genes at a time.</summary>
    internal static float[] Diffuse(NormalizedAdjacency graph, CsrMatrix x, int steps)
    {
        int cells = x.Rows, genes = x.Columns;
        var result = new float[(long)cells * genes];
        var blocks = GeneBlocks(genes).ToArray();
        Parallel.For(0, blocks.Length, bi =>
        {
            var (g0, width) = blocks[bi];
            var cur = Columns(x, g0, width);
            var next = new float[cur.Length];
            for (int t = 0; t < steps; t++) { Step(graph, cur, next, width); (cur, next) = (next, cur); }
            for (int i = 0; i < cells; i++)
                cur.AsSpan(i * width, width).CopyTo(result.AsSpan((int)((long)i * genes + g0), width));
        });
        return result;
    }

    private static IEnumerable<(int Start, int Width)> GeneBlocks(int genes)
    {
        for (int g0 = 0; g0 < genes; g0 += GeneBlock) yield return (g0, Math.Min(GeneBlock, genes - g0));
    }

    // Columns [g0, g0 + width) as a dense cells x width block.
    private static float[] Columns(CsrMatrix x, int g0, int width)
    {
        var block = new float[(long)x.Rows * width];
        for (int i = 0; i < x.Rows; i++)
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
            {
                int j = idx[q] - g0;
                if (j >= 0 && j < width) block[i * width + j] = val[q];
            }
        }
        return block;
    }

    // dst = P src: each cell's mean over its neighbours and itself (every stored entry of the graph, weight 1).
    private static void Step(NormalizedAdjacency graph, float[] src, float[] dst, int width)
    {
        var ptr = graph.RowPointers;
        var cols = graph.Columns;
        for (int i = 0; i < graph.Count; i++)
        {
            var row = dst.AsSpan(i * width, width);
            row.Clear();
            int start = ptr[i], end = ptr[i + 1];
            float w = 1f / (end - start);
            for (int q = start; q < end; q++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src.AsSpan(cols[q] * width, width), w, row, row);
        }
    }
}

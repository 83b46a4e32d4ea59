using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public class ClusteringEvaluatorTests
{
    private static readonly string[] Cells = { "c0", "c1", "c2", "c3" };
    private static readonly string[] Genes = { "g0", "g1" };
    private static readonly string[] Types = { "A", "A", "B", "B" };

    // Gene g0 is 0, 1, 10, 13 (mean 6) after the transform; g1 is constant.
    private static ExpressionMatrix Line(bool counts) => ExpressionMatrix.FromDense(
        counts ? new[] { 0f, 0, MathF.E - 1, 0, MathF.Exp(10) - 1, 0, MathF.Exp(13) - 1, 0 } : new[] { 0f, 5, 1, 5, 10, 5, 13, 5 },
        Cells, Genes);

    // 1-D embedding -6, -5, 4, 7; A = {-6, -5}, B = {4, 7}.
    private static readonly double ExpectedSilhouette = (10.5 / 11.5 + 9.5 / 10.5 + 6.5 / 9.5 + 9.5 / 12.5) / 4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Four_cells_on_a_line_give_the_hand_computed_embedding_silhouette_and_clusters(bool log1p)
    {
        var r = ClusteringEvaluator.Evaluate(Line(counts: log1p), Types, new ClusteringEvaluatorOptions { Log1p = log1p });
        Assert.Equal(2, r.ComponentCount); // min(50, cells - 1, genes)
        Assert.Equal(2, r.ClusterCount);
        float[] expected = { -6, 0, -5, 0, 4, 0, 7, 0 };
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], r.Embedding[i], 4);
        Assert.Equal(ExpectedSilhouette, r.Silhouette.Score, 5);
        Assert.Equal(5, r.Runs.Count);
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, r.Runs.Select(x => x.Seed));
        foreach (var run in r.Runs)
        {
            Assert.Equal(1.0, run.AdjustedRandIndex, 12);
            Assert.Equal(1.0, run.NormalizedMutualInformation, 12);
            Assert.Equal(0.5 + 4.5, run.Inertia, 4); // {-6, -5} around -5.5, {4, 7} around 5.5
        }
        Assert.Equal(1.0, r.AdjustedRandIndex.Mean, 12);
        Assert.Equal(0.0, r.AdjustedRandIndex.StandardDeviation, 12);
        Assert.Contains("k = 2", r.Description);
        Assert.Contains("seeds 1-5", r.Description);
        Assert.Contains(log1p ? "log1p" : "of the values", r.Description);
    }

    [Fact]
    public void A_wrong_k_is_scored_against_the_labels()
    {
        // k = 3 on two types: the best partition splits B = {4, 7} (inertia 0.5). ARI of {0 0 1 2} vs {A A B B}: index 1,
        // expected 2 x 1 / 6 = 1/3, max 1.5, so (1 - 1/3) / (1.5 - 1/3) = 4/7.
        var r = ClusteringEvaluator.Evaluate(Line(false), Types, new ClusteringEvaluatorOptions { Log1p = false, ClusterCount = 3, SeedCount = 2 });
        Assert.Equal(3, r.ClusterCount);
        Assert.Equal(2, r.LabelCount);
        foreach (var run in r.Runs)
        {
            Assert.Equal(0.5, run.Inertia, 4);
            Assert.Equal(4.0 / 7, run.AdjustedRandIndex, 12);
        }
    }

    [Fact]
    public void Reads_an_expression_and_a_label_column_of_a_data_view()
    {
        var m = Line(counts: true);
        var data = new CellLabels(Cells, Types).JoinTo(m.ToDataView());
        var r = ClusteringEvaluator.Evaluate(data);
        Assert.Equal(ExpectedSilhouette, r.Silhouette.Score, 5);
        Assert.Equal(1.0, r.NormalizedMutualInformation.Mean, 12);
        Assert.Equal(4, r.CellCount);
        Assert.Equal(2, r.GeneCount);
    }

    [Fact]
    public void Three_simulated_groups_of_counts_are_recovered()
    {
        // 90 cells, 40 genes; each group expresses its own 10 marker genes at Poisson(20), the rest at Poisson(2).
        var rng = new Random(5);
        int n = 90, g = 40;
        var dense = new float[n * g];
        var types = new string[n];
        for (int i = 0; i < n; i++)
        {
            int group = i % 3;
            types[i] = "T" + group;
            for (int j = 0; j < g; j++) dense[i * g + j] = Poisson(rng, j / 10 == group ? 20 : 2);
        }
        var m = ExpressionMatrix.FromDense(dense, Enumerable.Range(0, n).Select(i => "c" + i).ToArray(), Enumerable.Range(0, g).Select(j => "g" + j).ToArray());
        var r = ClusteringEvaluator.Evaluate(m, types);
        Assert.Equal(40, r.ComponentCount);
        Assert.Equal(1.0, r.AdjustedRandIndex.Mean, 12);
        Assert.True(r.Silhouette.Score > 0.3, $"silhouette {r.Silhouette.Score}");
        // Variance of the seeds: none on separable data; the clusters are one partition for every seed.
        Assert.All(r.Runs, run => Assert.Equal(3, run.Clusters.Distinct().Count()));
    }

    [Fact]
    public void With_fewer_cells_than_genes_the_full_rank_embedding_keeps_every_distance()
    {
        // 5 cells x 8 genes: the Gram-matrix path; 4 = cells - 1 components span the centred data.
        var rng = new Random(9);
        var dense = Enumerable.Range(0, 40).Select(_ => (float)rng.Next(0, 20)).ToArray();
        var m = ExpressionMatrix.FromDense(dense, new[] { "a", "b", "c", "d", "e" }, Enumerable.Range(0, 8).Select(j => "g" + j).ToArray());
        var r = ClusteringEvaluator.Evaluate(m, new[] { "A", "A", "B", "B", "B" }, new ClusteringEvaluatorOptions { Log1p = false, SeedCount = 1 });
        Assert.Equal(4, r.ComponentCount);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                double data = 0, embedded = 0;
                for (int g = 0; g < 8; g++) data += Math.Pow(dense[i * 8 + g] - dense[j * 8 + g], 2);
                for (int c = 0; c < 4; c++) embedded += Math.Pow(r.Embedding[i * 4 + c] - r.Embedding[j * 4 + c], 2);
                Assert.Equal(data, embedded, 2);
            }
        Assert.Equal(0.0, Enumerable.Range(0, 5).Sum(i => r.Embedding[i * 4]), 3); // centred
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var neg = ExpressionMatrix.FromDense(new[] { 0f, 1, -2, 1, 3, 1 }, new[] { "a", "b", "c" }, Genes);
        var e = Assert.Throws<ArgumentException>(() => ClusteringEvaluator.Evaluate(neg, new[] { "A", "A", "B" }));
        Assert.Contains("'b'", e.Message);
        Assert.Contains("'g0'", e.Message);
        Assert.Contains("non-negative", e.Message);
        Assert.Throws<ArgumentException>(() => ClusteringEvaluator.Evaluate(Line(false), new[] { "A", "A", "A", "A" }));
        Assert.Throws<ArgumentException>(() => ClusteringEvaluator.Evaluate(Line(false), new[] { "A", "B", "C", "D" }));
        Assert.Throws<ArgumentException>(() => ClusteringEvaluator.Evaluate(Line(false), new[] { "A", "B" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusteringEvaluator.Evaluate(Line(false), Types, new ClusteringEvaluatorOptions { InitializationCount = 0 }));
        Assert.False(ClusteringEvaluator.CanEvaluate(new[] { "A", "A" }));
        Assert.True(ClusteringEvaluator.CanEvaluate(Types));
    }

    private static float Poisson(Random rng, double lambda)
    {
        double l = Math.Exp(-lambda), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }
}

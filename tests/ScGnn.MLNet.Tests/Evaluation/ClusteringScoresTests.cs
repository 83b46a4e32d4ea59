using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class ClusteringScoresTests
{
    [Fact]
    public void Silhouette_of_four_points_on_a_line_matches_hand_computation()
    {
        // A = {0, 1}, B = {4, 6}: s = 4/5, 3/4, 1.5/3.5, 3.5/5.5
        float[] x = { 0, 1, 4, 6 };
        double expected = (0.8 + 0.75 + 1.5 / 3.5 + 3.5 / 5.5) / 4;
        var r = ClusteringScores.Silhouette(x, 1, new[] { "A", "A", "B", "B" });
        Assert.Equal(expected, r.Score, 12);
        Assert.True(r.IsExact);
        Assert.Equal(4, r.EvaluatedCount);
        Assert.Equal(2, r.ClusterCount);
        Assert.Equal(0.0, r.StandardError);
        var samples = ClusteringScores.SilhouetteSamples(x, 1, new[] { 0, 0, 1, 1 });
        Assert.Equal(new[] { 0.8, 0.75, 1.5 / 3.5, 3.5 / 5.5 }, samples, new Tolerance(1e-12));
    }

    [Fact]
    public void Silhouette_in_two_dimensions_with_a_singleton_cluster()
    {
        // A = {(0,0)}, B = {(3,0), (3,4)}: d(A,B1) = 3, d(A,B2) = 5, d(B1,B2) = 4.
        // s(A) = 0 (alone); s(B1) = (3 - 4) / 4 = -0.25; s(B2) = (5 - 4) / 5 = 0.2
        var r = ClusteringScores.Silhouette(new[] { new float[] { 0, 0 }, new float[] { 3, 0 }, new float[] { 3, 4 } }, new[] { 7, 9, 9 });
        Assert.Equal((0 - 0.25 + 0.2) / 3, r.Score, 12);
    }

    [Fact]
    public void Silhouette_matches_scikit_learn_on_twelve_points()
    {
        // Reference: sklearn 1.2.1 silhouette_score / silhouette_samples on the same points.
        float[][] x =
        {
            new float[] { 0, 0 }, new float[] { 1, 0 }, new float[] { 0, 2 }, new float[] { 5, 5 }, new float[] { 6, 5 }, new float[] { 5, 7 },
            new float[] { 6, 6 }, new float[] { 0, 9 }, new float[] { 1, 8 }, new float[] { 2, 9 }, new float[] { 3, 3 }, new float[] { 4, 1 },
        };
        int[] y = { 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 1 };
        Assert.Equal(0.4932734205731091, ClusteringScores.Silhouette(x, y).Score, 9);
        var flat = x.SelectMany(r => r).ToArray();
        var s = ClusteringScores.SilhouetteSamples(flat, 2, y);
        Assert.Equal(0.32896884, s[5], 7);
        Assert.Equal(-0.05263861, s[10], 7);
        Assert.Equal(-0.31992015, s[11], 7);
    }

    [Fact]
    public void Silhouette_needs_two_to_n_minus_one_labels()
    {
        Assert.Throws<ArgumentException>(() => ClusteringScores.Silhouette(new float[] { 0, 1, 2 }, 1, new[] { 1, 1, 1 }));
        Assert.Throws<ArgumentException>(() => ClusteringScores.Silhouette(new float[] { 0, 1, 2 }, 1, new[] { 1, 2, 3 }));
        Assert.Throws<ArgumentException>(() => ClusteringScores.Silhouette(new float[] { 0, 1, 2 }, 1, new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => ClusteringScores.Silhouette(new float[] { 0, 1, 2 }, 2, new[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => ClusteringScores.Silhouette(new float[] { 0, float.NaN, 2, 3 }, 1, new[] { 1, 1, 2, 2 }));
    }

    [Fact]
    public void Sampled_silhouette_is_seeded_and_close_to_exact()
    {
        var (x, labels) = Blobs(n: 1200, dims: 5, clusters: 3, spread: 1.5f, seed: 3);
        var exact = ClusteringScores.Silhouette(x, 5, labels, new SilhouetteOptions { Method = SilhouetteMethod.Exact });
        var opts = new SilhouetteOptions { Method = SilhouetteMethod.Sampled, SampleSize = 300, Seed = 11 };
        var a = ClusteringScores.Silhouette(x, 5, labels, opts);
        var b = ClusteringScores.Silhouette(x, 5, labels, opts);
        Assert.False(a.IsExact);
        Assert.Equal(300, a.EvaluatedCount);
        Assert.Equal(a.Score, b.Score);
        Assert.True(a.StandardError > 0);
        Assert.InRange(a.Score, exact.Score - 4 * a.StandardError, exact.Score + 4 * a.StandardError);
        // Auto switches on the threshold.
        var auto = ClusteringScores.Silhouette(x, 5, labels, new SilhouetteOptions { ExactMaxCount = 1000, SampleSize = 300, Seed = 11 });
        Assert.Equal(a.Score, auto.Score);
        var autoExact = ClusteringScores.Silhouette(x, 5, labels);
        Assert.Equal(exact.Score, autoExact.Score);
    }

    [Fact]
    public void Blocked_exact_silhouette_equals_a_naive_double_loop()
    {
        var (x, labels) = Blobs(n: 700, dims: 13, clusters: 4, spread: 3f, seed: 5);
        int n = labels.Length;
        var size = new int[4];
        foreach (int l in labels) size[l]++;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var sums = new double[4];
            for (int j = 0; j < n; j++)
            {
                double d2 = 0;
                for (int t = 0; t < 13; t++) { double d = x[i * 13 + t] - x[j * 13 + t]; d2 += d * d; }
                sums[labels[j]] += Math.Sqrt(d2);
            }
            double a = sums[labels[i]] / (size[labels[i]] - 1);
            double b = double.MaxValue;
            for (int c = 0; c < 4; c++) if (c != labels[i]) b = Math.Min(b, sums[c] / size[c]);
            total += (b - a) / Math.Max(a, b);
        }
        var r = ClusteringScores.Silhouette(x, 13, labels);
        Assert.Equal(total / n, r.Score, 5);
    }

    [Theory]
    // scikit-learn's documented examples (sklearn.metrics.adjusted_rand_score docstring)
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 1 }, 1.0)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }, 1.0)]
    [InlineData(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }, 4.0 / 7.0)]   // 0.57...
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }, 4.0 / 7.0)]   // 0.57...
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }, 0.0)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 1, 0, 1 }, -0.5)]
    [InlineData(new[] { 0, 1, 2, 3 }, new[] { 0, 1, 2, 3 }, 1.0)]         // all singletons
    [InlineData(new[] { 5, 5, 5 }, new[] { 1, 1, 1 }, 1.0)]               // one cluster each
    public void Adjusted_rand_index_matches_scikit_learn_examples(int[] a, int[] b, double expected)
    {
        Assert.Equal(expected, ClusteringScores.AdjustedRandIndex(a, b), 12);
    }

    [Fact]
    public void Adjusted_rand_index_hand_computed_with_string_and_uint_labels()
    {
        // Contingency [[2,1],[0,3]] (n = 6): sum C(n_ij,2) = 1 + 0 + 0 + 3 = 4; rows (3,3) -> 6; columns (2,4) -> 7;
        // expected = 6 * 7 / 15 = 2.8; max = 6.5 -> ARI = (4 - 2.8) / (6.5 - 2.8) = 1.2 / 3.7
        var truth = new[] { "x", "x", "x", "y", "y", "y" };
        var pred = new uint[] { 1, 1, 2, 2, 2, 2 };
        Assert.Equal(1.2 / 3.7, ClusteringScores.AdjustedRandIndex(truth, pred), 12);
        Assert.Equal(1.2 / 3.7, ClusteringScores.AdjustedRandIndex(pred, truth), 12);
    }

    [Fact]
    public void Nmi_matches_scikit_learn_examples_and_hand_values()
    {
        Assert.Equal(1.0, ClusteringScores.NormalizedMutualInformation(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 1 }), 12);
        Assert.Equal(1.0, ClusteringScores.NormalizedMutualInformation(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }), 12);
        Assert.Equal(0.0, ClusteringScores.NormalizedMutualInformation(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }), 12);
        Assert.Equal(1.0, ClusteringScores.NormalizedMutualInformation(new[] { 3, 3 }, new[] { 4, 4 }), 12);
        // U = {0,0,1,1}, V = {0,0,1,2}: H(U) = ln 2, H(V) = 1.5 ln 2, I = ln 2 (V refines U)
        int[] u = { 0, 0, 1, 1 }, v = { 0, 0, 1, 2 };
        Assert.Equal(Math.Log(2), ClusteringScores.MutualInformation(u, v), 12);
        Assert.Equal(1 / 1.25, ClusteringScores.NormalizedMutualInformation(u, v), 12);
        Assert.Equal(1 / Math.Sqrt(1.5), ClusteringScores.NormalizedMutualInformation(u, v, NmiNormalization.Geometric), 12);
        Assert.Equal(1.0, ClusteringScores.NormalizedMutualInformation(u, v, NmiNormalization.Min), 12);
        Assert.Equal(1 / 1.5, ClusteringScores.NormalizedMutualInformation(u, v, NmiNormalization.Max), 12);
        Assert.Equal(1.0, ClusteringScores.NormalizedMutualInformation(u, v, NmiNormalization.TrueLabelEntropy), 12);
        Assert.Throws<ArgumentException>(() => ClusteringScores.NormalizedMutualInformation(u, new[] { 1, 2 }));
    }

    private sealed class Scored
    {
        public float Label { get; set; }
        [VectorType(3)] public float[] Score { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void MLNet_clustering_evaluator_nmi_is_mutual_information_over_true_label_entropy()
    {
        // The documented difference: ML.NET divides I(U;V) by H(U) only.
        int[] truth = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 2 };
        int[] pred = { 0, 0, 1, 1, 1, 2, 2, 2, 2, 2 };
        var rows = truth.Select((t, i) =>
        {
            var score = new float[] { 1, 1, 1 };
            score[pred[i]] = 0; // the evaluator assigns the cluster with the smallest score
            return new Scored { Label = t, Score = score };
        }).ToArray();
        var ml = new MLContext(1);
        var metrics = ml.Clustering.Evaluate(ml.Data.LoadFromEnumerable(rows), labelColumnName: "Label", scoreColumnName: "Score");
        double ours = ClusteringScores.NormalizedMutualInformation(truth, pred, NmiNormalization.TrueLabelEntropy);
        Assert.Equal(metrics.NormalizedMutualInformation, ours, 9);
        // sklearn 1.2.1: normalized_mutual_info_score = 0.6114971080030807, adjusted_rand_score = 0.460431654676259
        Assert.Equal(0.6114971080030807, ClusteringScores.NormalizedMutualInformation(truth, pred), 12);
        Assert.Equal(0.460431654676259, ClusteringScores.AdjustedRandIndex(truth, pred), 12);
        Assert.NotEqual(metrics.NormalizedMutualInformation, ClusteringScores.NormalizedMutualInformation(truth, pred), 3);
    }

    internal static (float[] X, int[] Labels) Blobs(int n, int dims, int clusters, float spread, int seed)
    {
        var rng = new Random(seed);
        var centers = new float[clusters * dims];
        for (int i = 0; i < centers.Length; i++) centers[i] = (float)(rng.NextDouble() * 20 - 10);
        var x = new float[n * dims];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            labels[i] = c;
            for (int t = 0; t < dims; t++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                x[i * dims + t] = centers[c * dims + t] + spread * (float)g;
            }
        }
        return (x, labels);
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}

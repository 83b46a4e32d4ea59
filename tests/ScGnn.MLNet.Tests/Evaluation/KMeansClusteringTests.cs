using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class KMeansClusteringTests
{
    [Fact]
    public void Two_groups_on_a_line_give_the_hand_computed_partition_and_inertia()
    {
        // {0, 1, 2} and {10, 11, 12}: centres 1 and 11, inertia 2 + 2.
        float[] x = { 10, 0, 11, 1, 12, 2 };
        var r = KMeansClustering.Fit(x, 6, 1, 2, initializations: 10, maxIterations: 300, tolerance: 1e-4, seed: 1);
        Assert.Equal(4.0, r.Inertia, 9);
        Assert.Equal(r.Labels[0], r.Labels[2]);
        Assert.Equal(r.Labels[0], r.Labels[4]);
        Assert.Equal(r.Labels[1], r.Labels[3]);
        Assert.Equal(r.Labels[1], r.Labels[5]);
        Assert.NotEqual(r.Labels[0], r.Labels[1]);
    }

    [Fact]
    public void As_many_clusters_as_distinct_points_has_zero_inertia()
    {
        float[] x = { 0, 0, 3, 0, 0, 4, 3, 4 };
        var r = KMeansClustering.Fit(x, 4, 2, 4, initializations: 1, maxIterations: 300, tolerance: 1e-4, seed: 7);
        Assert.Equal(0.0, r.Inertia);
        Assert.Equal(4, r.Labels.Distinct().Count());
    }

    [Fact]
    public void Greedy_plus_plus_seeding_picks_one_centre_per_far_group()
    {
        // Three tight pairs far apart: D^2 sampling with the best of 2 + floor(ln 3) = 3 candidates lands one centre in each.
        float[] x = { 0, 0.1f, 100, 100.1f, -100, -100.1f };
        for (int seed = 1; seed <= 20; seed++)
        {
            var centres = KMeansClustering.PlusPlus(x, 6, 1, 3, new Random(seed));
            var groups = centres.Select(c => Math.Round(c / 100.0)).Distinct().Count();
            Assert.Equal(3, groups);
        }
    }

    [Fact]
    public void Best_of_ten_initialisations_finds_the_blobs_and_is_reproducible()
    {
        var (x, codes) = ClusteringScoresTests.Blobs(n: 600, dims: 5, clusters: 6, spread: 0.8f, seed: 3);
        var ten = KMeansClustering.Fit(x, 600, 5, 6, initializations: 10, maxIterations: 300, tolerance: 1e-4, seed: 2);
        Assert.Equal(1.0, ClusteringScores.AdjustedRandIndex(codes, ten.Labels), 12);
        var again = KMeansClustering.Fit(x, 600, 5, 6, initializations: 10, maxIterations: 300, tolerance: 1e-4, seed: 2);
        Assert.Equal(ten.Labels, again.Labels);
        Assert.Equal(ten.Inertia, again.Inertia);
        // The first of the ten initialisations is the single-initialisation run of the same seed.
        var one = KMeansClustering.Fit(x, 600, 5, 6, initializations: 1, maxIterations: 300, tolerance: 1e-4, seed: 2);
        Assert.True(ten.Inertia <= one.Inertia);
    }
}

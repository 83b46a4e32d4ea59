using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class ImputationMetricsTests
{
    [Fact]
    public void Hand_computed_small_case()
    {
        // errors 0, -1, +1 -> MSE 2/3; deviations (-1,0,1) vs (-1,1,0) -> r = 1 / sqrt(2 * 2) = 0.5
        var m = ImputationMetrics.Compute(new float[] { 1, 2, 3 }, new float[] { 1, 3, 2 });
        Assert.Equal(3, m.Count);
        Assert.Equal(2.0 / 3.0, m.Mse, 12);
        Assert.Equal(0.5, m.PearsonR, 12);
        Assert.Equal(0.5, m.SpearmanRho, 12); // no ties: ranks equal the values
        Assert.Equal(1.0, m.MedianAbsoluteError, 12);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties()
    {
        // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): rho = 4.5 / sqrt(4.5 * 5) (scipy.stats.spearmanr: 0.9486832980505138)
        var m = ImputationMetrics.Compute(new float[] { 1, 2, 2, 3 }, new float[] { 1, 2, 3, 4 });
        Assert.Equal(0.9486832980505138, m.SpearmanRho, 12);
        Assert.Equal(new[] { 1.0, 2.5, 2.5, 4.0 }, ImputationMetrics.AverageRanks(new float[] { 1, 2, 2, 3 }));
        Assert.Equal(new[] { 3.0, 1.5, 1.5 }, ImputationMetrics.AverageRanks(new float[] { 7, -1, -1 }));
    }

    [Fact]
    public void Median_of_even_count_averages_the_middle_pair_and_constant_side_gives_NaN_correlations()
    {
        var m = ImputationMetrics.Compute(new float[] { 0, 0, 0, 0 }, new float[] { 4, 1, 3, 2 });
        Assert.Equal(2.5, m.MedianAbsoluteError, 12);
        Assert.Equal((16 + 1 + 9 + 4) / 4.0, m.Mse, 12);
        Assert.True(double.IsNaN(m.PearsonR));
        Assert.True(double.IsNaN(m.SpearmanRho));
    }

    [Fact]
    public void Pearson_is_accurate_for_large_offsets()
    {
        // A naive one-pass formula loses every digit here in float; two passes in double do not.
        var p = new float[1000];
        var t = new float[1000];
        for (int i = 0; i < p.Length; i++)
        {
            t[i] = 10000f + (i % 10);
            p[i] = 10000f + (i % 10) + ((i / 10 % 2 == 0) ? 0.5f : -0.5f);
        }
        var m = ImputationMetrics.Compute(p, t);
        // deviations: t' = i%10 - 4.5 (var 8.25), noise +-0.5 with zero correlation to t'  -> r = sqrt(8.25 / 8.5)
        Assert.Equal(Math.Sqrt(8.25 / 8.5), m.PearsonR, 6);
        Assert.Equal(0.25, m.Mse, 9);
    }

    [Fact]
    public void Empty_gives_NaN_and_bad_input_throws()
    {
        var m = ImputationMetrics.Compute(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty);
        Assert.Equal(0, m.Count);
        Assert.True(double.IsNaN(m.Mse));
        Assert.Throws<ArgumentException>(() => ImputationMetrics.Compute(new float[2], new float[3]));
        var ex = Assert.Throws<ArgumentException>(() => ImputationMetrics.Compute(new[] { 1f, float.NaN }, new[] { 1f, 2f }));
        Assert.Contains("predicted[1]", ex.Message);
    }
}

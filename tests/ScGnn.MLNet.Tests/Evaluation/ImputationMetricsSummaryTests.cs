using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class ImputationMetricsSummaryTests
{
    [Fact]
    public void Mean_and_sample_sd_formatted_like_table_2()
    {
        var runs = new[]
        {
            new ImputationMetrics(10, 16.5, 0.74, 0.70, 1.0),
            new ImputationMetrics(10, 17.0, 0.75, 0.71, 2.0),
            new ImputationMetrics(10, 17.5, 0.73, 0.72, 3.0),
        };
        var s = ImputationMetricsSummary.Summarize(runs);
        Assert.Equal(3, s.RunCount);
        Assert.Equal(17.0, s.Mse.Mean, 12);
        Assert.Equal(0.5, s.Mse.StandardDeviation, 12); // n - 1: sqrt((0.25 + 0 + 0.25) / 2)
        Assert.Equal("17.00 ± 0.50", s.Mse.Format(2));
        Assert.Equal("0.740 ± 0.010", s.PearsonR.Format(3));
        Assert.Equal("17.00 ± 0.50 / 0.740 ± 0.010", s.FormatMseAndPearson());
        Assert.Equal(1.0, s.MedianAbsoluteError.StandardDeviation, 12);
    }

    [Fact]
    public void Single_run_has_no_sd_and_NaN_runs_are_skipped()
    {
        var one = ImputationMetricsSummary.Summarize(new[] { new ImputationMetrics(5, 16.97, 0.8, 0.8, 1) });
        Assert.Equal("16.97", one.Mse.Format(2));
        Assert.True(double.IsNaN(one.Mse.StandardDeviation));

        var withEmpty = ImputationMetricsSummary.Summarize(new[] { new ImputationMetrics(5, 2, 0.8, 0.8, 1), ImputationMetrics.Empty, new ImputationMetrics(5, 4, 0.8, 0.8, 1) });
        Assert.Equal(2, withEmpty.Mse.Count);
        Assert.Equal(1, withEmpty.Mse.SkippedCount);
        Assert.Equal(3.0, withEmpty.Mse.Mean, 12);
        Assert.Throws<ArgumentException>(() => ImputationMetricsSummary.Summarize(Array.Empty<ImputationMetrics>()));
    }
}

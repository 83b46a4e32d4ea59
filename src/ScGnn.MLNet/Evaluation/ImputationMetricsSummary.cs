using System.Globalization;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Aggregate of <see cref="ImputationMetrics"/> over several seeds or folds: per metric the mean and the sample
/// standard deviation (n - 1), as in the paper's Table 2 ("five-fold mean") and PROTOCOL.md's "mean ± sd over seeds".
/// </summary>
public sealed class ImputationMetricsSummary
{
    private ImputationMetricsSummary(int runCount, MetricStatistic mse, MetricStatistic pearson, MetricStatistic spearman,
        MetricStatistic medianAbsoluteError, MetricStatistic count)
    {
        RunCount = runCount;
        Mse = mse;
        PearsonR = pearson;
        SpearmanRho = spearman;
        MedianAbsoluteError = medianAbsoluteError;
        Count = count;
    }

    /// <summary>Number of runs summarized.</summary>
    public int RunCount { get; }

    /// <summary>Mean squared error over runs.</summary>
    public MetricStatistic Mse { get; }

    /// <summary>Pearson r over runs.</summary>
    public MetricStatistic PearsonR { get; }

    /// <summary>Spearman rho over runs.</summary>
    public MetricStatistic SpearmanRho { get; }

    /// <summary>Median absolute error over runs.</summary>
    public MetricStatistic MedianAbsoluteError { get; }

    /// <summary>Number of scored entries per run.</summary>
    public MetricStatistic Count { get; }

    /// <summary>Summarizes the runs; a run whose metric is NaN (for example an empty selection) is left out of that metric.</summary>
    /// <param name="runs">One metrics record per seed or fold; at least one.</param>
    /// <exception cref="ArgumentException">No runs.</exception>
    public static ImputationMetricsSummary Summarize(IEnumerable<ImputationMetrics> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        if (list.Count == 0) throw new ArgumentException("At least one run is needed.", nameof(runs));
        var mse = new double[list.Count];
        var r = new double[list.Count];
        var rho = new double[list.Count];
        var medae = new double[list.Count];
        var count = new double[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            var m = list[i] ?? throw new ArgumentException($"Run {i} is null.", nameof(runs));
            mse[i] = m.Mse;
            r[i] = m.PearsonR;
            rho[i] = m.SpearmanRho;
            medae[i] = m.MedianAbsoluteError;
            count[i] = m.Count;
        }
        return new ImputationMetricsSummary(list.Count, new MetricStatistic(mse), new MetricStatistic(r),
            new MetricStatistic(rho), new MetricStatistic(medae), new MetricStatistic(count));
    }

    /// <summary>Table-2 style cell "MSE / r", for example <c>"16.97 ± 0.50 / 0.744 ± 0.012"</c>.</summary>
    /// <param name="mseDecimals">Decimals for the MSE.</param>
    /// <param name="correlationDecimals">Decimals for Pearson r.</param>
    public string FormatMseAndPearson(int mseDecimals = 2, int correlationDecimals = 3)
        => Mse.Format(mseDecimals) + " / " + PearsonR.Format(correlationDecimals);

    /// <summary>All metrics on one line, invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"runs={RunCount} MSE={Mse.Format(2)} r={PearsonR.Format(3)} rho={SpearmanRho.Format(3)} MedAE={MedianAbsoluteError.Format(3)}");
}

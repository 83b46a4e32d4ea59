using System.Globalization;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Mean and sample standard deviation (n - 1 denominator) of one metric over several runs (seeds or folds),
/// formatted like the paper's Table 2: <c>"16.97 ± 0.50"</c>.
/// </summary>
public readonly record struct MetricStatistic
{
    /// <summary>Creates the statistic from the per-run values; non-finite values (for example NaN from an empty run) are skipped and counted in <see cref="SkippedCount"/>.</summary>
    /// <param name="values">One value per run.</param>
    public MetricStatistic(ReadOnlySpan<double> values)
    {
        int n = 0, skipped = 0;
        double sum = 0;
        foreach (double v in values)
        {
            if (!double.IsFinite(v)) { skipped++; continue; }
            sum += v;
            n++;
        }
        double mean = n == 0 ? double.NaN : sum / n;
        double ss = 0;
        foreach (double v in values)
            if (double.IsFinite(v)) ss += (v - mean) * (v - mean);
        Count = n;
        SkippedCount = skipped;
        Mean = mean;
        StandardDeviation = n < 2 ? double.NaN : Math.Sqrt(ss / (n - 1));
    }

    /// <summary>Number of finite values averaged.</summary>
    public int Count { get; }

    /// <summary>Number of non-finite values left out.</summary>
    public int SkippedCount { get; }

    /// <summary>Arithmetic mean of the finite values; NaN when there are none.</summary>
    public double Mean { get; }

    /// <summary>Sample standard deviation (n - 1 denominator); NaN with fewer than two values.</summary>
    public double StandardDeviation { get; }

    /// <summary>
    /// <c>"mean ± sd"</c> with <paramref name="decimals"/> digits after the point, invariant culture; just the mean
    /// when the standard deviation is undefined (fewer than two runs), <c>"NaN"</c> when there is no value.
    /// </summary>
    /// <param name="decimals">Digits after the decimal point (0-15).</param>
    public string Format(int decimals = 2)
    {
        if (decimals is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(decimals), decimals, "Use 0 to 15 decimals.");
        string f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        if (double.IsNaN(Mean)) return "NaN";
        string mean = Mean.ToString(f, CultureInfo.InvariantCulture);
        return double.IsNaN(StandardDeviation) ? mean : mean + " ± " + StandardDeviation.ToString(f, CultureInfo.InvariantCulture);
    }

    /// <summary><see cref="Format(int)"/> with 4 decimals; use <see cref="Format(int)"/> with the table's precision for reports.</summary>
    public override string ToString() => Format(4);
}

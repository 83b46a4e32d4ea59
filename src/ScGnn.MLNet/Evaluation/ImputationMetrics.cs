using System.Globalization;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Accuracy of imputed values against the true values of the entries that were masked by simulated dropout
/// (paper §3.2: MSE and Pearson correlation over the masked entries; the paper's Table 2 labels the Pearson
/// correlation "R2"). All sums are accumulated in <see cref="double"/>.
/// </summary>
public sealed class ImputationMetrics
{
    /// <summary>Creates a metrics record from already computed values.</summary>
    /// <param name="count">Number of entries scored.</param>
    /// <param name="mse">Mean squared error.</param>
    /// <param name="pearsonR">Pearson correlation coefficient.</param>
    /// <param name="spearmanRho">Spearman rank correlation (average ranks for ties).</param>
    /// <param name="medianAbsoluteError">Median of the absolute errors.</param>
    public ImputationMetrics(long count, double mse, double pearsonR, double spearmanRho, double medianAbsoluteError)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Count must be non-negative.");
        Count = count;
        Mse = mse;
        PearsonR = pearsonR;
        SpearmanRho = spearmanRho;
        MedianAbsoluteError = medianAbsoluteError;
    }

    /// <summary>Number of masked entries scored.</summary>
    public long Count { get; }

    /// <summary>Mean squared error, <c>sum((predicted - truth)^2) / Count</c>. <see cref="double.NaN"/> when <see cref="Count"/> is 0.</summary>
    public double Mse { get; }

    /// <summary>
    /// Pearson correlation between predicted and true values (what the paper's Table 2 calls R2; it is r, not r squared).
    /// <see cref="double.NaN"/> when fewer than two entries or either side is constant.
    /// </summary>
    public double PearsonR { get; }

    /// <summary>
    /// Spearman rank correlation: the Pearson correlation of the ranks, tied values sharing their average rank
    /// (as <c>scipy.stats.spearmanr</c>). <see cref="double.NaN"/> when fewer than two entries or either side is constant.
    /// </summary>
    public double SpearmanRho { get; }

    /// <summary>Median of <c>|predicted - truth|</c> (mean of the two middle values for an even count). <see cref="double.NaN"/> when empty.</summary>
    public double MedianAbsoluteError { get; }

    /// <summary>Metrics of an empty selection: count 0, every value <see cref="double.NaN"/>.</summary>
    public static ImputationMetrics Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// Computes the metrics of <paramref name="predicted"/> against <paramref name="truth"/>, entry by entry.
    /// </summary>
    /// <param name="predicted">Imputed values at the masked entries.</param>
    /// <param name="truth">True values at the same entries, in the same order.</param>
    /// <exception cref="ArgumentException">The spans differ in length or hold a non-finite value.</exception>
    public static ImputationMetrics Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth)
    {
        if (predicted.Length != truth.Length)
            throw new ArgumentException($"predicted has {predicted.Length} values but truth has {truth.Length}.", nameof(predicted));
        int n = predicted.Length;
        for (int i = 0; i < n; i++)
        {
            if (!float.IsFinite(predicted[i]))
                throw new ArgumentException($"predicted[{i}] is {predicted[i]}; values must be finite.", nameof(predicted));
            if (!float.IsFinite(truth[i]))
                throw new ArgumentException($"truth[{i}] is {truth[i]}; values must be finite.", nameof(truth));
        }
        if (n == 0) return Empty;

        // Two passes (means first) keep the correlation accurate when values are large relative to their spread.
        double sumP = 0, sumT = 0;
        for (int i = 0; i < n; i++)
        {
            sumP += predicted[i];
            sumT += truth[i];
        }
        double meanP = sumP / n, meanT = sumT / n;
        double sse = 0, spp = 0, stt = 0, spt = 0;
        var absErr = new double[n];
        for (int i = 0; i < n; i++)
        {
            double p = predicted[i], t = truth[i];
            double e = p - t;
            sse += e * e;
            absErr[i] = Math.Abs(e);
            double dp = p - meanP, dt = t - meanT;
            spp += dp * dp;
            stt += dt * dt;
            spt += dp * dt;
        }
        double pearson = Correlation(spp, stt, spt, n);
        double spearman = n < 2 ? double.NaN : PearsonOfRanks(AverageRanks(predicted), AverageRanks(truth));
        return new ImputationMetrics(n, sse / n, pearson, spearman, Median(absErr));
    }

    /// <summary>Formats the metrics on one line, invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={Count} MSE={Mse:G6} Pearson r={PearsonR:F4} Spearman rho={SpearmanRho:F4} MedAE={MedianAbsoluteError:G6}");

    private static double Correlation(double sxx, double syy, double sxy, int n)
    {
        if (n < 2 || sxx <= 0 || syy <= 0) return double.NaN;
        double r = sxy / Math.Sqrt(sxx * syy);
        return Math.Clamp(r, -1.0, 1.0);
    }

    private static double PearsonOfRanks(double[] a, double[] b)
    {
        int n = a.Length;
        // Both rank vectors have mean (n + 1) / 2 exactly.
        double mean = (n + 1) / 2.0;
        double saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - mean, db = b[i] - mean;
            saa += da * da;
            sbb += db * db;
            sab += da * db;
        }
        return Correlation(saa, sbb, sab, n);
    }

    /// <summary>1-based ranks; tied values get the average of the ranks they span.</summary>
    internal static double[] AverageRanks(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        var keys = values.ToArray();
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(keys, order);
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double rank = (start + 1 + end) / 2.0; // average of ranks start+1 .. end
            for (int k = start; k < end; k++) ranks[order[k]] = rank;
            start = end;
        }
        return ranks;
    }

    /// <summary>Median of the values (sorts the array in place).</summary>
    internal static double Median(double[] values)
    {
        int n = values.Length;
        if (n == 0) return double.NaN;
        Array.Sort(values);
        return (n & 1) == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    }
}

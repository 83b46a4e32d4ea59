using ScGnn.MLNet.Evaluation;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>A titled accuracy table (for example "masked entries"), printed on the console and in report.md.</summary>
internal sealed record AccuracySection(string Title, string Explanation, IReadOnlyList<AccuracyRow> Rows)
{
    /// <summary>Imputed values against the truth, next to the "leave zeros" baseline on the same entries.</summary>
    public static AccuracySection Create(string title, string explanation, float[] predicted, float[] truth)
    {
        var zeros = new float[truth.Length];
        return new AccuracySection(title, explanation, new[]
        {
            new AccuracyRow("leave zeros", ImputationMetrics.Compute(zeros, truth)),
            new AccuracyRow("ScGnn", ImputationMetrics.Compute(predicted, truth)),
        });
    }

    public long Count => Rows.Count == 0 ? 0 : Rows[0].Metrics.Count;

    public ConsoleTable Table()
    {
        var t = new ConsoleTable($"{Title} (n = {Fmt.N(Count)})", "MSE", "Pearson r", "Spearman", "median abs error");
        foreach (var r in Rows)
            t.Row(r.Method, Fmt.G(r.Metrics.Mse), Fmt.F(r.Metrics.PearsonR, 3), Fmt.F(r.Metrics.SpearmanRho, 3), Fmt.G(r.Metrics.MedianAbsoluteError));
        return t;
    }
}

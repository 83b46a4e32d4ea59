using System.Text.Json;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// The library's <see cref="ClusteringEvaluator"/> (one definition for every command) applied to several matrices of
/// the same cells against the same cell types. The first two rows are the main comparison (raw vs imputed, drawn as
/// the t-SNE pair); further pairs (for example the same comparison on the data with the evaluation mask) follow
/// below a rule.
/// </summary>
internal sealed record ClusteringComparison(IReadOnlyList<(string Name, ClusteringEvaluation Evaluation)> Rows)
{
    public ClusteringEvaluation Raw => Rows[0].Evaluation;

    public ClusteringEvaluation Imputed => Rows[1].Evaluation;

    /// <summary>Distinct labels (also k).</summary>
    public int ClassCount => Rows[0].Evaluation.LabelCount;

    /// <summary>
    /// What was clustered and how: the evaluator's own sentence for the first matrix (the same settings are used
    /// for every row; only the values differ).
    /// </summary>
    public string Description => Raw.Description;

    public static int CountClasses(IReadOnlyList<string> labels) => labels.Distinct(StringComparer.Ordinal).Count();

    /// <summary>Scores each named matrix (built lazily, one at a time) with the evaluator's defaults.</summary>
    public static ClusteringComparison Run(IReadOnlyList<(string Name, Func<ExpressionMatrix> Matrix)> matrices, IReadOnlyList<string> labels,
        ProgressReporter progress)
    {
        int k = CountClasses(labels);
        using var bar = progress.Start($"Clustering (KMeans k = {k} on PCA of log1p)", matrices.Count, "matrices");
        var rows = new List<(string, ClusteringEvaluation)>();
        foreach (var (name, matrix) in matrices)
        {
            rows.Add((name, ClusteringEvaluator.Evaluate(matrix(), labels)));
            bar.Report(rows.Count);
        }
        var result = new ClusteringComparison(rows);
        bar.Complete($"ARI {Fmt.F(result.Raw.AdjustedRandIndex.Mean, 3)} raw, {Fmt.F(result.Imputed.AdjustedRandIndex.Mean, 3)} imputed");
        return result;
    }

    public ConsoleTable Table()
    {
        static string P(MetricStatistic s) => Fmt.PlusMinus(s.Mean, s.StandardDeviation, 3);
        var t = new ConsoleTable($"clustering (KMeans k = {Raw.ClusterCount}, seeds {Raw.Runs[0].Seed}-{Raw.Runs[^1].Seed})", "silhouette", "ARI", "NMI");
        for (int r = 0; r < Rows.Count; r++)
        {
            if (r > 0 && r % 2 == 0) t.Rule();
            var e = Rows[r].Evaluation;
            t.Row(Rows[r].Name, Fmt.F(e.Silhouette.Score, 3), P(e.AdjustedRandIndex), P(e.NormalizedMutualInformation));
        }
        return t;
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartArray("clustering");
        foreach (var (name, e) in Rows)
        {
            w.WriteStartObject();
            w.WriteString("data", name);
            w.WriteString("method", e.Description);
            w.WriteNumber("silhouette", e.Silhouette.Score);
            Statistic(w, "adjustedRandIndex", e.AdjustedRandIndex);
            Statistic(w, "normalizedMutualInformation", e.NormalizedMutualInformation);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Statistic(Utf8JsonWriter w, string name, MetricStatistic s)
    {
        w.WriteStartObject(name);
        if (double.IsFinite(s.Mean)) w.WriteNumber("mean", s.Mean); else w.WriteNull("mean");
        if (double.IsFinite(s.StandardDeviation)) w.WriteNumber("sd", s.StandardDeviation); else w.WriteNull("sd");
        w.WriteNumber("runs", s.Count);
        w.WriteEndObject();
    }
}

using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Clustering scores of several matrices of the same cells against the same cell types. The first two rows are the
/// main comparison (raw vs imputed, drawn as the t-SNE pair); further pairs (for example the same comparison on the
/// data with the evaluation mask) follow below a rule.
/// </summary>
internal sealed record ClusteringComparison(int ClassCount, IReadOnlyList<(string Name, ClusteringOutcome Outcome)> Rows)
{
    public ClusteringOutcome Raw => Rows[0].Outcome;

    public ClusteringOutcome Imputed => Rows[1].Outcome;

    /// <summary>Scores each named matrix (built lazily, one at a time) with the same seed.</summary>
    public static ClusteringComparison Run(IReadOnlyList<(string Name, Func<ExpressionMatrix> Matrix)> matrices, IReadOnlyList<string> labels,
        int seed, ProgressReporter progress)
    {
        int k = ClusteringAnalysis.ClassCount(labels);
        using var bar = progress.Start($"KMeans (k = {k}), PCA, silhouette", matrices.Count, "matrices");
        var rows = new List<(string, ClusteringOutcome)>();
        foreach (var (name, matrix) in matrices)
        {
            rows.Add((name, ClusteringAnalysis.Run(matrix(), labels, seed)));
            bar.Report(rows.Count);
        }
        var result = new ClusteringComparison(k, rows);
        bar.Complete($"ARI {Fmt.F(result.Raw.AdjustedRandIndex, 3)} raw, {Fmt.F(result.Imputed.AdjustedRandIndex, 3)} imputed");
        return result;
    }

    public ConsoleTable Table()
    {
        var t = new ConsoleTable($"clustering (KMeans k = {ClassCount}, log1p)", "silhouette", "ARI", "NMI");
        for (int r = 0; r < Rows.Count; r++)
        {
            if (r > 0 && r % 2 == 0) t.Rule();
            var o = Rows[r].Outcome;
            t.Row(Rows[r].Name, Fmt.F(o.Silhouette, 3), Fmt.F(o.AdjustedRandIndex, 3), Fmt.F(o.NormalizedMutualInformation, 3));
        }
        return t;
    }
}

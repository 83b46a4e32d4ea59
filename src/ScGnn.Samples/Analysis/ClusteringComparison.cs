using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>Clustering scores of the raw (imputer input) and imputed matrices against the same cell types.</summary>
internal sealed record ClusteringComparison(int ClassCount, ClusteringOutcome Raw, ClusteringOutcome Imputed)
{
    public static ClusteringComparison Run(Func<ScGnn.MLNet.Data.ExpressionMatrix> raw, Func<ScGnn.MLNet.Data.ExpressionMatrix> imputed,
        IReadOnlyList<string> labels, int seed, ProgressReporter progress)
    {
        int k = ClusteringAnalysis.ClassCount(labels);
        using var step = progress.Step($"KMeans (k = {k}), PCA, silhouette");
        var r = ClusteringAnalysis.Run(raw(), labels, seed);
        var i = ClusteringAnalysis.Run(imputed(), labels, seed);
        step.Complete($"silhouette {Fmt.F(r.Silhouette, 3)} -> {Fmt.F(i.Silhouette, 3)}, ARI {Fmt.F(r.AdjustedRandIndex, 3)} -> {Fmt.F(i.AdjustedRandIndex, 3)}");
        return new ClusteringComparison(k, r, i);
    }

    public ConsoleTable Table()
    {
        var t = new ConsoleTable($"clustering (KMeans k = {ClassCount}, log1p)", "silhouette", "ARI", "NMI");
        t.Row("raw", Fmt.F(Raw.Silhouette, 3), Fmt.F(Raw.AdjustedRandIndex, 3), Fmt.F(Raw.NormalizedMutualInformation, 3));
        t.Row("imputed", Fmt.F(Imputed.Silhouette, 3), Fmt.F(Imputed.AdjustedRandIndex, 3), Fmt.F(Imputed.NormalizedMutualInformation, 3));
        return t;
    }
}

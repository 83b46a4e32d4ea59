using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Downstream check of an expression matrix against known cell types, all in ML.NET: log1p, KMeans with k = number
/// of cell types on the log1p values, PCA to 50 components; silhouette of the true types on the PCA embedding,
/// ARI and NMI of the KMeans clusters against the types.
/// </summary>
internal static class ClusteringAnalysis
{
    public const int MaxComponents = 50;

    public static int ClassCount(IReadOnlyList<string> labels) => labels.Distinct(StringComparer.Ordinal).Count();

    /// <summary>True when the labels allow the scores (2 to n - 1 classes).</summary>
    public static bool CanScore(IReadOnlyList<string> labels)
    {
        int k = ClassCount(labels);
        return k >= 2 && k < labels.Count;
    }

    public static ClusteringOutcome Run(ExpressionMatrix matrix, IReadOnlyList<string> labels, int seed)
    {
        if (labels.Count != matrix.CellCount)
            throw new ArgumentException($"{labels.Count} labels for {matrix.CellCount} cells.");
        var ml = new MLContext(seed);
        var data = matrix.ToDataView("Values");
        int k = ClassCount(labels);
        int rank = Math.Max(1, Math.Min(MaxComponents, Math.Min(matrix.GeneCount - 1, matrix.CellCount - 1)));
        var pipeline = ml.Transforms.Log1p("Log1p", "Values")
            .Append(ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
            {
                FeatureColumnName = "Log1p",
                NumberOfClusters = k,
                // One thread: the same seed gives the same clusters on any machine.
                NumberOfThreads = 1,
            }))
            .Append(ml.Transforms.ProjectToPrincipalComponents("Pca", "Log1p", rank: rank, seed: seed));
        var scored = pipeline.Fit(data).Transform(data);
        var clusters = DataViewColumns.ReadKeys(scored, "PredictedLabel");
        var pca = DataViewColumns.ReadDense(scored, "Pca", out int dims);
        double silhouette = ClusteringScores.Silhouette(pca, dims, labels).Score;
        return new ClusteringOutcome(silhouette,
            ClusteringScores.AdjustedRandIndex(labels, clusters),
            ClusteringScores.NormalizedMutualInformation(labels, clusters),
            pca, dims, clusters);
    }
}

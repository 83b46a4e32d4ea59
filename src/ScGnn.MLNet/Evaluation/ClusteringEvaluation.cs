using System.Globalization;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Result of <see cref="ClusteringEvaluator"/>: how well KMeans on an expression matrix recovers known labels (ARI,
/// NMI; mean and sd over seeds), and how well the labels separate in the PCA embedding (silhouette), with what was
/// clustered stated in <see cref="Description"/>.
/// </summary>
public sealed class ClusteringEvaluation
{
    internal ClusteringEvaluation(int cellCount, int geneCount, bool log1p, int componentCount, int clusterCount, int labelCount,
        int initializationCount, IReadOnlyList<ClusteringRun> runs, SilhouetteResult silhouette, float[] embedding)
    {
        CellCount = cellCount;
        GeneCount = geneCount;
        Log1p = log1p;
        ComponentCount = componentCount;
        ClusterCount = clusterCount;
        LabelCount = labelCount;
        InitializationCount = initializationCount;
        Runs = runs;
        Silhouette = silhouette;
        Embedding = embedding;
        AdjustedRandIndex = new MetricStatistic(runs.Select(r => r.AdjustedRandIndex).ToArray());
        NormalizedMutualInformation = new MetricStatistic(runs.Select(r => r.NormalizedMutualInformation).ToArray());
    }

    /// <summary>Cells clustered.</summary>
    public int CellCount { get; }

    /// <summary>Genes (slots) of the expression values.</summary>
    public int GeneCount { get; }

    /// <summary>Whether <c>log(1 + x)</c> was applied before the PCA.</summary>
    public bool Log1p { get; }

    /// <summary>Principal components of the embedding (50, or fewer for small data).</summary>
    public int ComponentCount { get; }

    /// <summary>KMeans clusters (k).</summary>
    public int ClusterCount { get; }

    /// <summary>Distinct labels.</summary>
    public int LabelCount { get; }

    /// <summary>KMeans initialisations per seed.</summary>
    public int InitializationCount { get; }

    /// <summary>One entry per KMeans seed, in seed order.</summary>
    public IReadOnlyList<ClusteringRun> Runs { get; }

    /// <summary>ARI of the KMeans clusters against the labels: mean and sd (n - 1) over the seeds.</summary>
    public MetricStatistic AdjustedRandIndex { get; }

    /// <summary>NMI (arithmetic normalization, as scikit-learn) of the KMeans clusters against the labels, over the seeds.</summary>
    public MetricStatistic NormalizedMutualInformation { get; }

    /// <summary>Silhouette (Euclidean) of the true labels on the PCA embedding; it does not depend on the seeds.</summary>
    public SilhouetteResult Silhouette { get; }

    /// <summary>The PCA embedding, row-major <see cref="CellCount"/> x <see cref="ComponentCount"/> (scores: centred data times the loadings).</summary>
    public IReadOnlyList<float> Embedding { get; }

    /// <summary>What was clustered and how, in one sentence.</summary>
    public string Description
    {
        get
        {
            int first = Runs[0].Seed, last = Runs[^1].Seed;
            string seeds = first == last ? $"seed {first}" : $"seeds {first}-{last}";
            return string.Create(CultureInfo.InvariantCulture,
                $"KMeans (k = {ClusterCount}, best inertia of {InitializationCount} k-means++ initialisations, {seeds}) on an exact PCA " +
                $"({ComponentCount} components) of {(Log1p ? "log1p of the values" : "the values")}, {CellCount:N0} cells x {GeneCount:N0} genes; " +
                $"ARI and NMI (arithmetic) against {LabelCount} labels; silhouette of the labels on the PCA embedding.");
        }
    }

    /// <summary>ARI / NMI means and the silhouette with three decimals.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ARI {AdjustedRandIndex.Mean:F3}, NMI {NormalizedMutualInformation.Mean:F3}, silhouette {Silhouette.Score:F3}");
}

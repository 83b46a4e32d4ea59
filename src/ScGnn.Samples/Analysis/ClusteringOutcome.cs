namespace ScGnn.Samples.Analysis;

/// <summary>KMeans and silhouette results for one matrix (raw or imputed) against known cell types.</summary>
/// <param name="Silhouette">Silhouette of the known cell types on the PCA embedding (Euclidean).</param>
/// <param name="AdjustedRandIndex">ARI of the KMeans clusters against the cell types.</param>
/// <param name="NormalizedMutualInformation">NMI (arithmetic mean normalization, as scikit-learn) of the clusters against the cell types.</param>
/// <param name="Pca">Row-major cells x <paramref name="PcaDimensions"/> embedding of log1p values.</param>
/// <param name="PcaDimensions">Components kept.</param>
/// <param name="Clusters">KMeans cluster id (1-based key) of each cell.</param>
internal sealed record ClusteringOutcome(double Silhouette, double AdjustedRandIndex, double NormalizedMutualInformation,
    float[] Pca, int PcaDimensions, uint[] Clusters);

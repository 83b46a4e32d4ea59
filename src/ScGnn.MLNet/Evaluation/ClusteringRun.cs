namespace ScGnn.MLNet.Evaluation;

/// <summary>One KMeans seed of a <see cref="ClusteringEvaluation"/>: the best of its initialisations.</summary>
/// <param name="Seed">The seed of this run's initialisations.</param>
/// <param name="AdjustedRandIndex">ARI of the clusters against the labels.</param>
/// <param name="NormalizedMutualInformation">NMI (arithmetic mean of the entropies) of the clusters against the labels.</param>
/// <param name="Inertia">Sum of squared distances of the cells to their cluster centre, in the PCA embedding.</param>
/// <param name="Iterations">Lloyd iterations of the kept initialisation.</param>
/// <param name="Clusters">Cluster of each cell, 0 to k - 1, in row order.</param>
public sealed record ClusteringRun(int Seed, double AdjustedRandIndex, double NormalizedMutualInformation, double Inertia,
    int Iterations, IReadOnlyList<int> Clusters);

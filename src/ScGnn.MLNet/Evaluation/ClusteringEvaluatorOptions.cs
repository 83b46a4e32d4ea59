namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Options of <see cref="ClusteringEvaluator"/>: log1p, an exact PCA, and KMeans (k-means++ initialisation, Lloyd
/// iterations, best inertia of several initialisations) over several seeds, as scikit-learn's
/// <c>KMeans(n_clusters=k, n_init=10)</c> on <c>PCA(50, svd_solver="full")</c> of <c>log1p(x)</c>.
/// </summary>
public sealed class ClusteringEvaluatorOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Apply <c>log(1 + x)</c> to the expression values before the PCA.</summary>
        public const bool Log1p = true;

        /// <summary>Principal components kept (fewer when the data has fewer cells - 1 or genes).</summary>
        public const int ComponentCount = 50;

        /// <summary>KMeans initialisations per seed; the one with the lowest inertia is kept (scikit-learn's <c>n_init</c>).</summary>
        public const int InitializationCount = 10;

        /// <summary>Lloyd iterations per initialisation at most (scikit-learn's <c>max_iter</c>).</summary>
        public const int MaximumIterations = 300;

        /// <summary>
        /// Convergence: the squared centre shift of an iteration, summed over centres, at most this times the mean
        /// per-component variance of the embedding (scikit-learn's <c>tol</c>).
        /// </summary>
        public const double Tolerance = 1e-4;

        /// <summary>First KMeans seed; seeds are <c>FirstSeed, FirstSeed + 1, ...</c>.</summary>
        public const int FirstSeed = 1;

        /// <summary>Number of KMeans seeds whose ARI and NMI are averaged.</summary>
        public const int SeedCount = 5;
    }

    /// <summary>Apply <c>log(1 + x)</c> first; turn off for data that is already on a log scale.</summary>
    public bool Log1p { get; set; } = Defaults.Log1p;

    /// <summary>Principal components of the embedding that KMeans and the silhouette see.</summary>
    public int ComponentCount { get; set; } = Defaults.ComponentCount;

    /// <summary>Number of clusters; <c>null</c> for the number of distinct labels.</summary>
    public int? ClusterCount { get; set; }

    /// <summary>KMeans initialisations per seed (best inertia kept).</summary>
    public int InitializationCount { get; set; } = Defaults.InitializationCount;

    /// <summary>Lloyd iterations per initialisation at most.</summary>
    public int MaximumIterations { get; set; } = Defaults.MaximumIterations;

    /// <summary>Relative convergence tolerance (see <see cref="Defaults.Tolerance"/>).</summary>
    public double Tolerance { get; set; } = Defaults.Tolerance;

    /// <summary>First KMeans seed.</summary>
    public int FirstSeed { get; set; } = Defaults.FirstSeed;

    /// <summary>Number of KMeans seeds.</summary>
    public int SeedCount { get; set; } = Defaults.SeedCount;

    /// <summary>How the silhouette of the labels is computed (exact up to 30,000 cells by default).</summary>
    public SilhouetteOptions Silhouette { get; set; } = new();

    internal void Validate()
    {
        if (ComponentCount < 1)
            throw new ArgumentOutOfRangeException(nameof(ComponentCount), ComponentCount, "ComponentCount must be at least 1.");
        if (ClusterCount is < 2)
            throw new ArgumentOutOfRangeException(nameof(ClusterCount), ClusterCount, "ClusterCount must be at least 2 (or null for the number of labels).");
        if (InitializationCount < 1)
            throw new ArgumentOutOfRangeException(nameof(InitializationCount), InitializationCount, "InitializationCount must be at least 1.");
        if (MaximumIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaximumIterations), MaximumIterations, "MaximumIterations must be at least 1.");
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and non-negative.");
        if (SeedCount < 1)
            throw new ArgumentOutOfRangeException(nameof(SeedCount), SeedCount, "SeedCount must be at least 1.");
        if ((long)FirstSeed + SeedCount - 1 > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(FirstSeed), FirstSeed, "FirstSeed + SeedCount - 1 must fit in an int.");
        ArgumentNullException.ThrowIfNull(Silhouette, nameof(Silhouette));
        Silhouette.Validate();
    }
}

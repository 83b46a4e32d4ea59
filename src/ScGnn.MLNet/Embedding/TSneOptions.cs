namespace ScGnn.MLNet.Embedding;

/// <summary>
/// Options of <see cref="TSne"/>. Defaults follow scikit-learn 1.2+ and openTSNE: perplexity 30, 1000 iterations, early
/// exaggeration 12 for the first 250, learning rate <c>max(n / early_exaggeration / 4, 50)</c>, PCA initialization,
/// Barnes-Hut with theta 0.5.
/// </summary>
public sealed class TSneOptions
{
    /// <summary>Default values (the source of truth).</summary>
    public static class Defaults
    {
        /// <summary>Perplexity, the effective number of neighbours of each point.</summary>
        public const double Perplexity = 30;

        /// <summary>Total gradient-descent iterations, early exaggeration included.</summary>
        public const int Iterations = 1000;

        /// <summary>Factor on the input affinities during the first phase.</summary>
        public const double EarlyExaggeration = 12;

        /// <summary>Iterations of the early-exaggeration phase (momentum 0.5; 0.8 afterwards).</summary>
        public const int EarlyExaggerationIterations = 250;

        /// <summary>Barnes-Hut accuracy: a cell is summarized when its width / distance is below theta.</summary>
        public const double Theta = 0.5;

        /// <summary>Largest point count that <see cref="TSneMethod.Auto"/> embeds exactly.</summary>
        public const int ExactMaxCount = 500;

        /// <summary>Default method: exact for small inputs, Barnes-Hut otherwise.</summary>
        public const TSneMethod Method = TSneMethod.Auto;

        /// <summary>Default starting layout.</summary>
        public const TSneInitialization Initialization = TSneInitialization.Pca;

        /// <summary>Seed of the random parts (random initialization, PCA start vectors).</summary>
        public const int Seed = 1;

        /// <summary>Iterations between progress reports.</summary>
        public const int ProgressInterval = 50;
    }

    /// <summary>Perplexity (effective neighbour count); must be below the number of points.</summary>
    public double Perplexity { get; set; } = Defaults.Perplexity;

    /// <summary>Total iterations, including <see cref="EarlyExaggerationIterations"/>.</summary>
    public int Iterations { get; set; } = Defaults.Iterations;

    /// <summary>Factor on the input affinities during the first <see cref="EarlyExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; set; } = Defaults.EarlyExaggeration;

    /// <summary>Length of the early-exaggeration phase.</summary>
    public int EarlyExaggerationIterations { get; set; } = Defaults.EarlyExaggerationIterations;

    /// <summary>
    /// Gradient-descent learning rate; <c>null</c> (default) for scikit-learn's automatic
    /// <c>max(n / EarlyExaggeration / 4, 50)</c> (Belkina et al. 2019, with scikit-learn's factor 4 on the gradient).
    /// </summary>
    public double? LearningRate { get; set; }

    /// <summary>Barnes-Hut accuracy in [0, 1]; 0 makes the tree exact (slow).</summary>
    public double Theta { get; set; } = Defaults.Theta;

    /// <summary>Exact, Barnes-Hut, or chosen by the point count.</summary>
    public TSneMethod Method { get; set; } = Defaults.Method;

    /// <summary>Largest point count that <see cref="TSneMethod.Auto"/> embeds exactly.</summary>
    public int ExactMaxCount { get; set; } = Defaults.ExactMaxCount;

    /// <summary>Starting positions.</summary>
    public TSneInitialization Initialization { get; set; } = Defaults.Initialization;

    /// <summary>Seed; the same seed, input and options give the same embedding, whatever the number of threads.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>Maximum threads used; -1 (default) for all cores.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>Called every <see cref="ProgressInterval"/> iterations and after the last one; <c>null</c> for none.</summary>
    public Action<TSneProgress>? Progress { get; set; }

    /// <summary>Iterations between progress reports.</summary>
    public int ProgressInterval { get; set; } = Defaults.ProgressInterval;

    internal TSneOptions Clone() => (TSneOptions)MemberwiseClone();

    internal void Validate()
    {
        if (!(Perplexity > 0) || double.IsInfinity(Perplexity))
            throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "Perplexity must be positive and finite.");
        if (Iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be at least 1.");
        if (!(EarlyExaggeration >= 1) || double.IsInfinity(EarlyExaggeration))
            throw new ArgumentOutOfRangeException(nameof(EarlyExaggeration), EarlyExaggeration, "EarlyExaggeration must be at least 1.");
        if (EarlyExaggerationIterations < 0 || EarlyExaggerationIterations > Iterations)
            throw new ArgumentOutOfRangeException(nameof(EarlyExaggerationIterations), EarlyExaggerationIterations,
                $"EarlyExaggerationIterations must be between 0 and Iterations ({Iterations}).");
        if (LearningRate is { } lr && (!(lr > 0) || double.IsInfinity(lr)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), lr, "LearningRate must be positive and finite, or null for automatic.");
        if (!(Theta >= 0 && Theta <= 1))
            throw new ArgumentOutOfRangeException(nameof(Theta), Theta, "Theta must be in [0, 1].");
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown t-SNE method.");
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
        if (ExactMaxCount < 0)
            throw new ArgumentOutOfRangeException(nameof(ExactMaxCount), ExactMaxCount, "ExactMaxCount must be non-negative.");
        if (MaxDegreeOfParallelism == 0 || MaxDegreeOfParallelism < -1)
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "Use -1 or a positive thread count.");
        if (ProgressInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, "ProgressInterval must be at least 1.");
    }
}

namespace ScGnn.MLNet.Embedding;

/// <summary>Starting positions of the t-SNE embedding.</summary>
public enum TSneInitialization
{
    /// <summary>
    /// The first two principal components of the input, scaled so that the first has standard deviation 1e-4
    /// (scikit-learn's default since 1.2; also openTSNE's). Keeps the global layout more stable than random starts.
    /// </summary>
    Pca = 0,

    /// <summary>Independent normal draws with standard deviation 1e-4 from the seeded generator.</summary>
    Random = 1,
}

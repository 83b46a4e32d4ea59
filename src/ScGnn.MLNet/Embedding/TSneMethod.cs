namespace ScGnn.MLNet.Embedding;

/// <summary>How <see cref="TSne"/> computes affinities and gradients.</summary>
public enum TSneMethod
{
    /// <summary>Exact for at most <see cref="TSneOptions.ExactMaxCount"/> points, Barnes-Hut above.</summary>
    Auto = 0,

    /// <summary>
    /// Input affinities over all pairs and the exact gradient (scikit-learn's <c>method="exact"</c>): O(n^2) time per
    /// iteration and O(n^2) memory. For small data and for checking the approximation.
    /// </summary>
    Exact = 1,

    /// <summary>
    /// Input affinities over the <c>3 * perplexity</c> nearest neighbours and the Barnes-Hut approximation of the
    /// repulsive forces on a quadtree (van der Maaten 2014; scikit-learn's default): O(n log n) per iteration.
    /// </summary>
    BarnesHut = 2,
}

namespace ScGnn.MLNet.Evaluation;

/// <summary>How <see cref="ClusteringScores"/> computes the silhouette score.</summary>
public enum SilhouetteMethod
{
    /// <summary>Exact up to <see cref="SilhouetteOptions.ExactMaxCount"/> cells, sampled beyond.</summary>
    Auto = 0,

    /// <summary>Every cell's silhouette against every other cell: O(n^2 d) time, O(n) memory.</summary>
    Exact = 1,

    /// <summary>
    /// The mean silhouette of a seeded uniform sample of <see cref="SilhouetteOptions.SampleSize"/> cells, each computed
    /// exactly against all cells: O(m n d). Unlike scikit-learn's <c>sample_size</c>, which also drops the other cells
    /// from the distance sums, this is an unbiased estimate of the exact score.
    /// </summary>
    Sampled = 2,
}

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Denominator of the normalized mutual information <c>I(U; V) / norm</c>, with <c>U</c> the true labels and <c>V</c>
/// the predicted clusters (entropies in nats; the base cancels).
/// </summary>
public enum NmiNormalization
{
    /// <summary><c>(H(U) + H(V)) / 2</c>: scikit-learn's default (<c>average_method="arithmetic"</c>); symmetric.</summary>
    Arithmetic = 0,

    /// <summary><c>sqrt(H(U) H(V))</c>: scikit-learn's <c>"geometric"</c> (its default before 0.22).</summary>
    Geometric = 1,

    /// <summary><c>min(H(U), H(V))</c>.</summary>
    Min = 2,

    /// <summary><c>max(H(U), H(V))</c>.</summary>
    Max = 3,

    /// <summary>
    /// <c>H(U)</c>, the entropy of the true labels only: what ML.NET's clustering evaluator reports as NMI
    /// (<c>Microsoft.ML.Data.ClusteringMetrics.NormalizedMutualInformation</c>). Not symmetric: splitting every true class into
    /// several clusters still scores 1.
    /// </summary>
    TrueLabelEntropy = 4,
}

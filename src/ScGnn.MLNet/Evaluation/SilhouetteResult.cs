using System.Globalization;

namespace ScGnn.MLNet.Evaluation;

/// <summary>Mean silhouette coefficient of a labelled embedding (Rousseeuw 1987; as <c>sklearn.metrics.silhouette_score</c>, Euclidean).</summary>
/// <param name="Score">Mean of <c>s(i) = (b - a) / max(a, b)</c> over the evaluated cells, in [-1, 1]; cells alone in their cluster count as 0.</param>
/// <param name="IsExact">True when every cell was evaluated.</param>
/// <param name="EvaluatedCount">Number of cells whose silhouette was averaged.</param>
/// <param name="CellCount">Number of cells in the embedding.</param>
/// <param name="ClusterCount">Number of distinct labels.</param>
/// <param name="StandardError">Standard error of a sampled estimate (with the finite-population correction); 0 when exact.</param>
public sealed record SilhouetteResult(double Score, bool IsExact, int EvaluatedCount, int CellCount, int ClusterCount, double StandardError)
{
    /// <summary>The score with three decimals, and the standard error when sampled.</summary>
    public override string ToString() => IsExact
        ? Score.ToString("F3", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Score:F3} (sampled {EvaluatedCount} of {CellCount}, se {StandardError:F3})");
}

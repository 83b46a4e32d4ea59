using System.Globalization;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// The values SCGNN can be trained on: finite, non-negative, and at most <see cref="MaxValue"/>. The trainer checks
/// its whole input before any work (graph, network) and names the first bad entry's cell and gene, because a single
/// negative value turns log1p into NaN and a huge one overflows the single-precision squared-error loss; either
/// way training would silently produce NaN or infinite imputations.
/// </summary>
internal static class ExpressionValueCheck
{
    /// <summary>
    /// Largest accepted value. The count-scale loss squares errors and sums them in single precision: 1e12 squared
    /// is 1e24, so even 2^31 such entries stay below float's 3.4e38, while raw counts, CPM and TPM stay below 1e7.
    /// </summary>
    internal const float MaxValue = 1e12f;

    /// <summary>Throws when a stored value of <paramref name="matrix"/> cannot be trained on.</summary>
    /// <param name="matrix">Cells x genes input, as read from the input column.</param>
    /// <param name="columnName">The input column's name, for the message.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative, NaN, infinite or above <see cref="MaxValue"/>.</exception>
    internal static void Check(ExpressionMatrix matrix, string columnName)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var rowPointers = matrix.RowPointers;
        var indices = matrix.ColumnIndices;
        var values = matrix.Values;
        for (int cell = 0; cell < matrix.CellCount; cell++)
        {
            for (int k = rowPointers[cell]; k < rowPointers[cell + 1]; k++)
            {
                float v = values[k];
                if (v >= 0 && v <= MaxValue) continue; // NaN fails both comparisons
                string shown = v.ToString("R", CultureInfo.InvariantCulture);
                string problem = float.IsNaN(v) ? "is NaN"
                    : float.IsInfinity(v) ? $"is infinite ({shown})"
                    : v < 0 ? $"{shown} is negative; SCGNN imputes non-negative expression (counts or normalized counts), so undo any centering or scaling first"
                    : $"{shown} is larger than {MaxValue.ToString("G", CultureInfo.InvariantCulture)}, beyond what single-precision training can fit without overflow; rescale the data (e.g. normalize library sizes)";
                throw new ArgumentOutOfRangeException("input",
                    $"Column '{columnName}', cell '{matrix.CellIds[cell]}' (row {cell + 1}), gene '{matrix.GeneIds[indices[k]]}' (slot {indices[k]}): value {problem}.");
            }
        }
    }
}

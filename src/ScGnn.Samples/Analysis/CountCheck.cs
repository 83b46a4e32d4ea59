using System.Globalization;
using ScGnn.MLNet.Data;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Whether an input holds the raw counts that gene selection (variance/(1+mean)) and median normalization expect.
/// scanpy's processed files usually keep log-normalized values in <c>X</c> and the counts in a layer or in
/// <c>raw</c>: read as they are, they would be normalized twice without a word.
/// </summary>
internal static class CountCheck
{
    /// <summary>Largest value of a non-integer matrix that is called log-transformed: log1p of 1e4-scaled counts stays below 10.</summary>
    internal const float LogScaleMaximum = 20;

    /// <summary>
    /// A warning when a stored value is not a whole number: it names the first such entry (cell, gene, value), the
    /// largest value, the other matrices of an .h5ad file with the options that read them, and
    /// <paramref name="alreadyNormalized"/> (what to pass when the values are meant as they are); null for counts.
    /// </summary>
    public static string? Warning(InputData data, InputReading reading, string? alreadyNormalized)
    {
        var m = data.Matrix;
        var values = m.Values;
        int first = -1;
        float max = 0;
        for (int q = 0; q < values.Length; q++)
        {
            float v = values[q];
            if (v > max) max = v;
            if (first < 0 && v != MathF.Round(v)) first = q;
        }
        if (first < 0) return null;
        var rows = m.RowPointers;
        int cell = FindRow(rows, first);
        string gene = m.GeneIds[m.ColumnIndices[first]];
        bool h5ad = ExpressionFile.DetectReadFormat(reading.Path) == ExpressionFileFormat.H5ad;
        string matrix = h5ad ? reading.H5adMatrix : "the input";
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{reading.Path}: {matrix} holds values that are not whole numbers (cell '{m.CellIds[cell]}', gene '{gene}': {values[first]:G5}; largest {max:G5}" +
            $"{(max <= LogScaleMaximum ? ", as log-transformed values are" : "")}), but gene selection and median normalization expect raw counts.");
        if (h5ad)
        {
            var others = H5adReader.MatrixPaths(reading.Path).Where(p => p != matrix).ToArray();
            if (others.Length > 0)
                text += $" The file also holds {string.Join(", ", others.Select(InputData.Described))}: read the counts from {(others.Length == 1 ? "there" : "one of them")} if {(others.Length == 1 ? "it has" : "one has")} them.";
        }
        if (alreadyNormalized is not null) text += " " + alreadyNormalized;
        return text;
    }

    // The row whose range [rows[i], rows[i + 1]) holds position q: the last row starting at or before q (an empty row
    // before it starts there too, but is not the last).
    private static int FindRow(ReadOnlySpan<int> rows, int q)
    {
        int lo = 0, hi = rows.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (rows[mid] <= q) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}

using System.Globalization;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Malformed expression input (10x MatrixMarket, CSV/TSV, Parquet, cell-label TSV). The message names the file,
/// the line (1-based, counting every physical line of the decompressed text, comments included), the column where
/// one applies, and the problem, for example
/// <c>/data/pbmc/matrix.mtx.gz, line 1234, column 9: value '-3' is negative; counts must be non-negative.</c>
/// </summary>
public sealed class ExpressionFormatException : FormatException
{
    /// <summary>Creates the exception for a problem at a place in a file.</summary>
    /// <param name="filePath">The file that holds the problem.</param>
    /// <param name="lineNumber">1-based line number, or <c>null</c> when the problem is not on one line.</param>
    /// <param name="column">1-based character column (text) or column position, or <c>null</c>.</param>
    /// <param name="problem">What is wrong, as a sentence.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public ExpressionFormatException(string filePath, long? lineNumber, int? column, string problem, Exception? innerException = null)
        : base(Compose(filePath, lineNumber, column, problem), innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file that holds the problem.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number of the problem, or <c>null</c> when it is not tied to one line.</summary>
    public long? LineNumber { get; }

    /// <summary>1-based column (character position in the line, or field position), or <c>null</c>.</summary>
    public int? Column { get; }

    /// <summary>The problem, without the file and line prefix.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, long? line, int? column, string problem)
    {
        var place = filePath;
        if (line is not null) place += ", line " + line.Value.ToString(CultureInfo.InvariantCulture);
        if (column is not null) place += ", column " + column.Value.ToString(CultureInfo.InvariantCulture);
        return place + ": " + problem;
    }
}

namespace ScGnn.MLNet.Data;

/// <summary>Options for reading and writing cells x genes delimited text (<see cref="ExpressionTextReader"/>, <see cref="ExpressionTextWriter"/>).</summary>
public sealed class ExpressionTextOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="ExpressionTextOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Field separator: comma (CSV).</summary>
        public const char Separator = ',';

        /// <summary>Negative values are rejected: expression values (counts, normalized counts) are non-negative.</summary>
        public const bool AllowNegativeValues = false;

        /// <summary>Header of the first (cell id) column when writing.</summary>
        public const string CellIdHeader = "cell";
    }

    /// <summary>Field separator, for example ',' (CSV) or '\t' (TSV). Must not be a quote, a letter, a digit, or part of a number.</summary>
    public char Separator { get; set; } = Defaults.Separator;

    /// <summary>When false (default), a negative value is an error that names the file, line and column.</summary>
    public bool AllowNegativeValues { get; set; } = Defaults.AllowNegativeValues;

    /// <summary>Header of the first (cell id) column when writing (default <c>cell</c>); any header is accepted when reading.</summary>
    public string CellIdHeader { get; set; } = Defaults.CellIdHeader;

    /// <inheritdoc/>
    protected internal override void Validate()
    {
        base.Validate();
        if (Separator > 127 || Separator == '"' || Separator == '\n' || Separator == '\r' || char.IsLetterOrDigit(Separator) ||
            Separator is '.' or '-' or '+')
            throw new ArgumentException($"Separator '{Separator}' is not usable: choose an ASCII character such as ',' or '\\t' that is not a quote, letter, digit, '.', '+' or '-'.", nameof(Separator));
        ArgumentNullException.ThrowIfNull(CellIdHeader, nameof(CellIdHeader));
    }
}

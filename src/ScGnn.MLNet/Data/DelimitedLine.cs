namespace ScGnn.MLNet.Data;

/// <summary>
/// Splits one delimited line into fields, honouring RFC 4180 quotes (<c>"a,b"</c>, <c>""</c> for a quote) within
/// the line. Quoted fields that span lines are not supported and are reported.
/// </summary>
internal ref struct DelimitedLine
{
    private readonly ReadOnlySpan<byte> _line;
    private readonly byte _separator;
    private readonly string _path;
    private readonly long _lineNumber;
    private int _pos;
    private bool _done;

    public DelimitedLine(ReadOnlySpan<byte> line, byte separator, string path, long lineNumber)
    {
        _line = line;
        _separator = separator;
        _path = path;
        _lineNumber = lineNumber;
        _pos = 0;
        _done = false;
        FieldNumber = 0;
    }

    /// <summary>1-based number of the field last returned.</summary>
    public int FieldNumber { get; private set; }

    /// <summary>1-based character (byte) column where the field last returned starts.</summary>
    public int FieldColumn { get; private set; }

    /// <summary>
    /// Returns the next field's raw content (quotes removed; <paramref name="escaped"/> tells whether it holds
    /// doubled quotes that <see cref="Text"/> must collapse), or false after the last field.
    /// </summary>
    public bool Next(out ReadOnlySpan<byte> field, out bool escaped)
    {
        escaped = false;
        if (_done) { field = default; return false; }
        FieldNumber++;
        FieldColumn = _pos + 1;
        var rest = _line[_pos..];
        if (!rest.IsEmpty && rest[0] == (byte)'"')
        {
            int i = 1;
            while (true)
            {
                int q = rest[i..].IndexOf((byte)'"');
                if (q < 0)
                    throw new ExpressionFormatException(_path, _lineNumber, FieldColumn,
                        "unterminated quoted field (quoted fields that span lines are not supported).");
                i += q;
                if (i + 1 < rest.Length && rest[i + 1] == (byte)'"') { escaped = true; i += 2; continue; }
                break;
            }
            field = rest[1..i];
            int after = i + 1;
            if (after == rest.Length) _done = true;
            else if (rest[after] == _separator) _pos += after + 1;
            else
                throw new ExpressionFormatException(_path, _lineNumber, _pos + after + 1,
                    "unexpected character after a closing quote; expected the separator or the end of the line.");
            return true;
        }
        int k = rest.IndexOf(_separator);
        if (k < 0) { field = rest; _done = true; }
        else { field = rest[..k]; _pos += k + 1; }
        return true;
    }

    /// <summary>
    /// Decodes the field last returned to a string (strict UTF-8: invalid bytes are an error naming this line and
    /// column), collapsing doubled quotes when <paramref name="escaped"/>.
    /// </summary>
    public readonly string Text(ReadOnlySpan<byte> field, bool escaped, string what)
    {
        var s = Utf8Fields.DecodeStrict(field, _path, _lineNumber, FieldColumn, what);
        return escaped ? s.Replace("\"\"", "\"", StringComparison.Ordinal) : s;
    }

    /// <summary>Whether a value must be quoted when written with this separator.</summary>
    public static bool NeedsQuotes(string value, char separator) =>
        value.AsSpan().IndexOfAny(separator, '"', '\n') >= 0 || value.Contains('\r') ||
        (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '));

    /// <summary>Quotes a value, doubling inner quotes.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

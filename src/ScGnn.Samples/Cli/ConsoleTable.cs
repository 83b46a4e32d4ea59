using System.Text;

namespace ScGnn.Samples.Cli;

/// <summary>A plain text table: the first column left-aligned, the others right-aligned; rows of "-" draw a rule.</summary>
internal sealed class ConsoleTable
{
    private readonly string[] _header;
    private readonly List<string[]?> _rows = new();

    public ConsoleTable(params string[] header) => _header = header;

    public ConsoleTable Row(params string[] cells)
    {
        if (cells.Length != _header.Length) throw new ArgumentException($"Row has {cells.Length} cells; the table has {_header.Length} columns.");
        _rows.Add(cells);
        return this;
    }

    public ConsoleTable Rule()
    {
        _rows.Add(null);
        return this;
    }

    public override string ToString()
    {
        var widths = _header.Select(h => h.Length).ToArray();
        foreach (var row in _rows.OfType<string[]>())
            for (int c = 0; c < row.Length; c++) widths[c] = Math.Max(widths[c], row[c].Length);
        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            sb.Append("  ");
            for (int c = 0; c < cells.Length; c++)
            {
                if (c > 0) sb.Append("  ");
                sb.Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
            }
            sb.Append('\n');
        }
        string rule = "  " + new string('-', widths.Sum() + 2 * (widths.Length - 1)) + "\n";
        Line(_header);
        sb.Append(rule);
        foreach (var row in _rows)
        {
            if (row is null) sb.Append(rule);
            else Line(row);
        }
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>The same table as GitHub markdown.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").Append(string.Join(" | ", _header)).Append(" |\n");
        sb.Append("|").Append(string.Join("|", _header.Select((_, i) => i == 0 ? "---" : "---:"))).Append("|\n");
        foreach (var row in _rows.OfType<string[]>())
            sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        return sb.ToString();
    }
}

using System.Text;
using Spectre.Console;

namespace ScGnn.Samples.Cli;

/// <summary>
/// A table of the app's results: drawn on the console by Spectre.Console (first column left-aligned, the others
/// right-aligned; a rule separates groups of rows) and written into report.md as GitHub markdown.
/// </summary>
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

    /// <summary>The Spectre.Console table (text is never read as markup).</summary>
    public Table ToSpectre()
    {
        var table = new Table().Border(TableBorder.Simple);
        for (int c = 0; c < _header.Length; c++)
            table.AddColumn(new TableColumn(new Text(_header[c])) { Alignment = c == 0 ? Justify.Left : Justify.Right, NoWrap = c > 0 });
        bool ruleNext = false;
        foreach (var row in _rows)
        {
            if (row is null) { ruleNext = true; continue; }
            if (ruleNext) table.AddEmptyRow();
            ruleNext = false;
            table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
        }
        return table;
    }

    public void WriteTo(IAnsiConsole console) => console.Write(ToSpectre());

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

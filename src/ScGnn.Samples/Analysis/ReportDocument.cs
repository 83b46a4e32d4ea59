using System.Text;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>The short report.md written beside the figures.</summary>
internal sealed class ReportDocument
{
    private readonly StringBuilder _md = new();

    public ReportDocument(string title) => _md.Append("# ").Append(title).Append("\n\n");

    public ReportDocument Paragraph(string text)
    {
        _md.Append(text).Append("\n\n");
        return this;
    }

    public ReportDocument Bullets(IEnumerable<string> items)
    {
        foreach (var item in items) _md.Append("- ").Append(item).Append('\n');
        _md.Append('\n');
        return this;
    }

    public ReportDocument Heading(string text)
    {
        _md.Append("## ").Append(text).Append("\n\n");
        return this;
    }

    public ReportDocument Table(ConsoleTable table)
    {
        _md.Append(table.ToMarkdown()).Append('\n');
        return this;
    }

    public ReportDocument Image(string file, string alt)
    {
        _md.Append("![").Append(alt).Append("](").Append(file).Append(")\n\n");
        return this;
    }

    public void Save(string path) => AtomicFile.WriteText(path, _md.ToString().TrimEnd('\n') + "\n");
}

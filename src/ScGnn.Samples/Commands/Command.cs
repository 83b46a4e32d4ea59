using System.Text;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>A subcommand: its options, its help text and what it does.</summary>
internal abstract class Command
{
    public static readonly OptionSpec HelpOption = new("help", null, "show this help");

    public abstract string Name { get; }

    /// <summary>One line for the command list.</summary>
    public abstract string Summary { get; }

    /// <summary>The usage line after "scgnn ".</summary>
    public abstract string Usage { get; }

    public abstract IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Paragraphs after the options (what it does, examples).</summary>
    public virtual string Details => "";

    public abstract int Run(ParsedArguments args, CommandContext context);

    public ParsedArguments Parse(IReadOnlyList<string> args) => CommandLineParser.Parse(Name, args, Options.Append(HelpOption).ToList());

    public string Help()
    {
        var sb = new StringBuilder();
        sb.Append(Summary).Append("\n\nUsage:\n  scgnn ").Append(Usage).Append("\n\nOptions:\n");
        var all = Options.Append(HelpOption).ToList();
        int width = all.Max(o => o.Usage.Length) + 2;
        foreach (var o in all)
            sb.Append("  ").Append(o.Usage.PadRight(width)).Append(o.Description).Append(o.Required ? " (required)" : "").Append('\n');
        if (Details.Length > 0) sb.Append('\n').Append(Details.TrimEnd()).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }
}

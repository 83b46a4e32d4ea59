using System.CommandLine;

namespace ScGnn.Samples.Cli;

/// <summary>A subcommand of <c>scgnn</c>: its options (System.CommandLine), the text after them in its help, and what it does.</summary>
internal abstract class AppCommand
{
    public abstract string Name { get; }

    /// <summary>One line for the command list and the top of its help.</summary>
    public abstract string Summary { get; }

    /// <summary>Paragraphs after the options in its help (what it does, what the output holds, examples).</summary>
    public virtual string Details => "";

    public abstract IEnumerable<Option> Options { get; }

    public abstract int Run(ParseResult args, CommandContext context);

    /// <summary>The System.CommandLine command, whose action runs this command with <paramref name="context"/>.</summary>
    public Command Build(Func<CommandContext> context)
    {
        var command = new Command(Name, Summary);
        foreach (var option in Options) command.Add(option);
        command.SetAction(result => Run(result, context()));
        return command;
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace ScGnn.Samples.Cli;

/// <summary>
/// The <c>scgnn</c> command line on System.CommandLine: the root with its subcommands, help with each command's
/// details below its options, and parse errors turned into the app's one <c>error:</c> line (exit code 2).
/// </summary>
internal sealed class CommandLine
{
    private readonly IReadOnlyList<AppCommand> _commands;
    private readonly Dictionary<Command, AppCommand> _byCommand = new();

    public CommandLine(IReadOnlyList<AppCommand> commands, string rootDetails, Func<CommandContext> context)
    {
        _commands = commands;
        Root = new RootCommand("SCGNN dropout imputation for single-cell RNA-seq (ML.NET + TorchSharp)");
        foreach (var c in commands)
        {
            var command = c.Build(context);
            _byCommand[command] = c;
            Root.Add(command);
        }
        var help = Root.Options.OfType<HelpOption>().Single();
        var standard = (HelpAction)help.Action!;
        standard.MaxWidth = MaxWidth();
        help.Action = new DetailedHelp(standard, c => _byCommand.TryGetValue(c, out var app) ? app.Details : c == Root ? rootDetails : "");
    }

    public RootCommand Root { get; }

    /// <summary>
    /// Parses the arguments. No command (nothing, or options only) means the demo; <c>help X</c> means <c>X --help</c>.
    /// </summary>
    public ParseResult Parse(string[] args)
    {
        if (args.Length == 0 || (args[0].StartsWith('-') && args[0] is not ("--help" or "-h" or "-?" or "--version")))
            args = args.Prepend(_commands[0].Name).ToArray();
        else if (args[0] == "help")
            args = args.Length == 1 ? new[] { "--help" } : args.Length == 2 ? new[] { args[1], "--help" }
                : throw new UsageException("'help' takes one command name, e.g. 'scgnn help impute'.");
        return Root.Parse(args);
    }

    /// <summary>The first parse error as one line: unknown options with the parser's typo suggestions, missing values, bad numbers.</summary>
    public string Describe(ParseResult result)
    {
        var command = result.CommandResult.Command;
        string name = command == Root ? "scgnn" : command.Name;
        string see = command == Root ? "(see 'scgnn --help')" : $"(see 'scgnn {name} --help')";
        foreach (var token in result.UnmatchedTokens)
        {
            if (command == Root)
                return $"unknown command '{token}'; commands: {string.Join(", ", _commands.Select(c => c.Name))} {see}.";
            if (token.StartsWith('-'))
                return $"unknown option '{token}' for '{name}'{Suggestion(result, token)} {see}.";
            return $"unexpected argument '{token}' for '{name}'; values follow an option, e.g. --input {token} {see}.";
        }
        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is OptionResult { Option: var option } && IsMissingValue(error.SymbolResult))
                return $"{option.Name} needs a value: {option.Name} <{option.HelpName ?? "value"}>.";
            if (error.SymbolResult is ArgumentResult { Parent: OptionResult parent } && IsMissingValue(parent))
                return $"{parent.Option.Name} needs a value: {parent.Option.Name} <{parent.Option.HelpName ?? "value"}>.";
        }
        foreach (var option in command.Options.Where(o => o.Required))
            if (result.GetResult(option) is not OptionResult { Implicit: false, Tokens.Count: > 0 })
                return $"'{name}' needs {option.Name} {see}.";
        var first = result.Errors.FirstOrDefault()?.Message ?? "invalid command line.";
        return first.EndsWith('.') ? first : first + ".";
    }

    private static bool IsMissingValue(SymbolResult result) =>
        result is OptionResult { Option.Arity.MinimumNumberOfValues: > 0 } o && o.Tokens.Count == 0 && !o.Implicit;

    /// <summary>" (did you mean --x?)" from System.CommandLine's own typo corrections.</summary>
    private static string Suggestion(ParseResult result, string token)
    {
        if (result.Action is not ParseErrorAction action) return "";
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        var output = new StringWriter();
        result.Invoke(new InvocationConfiguration { Output = output, Error = TextWriter.Null });
        // "'--inptu' was not matched. Did you mean one of the following?" then one suggestion per line.
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int at = Array.FindIndex(lines, l => l.Contains($"'{token}'", StringComparison.Ordinal));
        var suggestions = at < 0 ? Array.Empty<string>() : lines.Skip(at + 1).TakeWhile(l => l.StartsWith('-')).ToArray();
        return suggestions.Length == 0 ? "" : $" (did you mean {string.Join(" or ", suggestions)}?)";
    }

    /// <summary>System.CommandLine's help, then the command's details (what it does, what it writes, examples).</summary>
    private sealed class DetailedHelp(HelpAction standard, Func<Command, string> details) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = standard.Invoke(parseResult);
            var text = details(parseResult.CommandResult.Command).TrimEnd();
            var output = parseResult.InvocationConfiguration.Output;
            if (text.Length > 0) { output.WriteLine(); output.WriteLine(text); }
            output.Flush();
            return code;
        }
    }

    private static int MaxWidth()
    {
        if (Console.IsOutputRedirected) return 110;
        try { return Math.Max(60, Console.WindowWidth); }
        catch (IOException) { return 110; }
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ScGnn.Samples.Cli;

/// <summary>
/// The kinds of option the app declares, built on System.CommandLine with messages that name the option and the
/// value given (the parser's own messages name the CLR type).
/// </summary>
internal static class CliOptions
{
    /// <summary>A path or name: <c>--name &lt;helpName&gt;</c>; an empty value is an error.</summary>
    public static Option<string> Text(string name, string helpName, string description, bool required = false)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
        };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && r.Tokens[0].Value.Length == 0) r.AddError($"{name} needs a non-empty value.");
        });
        return option;
    }

    /// <summary>A flag: present or not, no value.</summary>
    public static Option<bool> Flag(string name, string description) =>
        new(name) { Description = description, Arity = ArgumentArity.Zero };

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>; null when not given.</summary>
    public static Option<int?> Int(string name, string helpName, string description, int min, int max = int.MaxValue) =>
        new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => ParseInt(r, name, min, max),
        };

    private static int? ParseInt(ArgumentResult result, string name, int min, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max) return v;
        result.AddError(max == int.MaxValue
            ? $"{name} expects an integer of at least {min}; got '{text}'."
            : $"{name} expects an integer from {min} to {max}; got '{text}'.");
        return null;
    }
}

using System.Globalization;

namespace ScGnn.Samples.Cli;

/// <summary>The options given to one command, with typed accessors whose errors name the option.</summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _values;
    private readonly HashSet<string> _flags;

    public ParsedArguments(string command, Dictionary<string, List<string>> values, HashSet<string> flags)
    {
        Command = command;
        _values = values;
        _flags = flags;
    }

    public string Command { get; }

    public bool Has(string name) => _values.ContainsKey(name) || _flags.Contains(name);

    public bool Flag(string name) => _flags.Contains(name);

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : Array.Empty<string>();

    public string Required(string name) =>
        Value(name) ?? throw new UsageException($"'{Command}' needs --{name} (see 'scgnn {Command} --help').");

    public int? Int(string name, int min, int max = int.MaxValue)
    {
        var text = Value(name);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
            throw new UsageException(max == int.MaxValue
                ? $"--{name} expects an integer of at least {min}; got '{text}'."
                : $"--{name} expects an integer from {min} to {max}; got '{text}'.");
        return v;
    }
}

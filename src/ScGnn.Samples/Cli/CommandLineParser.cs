namespace ScGnn.Samples.Cli;

/// <summary>
/// Hand-written GNU-style parsing: <c>--name value</c>, <c>--name=value</c>, flags, <c>-h</c>/<c>--help</c>.
/// Anything not declared is an error that names it; positional arguments are not accepted.
/// </summary>
internal static class CommandLineParser
{
    public static bool WantsHelp(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h");

    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options)
    {
        var byName = options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException(arg.StartsWith('-')
                    ? $"unknown option '{arg}' for '{command}' (see 'scgnn {command} --help')."
                    : $"unexpected argument '{arg}' for '{command}'; values follow an option, e.g. --input {arg} (see 'scgnn {command} --help').");
            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (!byName.TryGetValue(name, out var spec))
                throw new UsageException($"unknown option '--{name}' for '{command}'{Suggest(name, options)} (see 'scgnn {command} --help').");
            if (spec.IsFlag)
            {
                if (inline is not null) throw new UsageException($"--{name} is a flag and takes no value (got '{inline}').");
                if (!flags.Add(name)) throw new UsageException($"--{name} is given twice.");
                continue;
            }
            string value;
            if (inline is not null) value = inline;
            else if (i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2)) value = args[++i];
            else throw new UsageException($"--{name} needs a value: {spec.Usage}.");
            if (value.Length == 0) throw new UsageException($"--{name} needs a non-empty value.");
            if (!values.TryGetValue(name, out var list)) values[name] = list = new List<string>();
            else if (!spec.Repeatable) throw new UsageException($"--{name} is given twice.");
            list.Add(value);
        }
        var parsed = new ParsedArguments(command, values, flags);
        foreach (var spec in options.Where(o => o.Required))
            if (!parsed.Has(spec.Name))
                throw new UsageException($"'{command}' needs --{spec.Name} (see 'scgnn {command} --help').");
        return parsed;
    }

    /// <summary>" (did you mean --x?)" for a near miss: same prefix, or one edit away.</summary>
    private static string Suggest(string name, IReadOnlyList<OptionSpec> options)
    {
        var best = options.Select(o => (o.Name, Distance: Levenshtein(name, o.Name)))
            .Where(c => c.Distance <= (name.Length >= 4 ? 2 : 1) || c.Name.StartsWith(name, StringComparison.Ordinal))
            .OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();
        return best is null ? "" : $" (did you mean --{best}?)";
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) d[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int prev = d[0];
            d[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int tmp = d[j];
                d[j] = Math.Min(Math.Min(d[j] + 1, d[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = tmp;
            }
        }
        return d[b.Length];
    }
}

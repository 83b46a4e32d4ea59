namespace ScGnn.Samples.Cli;

/// <summary>One command-line option: <c>--name VALUE</c> (or <c>--name=VALUE</c>), or a flag when <see cref="ValueName"/> is null.</summary>
internal sealed record OptionSpec(string Name, string? ValueName, string Description, bool Required = false, bool Repeatable = false)
{
    public bool IsFlag => ValueName is null;

    public string Usage => IsFlag ? "--" + Name : $"--{Name} <{ValueName}>";
}

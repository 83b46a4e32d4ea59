using System.CommandLine;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>The training options shared by the commands (one set of System.CommandLine options per command).</summary>
internal sealed class TrainingOptions
{
    public Option<int?> Seed { get; } = CliOptions.Int("--seed", "N", "seed for the mask, the cell split, the weights and KMeans (default 1)", 0);

    public Option<int?> Epochs { get; } = CliOptions.Int("--epochs", "N", "training epochs (default 1000)", 1, 1_000_000);

    public Option<bool> Paper { get; } = CliOptions.Flag("--paper-defaults", "the paper's configuration (fixed mask, 90/5/5 split) instead of the library's defaults");

    public Option<int?> Threads { get; } = CliOptions.Int("--threads", "N", "CPU threads for TorchSharp (default: all cores)", 1, 1024);

    /// <summary>The options in help order; <paramref name="seed"/> and <paramref name="paper"/> leave those out.</summary>
    public IEnumerable<Option> All(bool seed = true, bool paper = true)
    {
        if (seed) yield return Seed;
        yield return Epochs;
        if (paper) yield return Paper;
        yield return Threads;
    }

    public TrainingSettings Read(ParseResult args, int? defaultEpochs = null) => new(
        args.GetValue(Paper),
        args.GetValue(Seed) ?? 1,
        args.GetValue(Epochs) ?? defaultEpochs,
        args.GetValue(Threads));
}

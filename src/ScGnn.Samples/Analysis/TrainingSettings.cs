using ScGnn.MLNet.Imputation;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>The ScGnn options shared by the commands: library defaults or the paper's, with --seed/--epochs/--threads on top.</summary>
internal sealed record TrainingSettings(bool Paper, int Seed, int? Epochs, int? Threads)
{
    public static readonly OptionSpec SeedOption = new("seed", "N", "seed for the mask, the cell split, the weights and KMeans (default 1)");
    public static readonly OptionSpec EpochsOption = new("epochs", "N", "training epochs (default 1000)");
    public static readonly OptionSpec PaperOption = new("paper-defaults", null, "the paper's configuration (fixed mask, 90/5/5 split) instead of the library's defaults");
    public static readonly OptionSpec ThreadsOption = new("threads", "N", "CPU threads for TorchSharp (default: all cores)");

    public static TrainingSettings From(ParsedArguments args, int? defaultEpochs = null) => new(
        args.Flag(PaperOption.Name),
        args.Int(SeedOption.Name, 0) ?? 1,
        args.Int(EpochsOption.Name, 1, 1_000_000) ?? defaultEpochs,
        args.Int(ThreadsOption.Name, 1, 1024));

    public ScGnnOptions ToOptions(int? seedOverride = null, Action<ScGnnEpochProgress>? progress = null, CancellationToken cancellation = default)
    {
        var o = Paper ? ScGnnOptions.Paper() : new ScGnnOptions();
        o.Seed = seedOverride ?? Seed;
        if (Epochs is int e) o.Epochs = e;
        o.ThreadCount = Threads;
        o.Progress = progress;
        o.CancellationToken = cancellation;
        return o;
    }

    public string Describe(ScGnnOptions o) =>
        $"{(Paper ? "paper configuration" : "library defaults")}, {o.Epochs} epoch{(o.Epochs == 1 ? "" : "s")}, seed {o.Seed}" +
        (o.FreshMaskEachEpoch ? ", fresh mask each epoch" : ", fixed mask") +
        (o.InputScale == ScGnnInputScale.Log1p ? ", log1p scale" : o.InputScale == ScGnnInputScale.Log1pInput ? ", log1p input" : "") +
        (o.SkipConnection ? $", skip connection ({o.SkipConnectionHops} hop{(o.SkipConnectionHops == 1 ? "" : "s")}" +
            (o.SkipStartOnObservedValues ? ", start fitted on observed values)" : ")") : "") +
        (o.GraphOnLog1p ? ", graph on log1p" : "") +
        (o.SelectNeighborCount ? $", k chosen from {string.Join("/", new[] { 1, 2, 3 }.Select(m => m * o.NeighborCount))}" : $", k = {o.NeighborCount}") +
        (o.EpochSelectionStandardErrors > 0 ? $", a trained epoch kept only {o.EpochSelectionStandardErrors:0.##} SE better than the start" : "") +
        (o.EnsembleSize > 1 ? $", ensemble of {o.EnsembleSize}" : "");
}

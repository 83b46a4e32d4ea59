using ScGnn.MLNet.Imputation;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>The ScGnn options shared by the commands: library defaults or the paper's, with --seed/--epochs/--threads on top.</summary>
internal sealed record TrainingSettings(bool Paper, int Seed, int? Epochs, int? Threads)
{
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

    public string Describe(ScGnnOptions o) => o.OutputMode == ImputationOutputMode.Smoothed
        ? $"{(Paper ? "paper configuration" : "library defaults")}, {o}"
        : $"{(Paper ? "paper configuration" : "library defaults")}, {o.Epochs} epoch{(o.Epochs == 1 ? "" : "s")}, seed {o.Seed}: {o}";
}

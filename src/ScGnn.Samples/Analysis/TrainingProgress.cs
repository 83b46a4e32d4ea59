using ScGnn.MLNet.Imputation;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Progress of a pipeline fit that ends in ScGnn: a timed step for everything before the first epoch (reading the
/// column, gene selection, normalization, PCA and the kNN graph), then a bar over the epochs.
/// </summary>
internal sealed class TrainingProgress : IDisposable
{
    private readonly ProgressReporter _reporter;
    private readonly string _prepareLabel;
    private ProgressReporter.Bar? _prepare;
    private ProgressReporter.Bar? _epochs;
    private int _member = 1;
    private int _lastEpoch;

    public TrainingProgress(ProgressReporter reporter, string prepareLabel = "Preparing (PCA, kNN graph)")
    {
        _reporter = reporter;
        _prepareLabel = prepareLabel;
    }

    public void Begin() => _prepare = _reporter.Step(_prepareLabel);

    /// <summary>Ends the app's own preparing step (the library announces its next stage itself).</summary>
    public void EndPrepare()
    {
        _prepare?.Complete();
        _prepare = null;
    }

    public void OnEpoch(ScGnnEpochProgress p)
    {
        if (_prepare is not null) { _prepare.Complete(); _prepare = null; }
        if (p.Epoch <= _lastEpoch) { _member++; _epochs?.Complete(); _epochs = null; }
        _lastEpoch = p.Epoch;
        _epochs ??= _reporter.Start(_member == 1 ? "Training ScGnn" : $"Training ScGnn #{_member}", p.Epochs, "epochs");
        string detail = $"loss {Fmt.G(p.TrainLoss)}" + (double.IsNaN(p.ValidationLoss) ? "" : $", validation {Fmt.G(p.ValidationLoss)}") +
            (Shrunk(p) ? $" (shrunk {Fmt.G(p.SelectionLoss)})" : "");
        if (p.Epoch == p.Epochs) { _epochs.Complete(detail + $", epoch kept {p.BestEpoch}"); }
        else _epochs.Report(p.Epoch, detail);
    }

    // Whether the epoch rule judged this epoch by a loss other than its own (the default's shrunk change of the start).
    internal static bool Shrunk(ScGnnEpochProgress p) =>
        double.IsFinite(p.SelectionLoss) && p.SelectionLoss != p.ValidationLoss;

    public void Dispose()
    {
        _prepare?.Dispose();
        _epochs?.Dispose();
    }
}

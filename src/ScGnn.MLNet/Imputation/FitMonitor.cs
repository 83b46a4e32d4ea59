using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Progress and cancellation of one fit or imputation: stage messages on the ML.NET channel, the epochs on the host's
/// progress channel (<see cref="IProgressChannel"/>, with an estimate of the time left), and cancellation from
/// <c>MLContext.CancelExecution()</c> (<see cref="IHost"/>.CheckAlive) or the options' token at every check.
/// </summary>
internal sealed class FitMonitor
{
    private readonly IHost? _host;
    private readonly IChannel? _channel;
    private readonly CancellationToken _token;

    internal FitMonitor(IHost? host, IChannel? channel, CancellationToken token = default)
    {
        _host = host;
        _channel = channel;
        _token = token;
    }

    /// <summary>A monitor that reports nowhere and never cancels (tests, internal callers).</summary>
    internal static FitMonitor None { get; } = new(null, null);

    /// <summary>Throws <see cref="OperationCanceledException"/> when the fit was cancelled.</summary>
    internal void CheckAlive()
    {
        _token.ThrowIfCancellationRequested();
        _host?.CheckAlive();
    }

    internal void Info(string message) => _channel?.Info(MessageSensitivity.None, message);

    internal void Warning(string message) => _channel?.Warning(MessageSensitivity.None, message);

    /// <summary>
    /// Announces a stage; the returned scope reports its time when it ends: "done" after <see cref="StageScope.Done"/>
    /// (which checks cancellation), "stopped" when it ends without it, as when cancellation or an error leaves the stage.
    /// </summary>
    internal StageScope Stage(string name)
    {
        CheckAlive();
        Info($"ScGnn: {name}...");
        return new StageScope(this, name);
    }

    /// <summary>
    /// Reports epochs on a progress channel named "ScGnn training" (epochs done of the planned ones; train and
    /// validation loss; best epoch) and every 50th on the log with the time left; the returned callback checks
    /// cancellation, then forwards to <paramref name="user"/>.
    /// </summary>
    internal EpochReporter Epochs(int planned, Action<ScGnnEpochProgress>? user) => new(this, planned, user);

    /// <summary>One stage of <see cref="Stage"/>.</summary>
    internal sealed class StageScope(FitMonitor monitor, string name) : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _done, _disposed;

        /// <summary>Reports the stage done with its time, then checks cancellation.</summary>
        internal void Done()
        {
            _done = true;
            monitor.Info(string.Format(CultureInfo.InvariantCulture, "ScGnn: {0} done in {1:F1} s", name, _clock.Elapsed.TotalSeconds));
            monitor.CheckAlive();
        }

        // Without Done an exception is leaving the stage: say so, and throw nothing that would hide it.
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (!_done) monitor.Info(string.Format(CultureInfo.InvariantCulture, "ScGnn: {0} stopped after {1:F1} s", name, _clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>The per-epoch callback of <see cref="Epochs"/>; dispose it to close the progress channel.</summary>
    internal sealed class EpochReporter : IDisposable
    {
        private readonly FitMonitor _monitor;
        private readonly Action<ScGnnEpochProgress>? _user;
        private readonly IProgressChannel? _progress;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly int _planned;
        private ScGnnEpochProgress? _last;

        internal EpochReporter(FitMonitor monitor, int planned, Action<ScGnnEpochProgress>? user)
        {
            _monitor = monitor;
            _user = user;
            _planned = planned;
            _progress = monitor._host?.StartProgressChannel("ScGnn training");
            _progress?.SetHeader(new ProgressHeader(new[] { "train loss", "validation loss", "best epoch", "selection loss" }, new[] { "epochs" }), e =>
            {
                var p = _last;
                e.SetProgress(0, p?.Epoch ?? 0, _planned);
                if (p is null) return;
                e.SetMetric(0, p.TrainLoss);
                e.SetMetric(1, p.ValidationLoss);
                e.SetMetric(2, p.BestEpoch);
                e.SetMetric(3, p.SelectionLoss);
            });
        }

        /// <summary>Records one epoch, logs it now and then, checks cancellation and calls the user's callback.</summary>
        internal void OnEpoch(ScGnnEpochProgress p)
        {
            var elapsed = _clock.Elapsed;
            var remaining = TimeSpan.FromTicks((long)(elapsed.Ticks / (double)p.Epoch * (p.Epochs - p.Epoch)));
            p = p with { Elapsed = elapsed, Remaining = remaining };
            _last = p;
            if (p.Epoch == 1 || p.Epoch % 50 == 0 || p.Epoch == p.Epochs)
                _monitor.Info(string.Format(CultureInfo.InvariantCulture,
                    "ScGnn: epoch {0}/{1}: train loss {2:G5}, validation loss {3:G5}{7} (best epoch {4}); {5:F1} s, about {6:F0} s left",
                    p.Epoch, p.Epochs, p.TrainLoss, p.ValidationLoss, p.BestEpoch, elapsed.TotalSeconds, remaining.TotalSeconds,
                    double.IsFinite(p.SelectionLoss) && p.SelectionLoss != p.ValidationLoss
                        ? string.Format(CultureInfo.InvariantCulture, ", shrunk {0:G5}", p.SelectionLoss) : ""));
            _monitor.CheckAlive();
            _user?.Invoke(p);
        }

        public void Dispose() => _progress?.Dispose();
    }
}

using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// The library's side of the progress, read from ML.NET's log (<see cref="MLContext.Log"/>), where ScGnn announces its
/// stages and warnings: each stage ("reading column ...", "cell graph ...") becomes a timed progress step (ending "done",
/// or "stopped" when cancellation or an error left it), the
/// blocks of an imputation and the smoothing's cross-validated k update the open step with the time left, and every
/// warning becomes one <c>warning:</c> line on standard error. The epochs come through <c>ScGnnOptions.Progress</c> (<see cref="TrainingProgress"/>).
/// </summary>
internal sealed partial class LibraryLog : IDisposable
{
    private readonly MLContext _ml;
    private readonly CommandContext _context;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private ProgressReporter.Bar? _stage;
    private string? _stageName;

    public LibraryLog(MLContext ml, CommandContext context)
    {
        _ml = ml;
        _context = context;
        ml.Log += OnLog;
    }

    /// <summary>Called when a stage starts, before its step opens (for example to end the app's own "preparing" step).</summary>
    public Action? BeforeStage { get; set; }

    public void Dispose()
    {
        _ml.Log -= OnLog;
        lock (_lock) _stage?.Dispose();
    }

    private void OnLog(object? sender, LoggingEventArgs e)
    {
        var message = e.RawMessage ?? e.Message;
        if (message is null || !message.StartsWith("ScGnn: ", StringComparison.Ordinal)) return;
        lock (_lock)
        {
            if (e.Kind == ChannelMessageKind.Warning || e.Kind == ChannelMessageKind.Error)
            {
                if (_warned.Add(message)) _context.Warn(message);
                return;
            }
            if (e.Kind != ChannelMessageKind.Info) return;
            var text = message["ScGnn: ".Length..];
            if (Done().Match(text) is { Success: true } done)
            {
                if (_stage is not null && done.Groups[1].Value == _stageName) _stage.Complete();
                _stage = null;
            }
            else if (Stopped().Match(text) is { Success: true } stopped)
            {
                if (_stage is not null && stopped.Groups[1].Value == _stageName) _stage.Stop();
                _stage = null;
            }
            else if (text.EndsWith("...", StringComparison.Ordinal))
            {
                var name = text[..^3];
                // Training has its own bar over the epochs.
                if (name == "training") return;
                BeforeStage?.Invoke();
                _stageName = name;
                _stage = _context.Progress.Step("ScGnn: " + name);
            }
            else if (text.StartsWith("imputed cells ", StringComparison.Ordinal) || text.StartsWith("smoothing cross-validated ", StringComparison.Ordinal)
                || text.StartsWith("smoothing: ", StringComparison.Ordinal))
            {
                _context.Progress.Note(text);
            }
        }
    }

    [GeneratedRegex(@"^(.*) done in [0-9.]+ s$")]
    private static partial Regex Done();

    [GeneratedRegex(@"^(.*) stopped after [0-9.]+ s$")]
    private static partial Regex Stopped();
}

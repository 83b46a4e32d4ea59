using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace ScGnn.Samples.Cli;

/// <summary>
/// Progress of long steps on the console. On an interactive terminal each step is a Spectre.Console progress display
/// (bar, percentage, elapsed and remaining time); when output is redirected (a log file, a pipe, a test) it degrades
/// to a plain line every 10 % with the time remaining, and one line when a step ends, so logs stay short and readable.
/// Steps run one after another, never nested.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly TextWriter _out;
    private readonly IAnsiConsole? _console;
    private readonly object _lock = new();
    private Bar? _open;

    /// <param name="output">Where plain lines go.</param>
    /// <param name="console">The interactive console to draw on, or null for plain lines.</param>
    public ProgressReporter(TextWriter output, IAnsiConsole? console)
    {
        _out = output;
        _console = console;
    }

    /// <summary>True when bars are drawn in place.</summary>
    public bool Interactive => _console is not null;

    /// <summary>A bar over <paramref name="total"/> units (epochs, iterations).</summary>
    public Bar Start(string label, long total, string unit) => Open(new Bar(this, label, total, unit));

    /// <summary>A step without a known size: "label ..." then its time when done.</summary>
    public Bar Step(string label) => Open(new Bar(this, label, 0, ""));

    /// <summary>Writes a whole line, first ending a bar drawn in place.</summary>
    public void Line(string text = "")
    {
        lock (_lock)
        {
            EndOpenLine();
            _out.WriteLine(text);
            _out.Flush();
        }
    }

    /// <summary>
    /// A note on the open step (for example "imputed cells 1-4096 of 20000; about 12 s left"): its detail on a
    /// terminal, an indented line when redirected.
    /// </summary>
    public void Note(string text)
    {
        Bar? open;
        lock (_lock) open = _open;
        if (Interactive && open is not null) { open.Detail(text); return; }
        lock (_lock)
        {
            _out.WriteLine("    " + text);
            _out.Flush();
        }
    }

    /// <summary>Ends a bar drawn in place (before an error message goes to standard error).</summary>
    public void EndOpenLine()
    {
        Bar? open;
        lock (_lock) open = _open;
        open?.Dispose();
    }

    private Bar Open(Bar bar)
    {
        EndOpenLine();
        lock (_lock) _open = bar;
        bar.Begin();
        return bar;
    }

    private void Closed(Bar bar)
    {
        lock (_lock) if (_open == bar) _open = null;
    }

    internal static string Seconds(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : t.TotalMinutes < 60 ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
        : $"{(int)t.TotalHours} h {t.Minutes:00} min";

    /// <summary>One step or bar; dispose (or <see cref="Complete"/>) ends it.</summary>
    internal sealed class Bar : IDisposable
    {
        private readonly ProgressReporter _owner;
        private readonly string _label;
        private readonly long _total;
        private readonly string _unit;
        private readonly Stopwatch _watch = new();
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task? _display;
        private ProgressTask? _task;
        private int _lastDecile;
        private long _done;
        private string? _detail;
        private bool _completed, _stopped;

        internal Bar(ProgressReporter owner, string label, long total, string unit)
        {
            _owner = owner;
            _label = label;
            _total = total;
            _unit = unit;
        }

        public TimeSpan Elapsed => _watch.Elapsed;

        internal void Begin()
        {
            _watch.Start();
            if (_owner._console is not { } console) return;
            using var started = new ManualResetEventSlim();
            _display = Task.Run(() => console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    _task = ctx.AddTask(Markup.Escape(Description()), maxValue: Math.Max(1, _total));
                    _task.IsIndeterminate = _total <= 0;
                    started.Set();
                    _finished.Task.Wait();
                    ctx.Refresh();
                }));
            started.Wait();
        }

        /// <summary>Records progress; a terminal redraws on its own clock, redirected output gets a line per 10 %.</summary>
        public void Report(long done, string? detail = null)
        {
            if (_completed) return;
            _done = Math.Clamp(done, 0, Math.Max(_total, done));
            _detail = detail;
            if (_task is { } task)
            {
                task.Value = _done;
                task.Description = Markup.Escape(Description());
            }
            else if (_total > 0)
            {
                int decile = (int)(10 * _done / _total);
                if (decile > _lastDecile && decile < 10)
                {
                    _lastDecile = decile;
                    Write(PlainLine(done: false));
                }
            }
        }

        internal void Detail(string text)
        {
            _detail = text;
            if (_task is { } task) task.Description = Markup.Escape(Description());
        }

        /// <summary>Ends the step with an optional summary shown after its time.</summary>
        public void Complete(string? detail = null)
        {
            if (_completed) return;
            _completed = true;
            _watch.Stop();
            if (_total > 0) _done = _total;
            _detail = detail ?? _detail;
            if (_task is { } task)
            {
                task.StopTask();
                Finish();
            }
            // The live display clears itself; what stays is one plain line per finished step.
            Write(PlainLine(done: true));
            _owner.Closed(this);
        }

        /// <summary>Ends the step as stopped (cancelled, or left by an error): its line says so, with the time it ran.</summary>
        public void Stop()
        {
            if (_completed) return;
            _stopped = true;
            _completed = true;
            _watch.Stop();
            if (_task is { } task)
            {
                task.StopTask();
                Finish();
            }
            Write(PlainLine(done: true));
            _owner.Closed(this);
        }

        public void Dispose()
        {
            // Left without Complete (an exception): stop drawing so the error starts on its own line.
            if (_completed) return;
            _completed = true;
            _task?.StopTask();
            Finish();
            _owner.Closed(this);
        }

        private void Finish()
        {
            _finished.TrySetResult();
            _display?.Wait();
        }

        private void Write(string line)
        {
            lock (_owner._lock)
            {
                _owner._out.WriteLine(line);
                _owner._out.Flush();
            }
        }

        private string Description()
        {
            var sb = new StringBuilder(_label);
            if (_total > 0) sb.Append(string.Create(CultureInfo.InvariantCulture, $"  {_done}/{_total} {_unit}"));
            if (!string.IsNullOrEmpty(_detail)) sb.Append("  ").Append(_detail.Length > 40 ? _detail[..39] + "…" : _detail);
            return sb.ToString();
        }

        private string PlainLine(bool done)
        {
            var sb = new StringBuilder();
            sb.Append("  ").Append(_label.PadRight(Math.Max(30, _label.Length + 2)));
            if (_total > 0 && done && _stopped)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"stopped  {_done}/{_total} {_unit}"));
            }
            else if (_total > 0 && done)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"done  {_total} {_unit}"));
            }
            else if (_total > 0)
            {
                double fraction = Math.Clamp((double)_done / _total, 0, 1);
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%  {_done}/{_total} {_unit}"));
            }
            else
            {
                sb.Append(done ? (_stopped ? "stopped" : "done") : "...");
            }
            sb.Append("  ").Append(Seconds(_watch.Elapsed));
            if (!done && _total > 0 && _done > 0)
                sb.Append(", about ").Append(Seconds(_watch.Elapsed * ((double)(_total - _done) / _done))).Append(" left");
            if (!string.IsNullOrEmpty(_detail)) sb.Append("  ").Append(_detail);
            return sb.ToString();
        }
    }
}

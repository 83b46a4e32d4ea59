using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ScGnn.Samples.Cli;

/// <summary>
/// Progress of long steps on the console. On a terminal a bar is redrawn in place with <c>\r</c> (at most about ten
/// times a second); when output is redirected (a log file, a pipe, a test) it degrades to a plain line every 10 %
/// and one line when a step ends, so logs stay short and readable.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly TextWriter _out;
    private readonly Func<int> _width;
    private readonly object _lock = new();
    private bool _lineOpen;

    public ProgressReporter(TextWriter output, bool interactive, Func<int>? width = null)
    {
        _out = output;
        Interactive = interactive;
        _width = width ?? (() => 100);
    }

    /// <summary>Progress on standard output, drawn in place when it is a terminal.</summary>
    public static ProgressReporter ForConsole()
    {
        bool terminal = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
        return new ProgressReporter(Console.Out, terminal, () =>
        {
            try { return Console.WindowWidth > 20 ? Console.WindowWidth : 100; }
            catch (IOException) { return 100; }
        });
    }

    /// <summary>True when bars are drawn in place.</summary>
    public bool Interactive { get; }

    /// <summary>A bar over <paramref name="total"/> units (epochs, iterations).</summary>
    public Bar Start(string label, long total, string unit) => new(this, label, total, unit);

    /// <summary>A step without a known size: "label ..." then its time when done.</summary>
    public Bar Step(string label) => new(this, label, 0, "");

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

    /// <summary>Ends a bar drawn in place (before an error message goes to standard error).</summary>
    public void EndOpenLine()
    {
        lock (_lock)
        {
            if (!_lineOpen) return;
            _out.WriteLine();
            _out.Flush();
            _lineOpen = false;
        }
    }

    private void Draw(string text, bool final)
    {
        lock (_lock)
        {
            if (Interactive)
            {
                int width = Math.Max(20, _width() - 1);
                if (text.Length > width) text = text[..(width - 1)] + "…";
                _out.Write('\r');
                _out.Write(text.PadRight(width));
                if (final) { _out.WriteLine(); _lineOpen = false; }
                else _lineOpen = true;
            }
            else
            {
                _out.WriteLine(text);
            }
            _out.Flush();
        }
    }

    internal static string Seconds(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : $"{(int)t.TotalMinutes} min {t.Seconds:00} s";

    /// <summary>One step or bar; dispose (or <see cref="Complete"/>) ends it.</summary>
    internal sealed class Bar : IDisposable
    {
        private const int BarWidth = 24;
        private readonly ProgressReporter _owner;
        private readonly string _label;
        private readonly long _total;
        private readonly string _unit;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private TimeSpan? _lastDraw;
        private int _lastDecile;
        private long _done;
        private string? _detail;
        private bool _completed;

        internal Bar(ProgressReporter owner, string label, long total, string unit)
        {
            _owner = owner;
            _label = label;
            _total = total;
            _unit = unit;
            if (owner.Interactive) owner.Draw(Text(), final: false);
        }

        public TimeSpan Elapsed => _watch.Elapsed;

        /// <summary>Records progress; draws when enough time passed (terminal) or a 10 % mark was crossed (redirected).</summary>
        public void Report(long done, string? detail = null)
        {
            if (_completed) return;
            _done = Math.Clamp(done, 0, Math.Max(_total, done));
            _detail = detail;
            if (_owner.Interactive)
            {
                var now = _watch.Elapsed;
                if (_lastDraw is { } last && now - last < RedrawInterval) return;
                _lastDraw = now;
                _owner.Draw(Text(), final: false);
            }
            else if (_total > 0)
            {
                int decile = (int)(10 * _done / _total);
                if (decile > _lastDecile && decile < 10)
                {
                    _lastDecile = decile;
                    _owner.Draw(Text(), final: false);
                }
            }
        }

        /// <summary>Ends the step with an optional summary shown after its time.</summary>
        public void Complete(string? detail = null)
        {
            if (_completed) return;
            _completed = true;
            _watch.Stop();
            if (_total > 0) _done = _total;
            _detail = detail ?? _detail;
            _owner.Draw(Text(done: true), final: true);
        }

        public void Dispose()
        {
            // Left without Complete (an exception): end the line so the error starts on its own line.
            if (!_completed) { _completed = true; _owner.EndOpenLine(); }
        }

        private string Text(bool done = false)
        {
            var sb = new StringBuilder();
            sb.Append("  ").Append(_label.PadRight(Math.Max(30, _label.Length + 2)));
            if (_total > 0 && done)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"done  {_total} {_unit}"));
            }
            else if (_total > 0)
            {
                double fraction = Math.Clamp((double)_done / _total, 0, 1);
                if (_owner.Interactive)
                {
                    int filled = (int)Math.Floor(fraction * BarWidth);
                    sb.Append('[').Append('#', filled).Append('.', BarWidth - filled).Append("] ");
                }
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"{fraction * 100,3:0}%  {_done}/{_total} {_unit}"));
            }
            else
            {
                sb.Append(done ? "done" : "...");
            }
            // Time before the detail, so a narrow terminal cuts the detail, not the time.
            sb.Append("  ").Append(Seconds(_watch.Elapsed));
            if (!string.IsNullOrEmpty(_detail)) sb.Append("  ").Append(_detail);
            return sb.ToString();
        }
    }
}

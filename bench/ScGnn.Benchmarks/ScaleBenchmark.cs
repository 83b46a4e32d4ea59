using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet;
using ScGnn.MLNet.Simulation;

namespace ScGnn.Benchmarks;

/// <summary>
/// `scale`: the whole impute path (read a 10x folder, select genes, normalize, graph, fit, impute, write Parquet) on
/// simulated 2,000-gene datasets of growing size, each run in a child process so that its peak RSS is its own.
/// The data are streamed to disk by <see cref="ExpressionSimulator"/> (Splatter model, 8 groups) once and cached.
/// </summary>
/// <remarks>
/// Options: <c>--sizes 10000,30000</c> (default 10k, 30k, 100k, 300k, 1M), <c>--timeout-min N</c> per size (default 60),
/// <c>--work DIR</c> for the cached data and outputs (default <c>$TMPDIR/scgnn-scale</c>), <c>--keep-output</c>,
/// <c>--smoothed</c> (the output for clustering, <see cref="ImputationOutputMode.Smoothed"/>, instead of the imputed one).
/// The child is <c>ScGnn.Benchmarks scale-run --input DIR --output FILE --report FILE [--smoothed] [--epochs N] [--batch-cells N]</c>
/// (the last two for experiments run by hand).
/// </remarks>
internal static class ScaleBenchmark
{
    internal const int Genes = 2000, Groups = 8, Seed = 1;

    // Library-size location of the simulation (log scale): about 10 % of the entries observed non-zero at 2,000 genes.
    internal static double LibraryLocation = 8.0;

    private static readonly int[] DefaultSizes = { 10_000, 30_000, 100_000, 300_000, 1_000_000 };

    /// <summary>What one child run measured.</summary>
    internal sealed record RunReport(int Cells, int GenesKept, long NonZeros, double ReadS, double SelectS, double NormalizeS,
        double GraphS, double TrainS, double ImputeWriteS, double TotalS, long PeakRssKb, int EpochsRun, int BestEpoch, long OutputBytes,
        double CpuS = double.NaN);

    internal static void Run(string[] args, Func<string, string?> option, Action<string> line)
    {
        var sizes = (option("--sizes") ?? string.Join(',', DefaultSizes)).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        double timeoutMin = double.Parse(option("--timeout-min") ?? "60", CultureInfo.InvariantCulture);
        string work = option("--work") ?? Path.Combine(Path.GetTempPath(), "scgnn-scale");
        bool keep = args.Contains("--keep-output");
        bool smoothed = args.Contains("--smoothed");
        string suffix = smoothed ? "-smoothed" : "";
        if (option("--library-location") is { } loc) LibraryLocation = double.Parse(loc, CultureInfo.InvariantCulture);
        Directory.CreateDirectory(work);

        line($"Simulated data: `ExpressionSimulator` (Splatter model), {Genes:N0} genes, {Groups} groups, seed {Seed}, library-size " +
             $"location {LibraryLocation}, written once as a 10x folder (`matrix.mtx`, plain text) by streaming cell by cell. " +
             "Each size runs `scale-run` in a child process: read the folder, `SelectVariableGenes`, `NormalizeMedianLibrarySize`, " +
             "`ImputeWithScGnn` with the library defaults (fit), then transform and stream the " +
             (smoothed ? "`Smoothed` output (for clustering: k, t and weight by molecular cross-validation on the batch's own graph)" : "imputed matrix") +
             " to a wide Parquet file. " +
             "Stages are timed separately; graph = from the start of the imputer's fit to its first epoch (PCA, kNN, adjacency, " +
             "training targets and start), train = the epochs; impute + write run together because the writer pulls rows " +
             "through the transform. Peak RSS is the child's `VmHWM` (/proc/self/status at exit; polled by the parent as a check); CPU s is the child's " +
             "processor time (both cores), which other jobs on the machine inflate far less than wall time. The child's log " +
             "(`run-<cells>.log`) times every sub-step of the graph stage in wall and CPU seconds.");
        line("");
        line("| cells | genes kept | non-zeros | read s | select s | normalize s | graph s | train s (epochs, kept) | impute + write s | total s | CPU s | peak RSS | machine load (1-min avg, start / end) | status |");
        line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        var done = new List<RunReport>();
        foreach (int n in sizes)
        {
            string folder = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"sim-{n}-{LibraryLocation}"));
            var gen = EnsureData(folder, n);
            string output = Path.Combine(work, $"out-{n}{suffix}.parquet");
            string report = Path.Combine(work, $"run-{n}{suffix}.json");
            File.Delete(report);
            Console.Error.WriteLine($"scale: {n:N0} cells ({gen}) ...");
            string loadStart = LoadAverage();
            var childArgs = new List<string> { "scale-run", "--input", folder, "--output", output, "--report", report };
            if (smoothed) childArgs.Add("--smoothed");
            var (exit, polledKb, wall, timedOut) = RunChild(childArgs.ToArray(), TimeSpan.FromMinutes(timeoutMin), Path.Combine(work, $"run-{n}{suffix}.log"));
            if (exit == 0 && File.Exists(report))
            {
                var r = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(report))!;
                long peak = Math.Max(r.PeakRssKb, polledKb);
                r = r with { PeakRssKb = peak };
                done.Add(r);
                line($"| {n:N0} | {r.GenesKept:N0} | {r.NonZeros:N0} | {r.ReadS:F1} | {r.SelectS:F1} | {r.NormalizeS:F1} | {r.GraphS:F1} | " +
                     $"{r.TrainS:F1} ({r.EpochsRun}, {r.BestEpoch}) | {r.ImputeWriteS:F1} | **{r.TotalS:F1}** | {r.CpuS:F0} | **{Gb(peak)}** | {loadStart} / {LoadAverage()} | ok, output {r.OutputBytes / 1048576.0:F0} MiB |");
            }
            else
            {
                string why = timedOut ? $"stopped after the {timeoutMin:F0}-min limit" : $"exit {exit}; see run-{n}{suffix}.log";
                line($"| {n:N0} | | | | | | | | | {wall:F0} (wall) | | {Gb(polledKb)} (polled) | {loadStart} / {LoadAverage()} | {why} |");
            }
            if (!keep) File.Delete(output);
        }
        line("");
        if (done.Count >= 2)
        {
            line($"Fitted exponent b of time ≈ a · cells^b over the completed sizes ({string.Join(", ", done.Select(d => d.Cells.ToString("N0", CultureInfo.InvariantCulture)))}): " +
                 $"total **{Exponent(done, d => d.TotalS):F2}**; graph {Exponent(done, d => d.GraphS):F2}, train {Exponent(done, d => d.TrainS):F2}, " +
                 $"impute + write {Exponent(done, d => d.ImputeWriteS):F2}, read {Exponent(done, d => d.ReadS):F2}; peak RSS {Exponent(done, d => d.PeakRssKb):F2}.");
            line("");
        }
        line("Goals (issue 15, 2 cores): 100,000 cells <= 5 min and <= 4 GB; 1,000,000 cells <= 60 min and <= 16 GB; near-linear; " +
             "MAGIC 3.0.0 takes 46 s / 1.5 GB for the whole process at 20,000 cells x 1,829 genes.");
    }

    // Other jobs on the machine slow every stage; the load average says how busy it was.
    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private static string Gb(long kb) => kb <= 0 ? "?" : $"{kb / 1048576.0:F2} GB";

    // Least-squares slope of log(y) on log(cells).
    private static double Exponent(List<RunReport> runs, Func<RunReport, double> y)
    {
        var pts = runs.Where(r => y(r) > 0).Select(r => (X: Math.Log(r.Cells), Y: Math.Log(y(r)))).ToArray();
        if (pts.Length < 2) return double.NaN;
        double mx = pts.Average(p => p.X), my = pts.Average(p => p.Y);
        return pts.Sum(p => (p.X - mx) * (p.Y - my)) / pts.Sum(p => (p.X - mx) * (p.X - mx));
    }

    /// <summary>The simulation's options at a size.</summary>
    internal static SimulationOptions Simulation(int cells) => new()
    {
        CellCount = cells, GeneCount = Genes, GroupCount = Groups, Seed = Seed, LibraryLocation = LibraryLocation,
    };

    // Streams the simulation into a 10x v3 folder (plain text): entries go to a body file first, since the
    // MatrixMarket size line that precedes them needs the entry count.
    private static string EnsureData(string folder, int cells)
    {
        string done = Path.Combine(folder, ".complete");
        if (File.Exists(done)) return File.ReadAllText(done);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var sw = Stopwatch.StartNew();
        string body = Path.Combine(folder, "matrix.body");
        long entries = 0;
        using (var w = new StreamWriter(body, false, new UTF8Encoding(false), 1 << 20))
        {
            var sb = new StringBuilder();
            ExpressionSimulator.Stream(Simulation(cells), (c, _, genes, counts, _, _) =>
            {
                for (int q = 0; q < genes.Length; q++)
                {
                    sb.Append(genes[q] + 1).Append(' ').Append(c + 1).Append(' ').Append((long)counts[q]).Append('\n');
                }
                entries += genes.Length;
                if (sb.Length > 1 << 20) { w.Write(sb); sb.Clear(); }
            });
            w.Write(sb);
        }
        using (var m = new FileStream(Path.Combine(folder, "matrix.mtx"), FileMode.Create))
        {
            var header = Encoding.ASCII.GetBytes($"%%MatrixMarket matrix coordinate integer general\n{Genes} {cells} {entries}\n");
            m.Write(header);
            using var b = File.OpenRead(body);
            b.CopyTo(m, 1 << 20);
        }
        File.Delete(body);
        File.WriteAllLines(Path.Combine(folder, "features.tsv"),
            Enumerable.Range(1, Genes).Select(g => $"{ExpressionSimulator.GeneId(g)}\t{ExpressionSimulator.GeneId(g)}\tGene Expression"));
        File.WriteAllLines(Path.Combine(folder, "barcodes.tsv"), Enumerable.Range(1, cells).Select(ExpressionSimulator.CellId));
        string info = $"{entries:N0} non-zeros, {100.0 * entries / ((double)cells * Genes):F1} % dense, simulated and written in {sw.Elapsed.TotalSeconds:F0} s";
        File.WriteAllText(done, info);
        return info;
    }

    private static (int Exit, long PolledKb, double WallS, bool TimedOut) RunChild(string[] childArgs, TimeSpan timeout, string logPath)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(ScaleBenchmark).Assembly.Location);
        psi.FileName = self;
        foreach (var a in childArgs) psi.ArgumentList.Add(a);
        using var log = new StreamWriter(logPath, false) { AutoFlush = true };
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) log.WriteLine(e.Data); Console.Error.WriteLine("  " + e.Data); } };
        var sw = Stopwatch.StartNew();
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        long peak = 0;
        bool timedOut = false;
        while (!p.WaitForExit(500))
        {
            peak = Math.Max(peak, HighWaterKb($"/proc/{p.Id}/status"));
            if (sw.Elapsed > timeout)
            {
                timedOut = true;
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                break;
            }
        }
        p.WaitForExit();
        return (timedOut ? -1 : p.ExitCode, peak, sw.Elapsed.TotalSeconds, timedOut);
    }

    /// <summary>VmHWM (peak resident set) in kB from a /proc status file; 0 when unreadable.</summary>
    internal static long HighWaterKb(string statusPath) => StatusKb(statusPath, "VmHWM:");

    // A kB field of /proc/<pid>/status (VmHWM: peak resident, VmRSS: resident now), 0 when unreadable.
    private static long StatusKb(string statusPath, string field)
    {
        try
        {
            foreach (var l in File.ReadLines(statusPath))
                if (l.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(l[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>The child: one impute run, its stage times and peak RSS written as JSON.</summary>
    internal static int RunOne(string[] args, Func<string, string?> option)
    {
        string input = option("--input") ?? throw new ArgumentException("scale-run: --input is required.");
        string output = option("--output") ?? throw new ArgumentException("scale-run: --output is required.");
        string report = option("--report") ?? throw new ArgumentException("scale-run: --report is required.");
        var ml = new MLContext(Seed);
        var total = Stopwatch.StartNew();
        // The imputer's own stage lines (sub-steps of the graph stage, batching, early stop) with the run's wall clock and
        // the process's CPU time, which a loaded machine inflates far less than wall time.
        ml.Log += (_, e) =>
        {
            if (e.RawMessage.StartsWith("ScGnn:", StringComparison.Ordinal))
                Console.Error.WriteLine($"[{total.Elapsed.TotalSeconds,7:F1} s, cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,7:F1} s, " +
                    $"rss {StatusKb("/proc/self/status", "VmRSS:") / 1048576.0:F2} GB, peak {HighWaterKb("/proc/self/status") / 1048576.0:F2} GB, " +
                    $"gc {GC.GetTotalMemory(false) / (1024.0 * 1024 * 1024):F2} GB live, {GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024 * 1024):F2} GB committed] {e.RawMessage}");
        };
        var sw = Stopwatch.StartNew();
        var matrix = ExpressionFile.Read(input);
        var raw = matrix.ToDataView();
        double read = Lap(sw);
        Console.Error.WriteLine($"read {matrix.CellCount} x {matrix.GeneCount}, {matrix.NonZeroCount} non-zeros: {read:F1} s");

        var selection = ml.Transforms.SelectVariableGenes().Fit(raw);
        var selected = selection.Transform(raw);
        double select = Lap(sw);
        var normalization = ml.Transforms.NormalizeMedianLibrarySize().Fit(selected);
        var normalized = normalization.Transform(selected);
        double normalize = Lap(sw);
        int genesKept = ((Microsoft.ML.Data.VectorDataViewType)selected.Schema[ScGnn.MLNet.ScGnnDefaults.ExpressionColumnName].Type).Size;
        Console.Error.WriteLine($"selected {genesKept} genes: {select:F1} s; normalized: {normalize:F1} s");

        double firstEpoch = double.NaN;
        int epochs = 0;
        var options = new ScGnnOptions
        {
            Epochs = option("--epochs") is { } ep ? int.Parse(ep, CultureInfo.InvariantCulture) : ScGnnTrainer.Defaults.Epochs,
            OutputMode = args.Contains("--smoothed") ? ImputationOutputMode.Smoothed : ImputationOutputMode.ImputeZeros,
            BatchSize = option("--batch-cells") is { } bc ? int.Parse(bc, CultureInfo.InvariantCulture) : null,
            Progress = p =>
            {
                if (epochs++ == 0) firstEpoch = sw.Elapsed.TotalSeconds;
                if (p.Epoch % 50 == 0) Console.Error.WriteLine($"epoch {p.Epoch}: train {p.TrainLoss:G4} validation {p.ValidationLoss:G4} best {p.BestEpoch}");
            },
        };
        var imputer = ml.Transforms.ImputeWithScGnn(options).Fit(normalized);
        double fit = Lap(sw);
        double graph = double.IsNaN(firstEpoch) ? fit : firstEpoch;
        double train = fit - graph;
        Console.Error.WriteLine($"fit: graph {graph:F1} s, train {train:F1} s ({epochs} epochs, kept {imputer.BestEpoch})");

        var scored = imputer.Transform(normalized);
        ExpressionParquetWriter.Write(scored, output, new ExpressionParquetOptions { ExpressionColumnName = options.OutputColumnName });
        double imputeWrite = Lap(sw);
        Console.Error.WriteLine($"impute + write: {imputeWrite:F1} s");
        var r = new RunReport(matrix.CellCount, genesKept, matrix.NonZeroCount, read, select, normalize, graph, train, imputeWrite,
            total.Elapsed.TotalSeconds, HighWaterKb("/proc/self/status"), epochs, imputer.BestEpoch, new FileInfo(output).Length,
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        File.WriteAllText(report, JsonSerializer.Serialize(r));
        return 0;
    }

    private static double Lap(Stopwatch sw)
    {
        double s = sw.Elapsed.TotalSeconds;
        sw.Restart();
        return s;
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.Benchmarks;

/// <summary>
/// `smoothing`: the <see cref="ImputationOutputMode.Smoothed"/> output's stages at scale, on a count folder (the
/// `scale` benchmark's simulation, <c>--input DIR</c>) after <c>SelectVariableGenes</c> and
/// <c>NormalizeMedianLibrarySize</c>: the first half's PCA and neighbour search, each cross-validated k, the final
/// graph, and the output's rows (<c>--rows N</c>, the first N rows in prediction blocks). Each smoothing variant of
/// <c>--sets a;b</c> (<see cref="SmoothingSettings.Parse"/>, each a change to the default; empty: the default) runs on the same matrix in one
/// process, so their times are a pair on one host.
/// </summary>
internal static class SmoothingBenchmark
{
    internal static void Run(Func<string, string?> option, Action<string> line)
    {
        string input = option("--input") ?? throw new ArgumentException("smoothing: --input DIR is required.");
        var sets = (option("--sets") ?? "").Split(';');
        int rows = int.Parse(option("--rows") ?? "0", CultureInfo.InvariantCulture);
        ScGnn.MLNet.Torch.TorchRuntime.EnsureInitialized();
        var ml = new MLContext(1);
        var sw = Stopwatch.StartNew();
        var raw = ExpressionFile.Read(input).ToDataView();
        var selected = ml.Transforms.SelectVariableGenes().Fit(raw).Transform(raw);
        var normalized = ml.Transforms.NormalizeMedianLibrarySize().Fit(selected).Transform(selected);
        var x = CsrMatrix.From(ExpressionMatrix.FromDataView(normalized));
        line($"Data: `{input}`, after `SelectVariableGenes` and `NormalizeMedianLibrarySize`: {x.Rows:N0} cells x {x.Columns:N0} genes, " +
             $"{x.StoredCount:N0} non-zeros; read and preprocessed in {sw.Elapsed.TotalSeconds:F1} s. PCA {ScGnnTrainer.Defaults.PrincipalComponentCount}, " +
             $"model k = {ScGnnTrainer.Defaults.NeighborCount}, graph on log1p; machine load {Load()}.");
        line("");
        line("| settings | stage | s | peak RSS GB |");
        line("|---|---|---:|---:|");
        foreach (string spec in sets)
        {
            // Each variant changes the default (the batch's own basis, the adaptive kernel, the weight by cross-validation).
            var settings = spec == "" ? SmoothingSettings.Default : SmoothingSettings.Parse("basis=batch/decay=1/mix=cv/" + spec);
            string label = spec == "" ? "default" : spec;
            var stage = Stopwatch.StartNew();
            var s = ClusteringOutput.Prepare(null, ScGnnTrainer.Defaults.PrincipalComponentCount, true, ScGnnTrainer.Defaults.NeighborCount, x, settings,
                progress: m =>
                {
                    Console.Error.WriteLine($"[{sw.Elapsed.TotalSeconds,7:F1} s] {m}");
                    line($"| {label} | {m.Replace("ScGnn: ", "").Replace("|", "/")} | {stage.Elapsed.TotalSeconds:F1} | {PeakGb():F2} |");
                    stage.Restart();
                });
            line($"| {label} | chosen: k = {s.NeighborCount}, t = {s.Steps}, weight {s.Weight:0.0#}; held-out loss at t = 0..: " +
                 $"{string.Join(" ", s.Losses.Select(l => l.ToString("G6", CultureInfo.InvariantCulture)))} | | |");
            if (s.Steps > 0 && s.Cells * (long)s.Genes > ScGnnPredictor.BlockBudget)
            {
                var (byRows, byBlocks) = ClusteringOutput.OutputCosts(s.SmoothingGraph!, x, s.Steps);
                line($"| {label} | output by {(s.Spilled ? "gene blocks into a temporary file" : "rows")}; estimated operations by rows {byRows:G3}, by gene blocks {byBlocks:G3} | | |");
            }
            if (rows > 0)
            {
                stage.Restart();
                int n = Math.Min(rows, s.Cells);
                double check = 0;
                // The block the output pulls for a smoothed batch (ImputationBatch.BlockRows).
                int blockRows = (int)Math.Clamp(ScGnnPredictor.BlockBudget / s.Genes, 1, s.Cells);
                for (int at = 0; at < n; at += blockRows)
                {
                    var block = s.Rows(at, Math.Min(blockRows, n - at));
                    check += block.Sum(v => (double)v);
                }
                line($"| {label} | the first {n:N0} output rows (sum {check:G6}) | {stage.Elapsed.TotalSeconds:F1} | {PeakGb():F2} |");
            }
        }
        line("");
    }

    private static double PeakGb()
    {
        foreach (var l in File.ReadLines("/proc/self/status"))
            if (l.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
        return double.NaN;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}

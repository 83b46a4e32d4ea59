using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.Benchmarks;

/// <summary>
/// <c>blackbox</c>: the product judged as a black box. Per dataset and seed, the protocol's masked matrix (PROTOCOL.md:
/// gene selection, median normalization, seeded dropout at <c>min(raw density, 0.3)</c>) is written to a Parquet file
/// and imputed by the built app, <c>scgnn impute --no-filter --no-normalize --seed S</c>, in a child process. The app
/// never sees the masked truth: it draws its own training mask from the remaining non-zeros. Its output is scored on
/// the masked entries of the protocol's test cells (the cells the in-process protocol holds out for that seed), next
/// to the in-process protocol (library default, trained on the given mask) on the same entries; and on every masked
/// entry. Options: <c>--datasets a,b</c>, <c>--seeds N</c> (1..N, default 5), <c>--app PATH</c> (scgnn.dll, default the
/// Release build of src/ScGnn.Samples), <c>--work DIR</c>, <c>--threads N</c> (passed to the app), <c>--own-mask SETTINGS</c>
/// (the app's fit in this process instead, with <c>--set</c>-style overrides, for experiments).
/// </summary>
internal static class BlackBoxBenchmark
{
    private const string Col = ScGnnDefaults.ExpressionColumnName;

    internal static void Run(string dataRoot, string repoRoot, Func<string, string?> option, Action<string> line)
    {
        var datasets = (option("--datasets") ?? "zeisel,pbmc3k,zeisel_saver200").Split(',');
        int seeds = int.Parse(option("--seeds") ?? "5", CultureInfo.InvariantCulture);
        string app = option("--app") ?? Path.Combine(repoRoot, "src", "ScGnn.Samples", "bin", "Release", "net10.0", "scgnn.dll");
        if (!File.Exists(app)) throw new FileNotFoundException($"{app} not found; build it first: dotnet build src/ScGnn.Samples -c Release");
        string work = option("--work") ?? Path.Combine(Path.GetTempPath(), $"scgnn-blackbox-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        string? threads = option("--threads");
        // --own-mask "<settings>": instead of the app, its fit in process with these --set-style overrides ("" for none).
        string? ownMask = option("--own-mask");

        line("Test cells: the protocol's 5 % held-out cells for the seed (10 cells on zeisel_saver200). In-process: " +
             "`ImputationProtocol`'s steps with the library default, trained on the given mask's training-cell entries. " +
             "Black box: `scgnn impute --no-filter --no-normalize --seed S` on the masked matrix written as Parquet; it " +
             "draws its own mask on top. \"all masked\": the black box scored on every masked entry of every cell.");
        line("");
        line("| dataset (cells x genes) | seed | in-process test MSE / r | black-box test MSE / r | black-box all masked MSE / r | test entries | app s |");
        line("|---|---|---|---|---|---|---|");
        var ml = new MLContext(1);
        foreach (var ds in datasets)
        {
            var raw = ml.Data.LoadFrom10x(Path.Combine(dataRoot, ds));
            double rate = DropoutSimulatingEstimator.PaperMaskRate(raw, Col);
            IDataView data = ml.Transforms.SelectVariableGenes(Col, Col).Fit(raw).Transform(raw);
            data = ml.Transforms.NormalizeMedianLibrarySize(Col, Col).Fit(data).Transform(data);
            data = ml.Data.Cache(data);
            var truth = ExpressionMatrix.FromDataView(data);
            var rows = new List<(double InMse, double InR, double BbMse, double BbR, double AllMse, double AllR)>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                var masked = ml.Data.Cache(ml.Transforms.SimulateDropout(new DropoutSimulatingEstimator.Options
                {
                    InputColumnName = Col, OutputColumnName = Col, MaskRate = rate, Seed = seed,
                }).Fit(data).Transform(data));

                // In-process protocol (ImputationProtocol.Run's fold, library default), keeping its test cells.
                var o = new ScGnnOptions { Seed = seed, Device = ScGnnDevice.Cpu, OutputColumnName = "ProtocolImputed",
                    MaskColumnName = DropoutSimulatingEstimator.Defaults.MaskColumnName };
                o.TestFraction = ScGnnTrainer.PaperDefaults.TestFraction;
                // --own-mask with --epochs-in N: the in-process protocol's fit is cut to N epochs (its test cells are the same).
                if (option("--epochs-in") is { } epochsIn) o.Epochs = int.Parse(epochsIn, CultureInfo.InvariantCulture);
                var imputer = ml.Transforms.ImputeWithScGnn(o).Fit(masked);
                var inProcess = ExpressionMatrix.FromDataView(imputer.Transform(masked), o.OutputColumnName);
                var test = new HashSet<int>(imputer.TestCells);

                // Black box: the masked matrix as a file, the app in a child process, its output read back.
                var maskedMatrix = ExpressionMatrix.FromDataView(masked);
                string input = Path.Combine(work, $"{ds}-seed{seed}-masked.parquet");
                string output = Path.Combine(work, $"{ds}-seed{seed}-imputed.parquet");
                ExpressionFile.Write(maskedMatrix, input);
                var sw = Stopwatch.StartNew();
                ExpressionMatrix blackBox;
                if (ownMask is not null)
                {
                    // The app's fit in this process (its own mask, no test cells), with --set overrides: for experiments.
                    var own = new ScGnnOptions { Seed = seed, Device = ScGnnDevice.Cpu };
                    BenchSettings.Apply(own, ownMask);
                    blackBox = ExpressionFile.Read(input);
                    var fitted = ml.Transforms.ImputeWithScGnn(own).Fit(blackBox.ToDataView());
                    blackBox = ExpressionMatrix.FromDataView(fitted.Transform(blackBox.ToDataView()), own.OutputColumnName);
                }
                else
                {
                    RunApp(app, $"impute --input {input} --output {output} --no-filter --no-normalize --seed {seed}" +
                        (threads is null ? "" : $" --threads {threads}"), Path.Combine(work, $"{ds}-seed{seed}.log"));
                    blackBox = ExpressionFile.Read(output);
                }
                double appSeconds = sw.Elapsed.TotalSeconds;
                if (blackBox.CellCount != truth.CellCount || blackBox.GeneCount != truth.GeneCount)
                    throw new InvalidOperationException($"{output}: {blackBox.CellCount} x {blackBox.GeneCount}, expected {truth.CellCount} x {truth.GeneCount}.");

                var (inTest, _) = Score(truth, maskedMatrix, inProcess, test.Contains);
                var (bbTest, entries) = Score(truth, maskedMatrix, blackBox, test.Contains);
                var (bbAll, _) = Score(truth, maskedMatrix, blackBox, _ => true);
                if (option("--detail") is not null) Detail(truth, maskedMatrix, inProcess, blackBox, test, $"{ds} seed {seed}");
                rows.Add((inTest.Mse, inTest.PearsonR, bbTest.Mse, bbTest.PearsonR, bbAll.Mse, bbAll.PearsonR));
                string row = $"| {ds} ({truth.CellCount:N0} x {truth.GeneCount:N0}) | {seed} | {inTest.Mse:F2} / {inTest.PearsonR:F3} | " +
                    $"{bbTest.Mse:F2} / {bbTest.PearsonR:F3} | {bbAll.Mse:F2} / {bbAll.PearsonR:F3} | {entries:N0} | {appSeconds:F1} |";
                line(row);
                File.Delete(input);
                if (File.Exists(output)) File.Delete(output);
            }
            line($"| **{ds} mean** | 1-{seeds} | **{rows.Average(r => r.InMse):F2} / {rows.Average(r => r.InR):F3}** | " +
                 $"**{rows.Average(r => r.BbMse):F2} / {rows.Average(r => r.BbR):F3}** | {rows.Average(r => r.AllMse):F2} / {rows.Average(r => r.AllR):F3} | | |");
        }
        line("");
    }

    /// <summary>
    /// MSE and Pearson r of <paramref name="imputed"/> against <paramref name="truth"/> over the masked entries (non-zero
    /// in the truth, zero in <paramref name="masked"/>) of the cells <paramref name="scored"/> accepts.
    /// </summary>
    internal static (ImputationMetrics Metrics, int Entries) Score(ExpressionMatrix truth, ExpressionMatrix masked, ExpressionMatrix imputed, Func<int, bool> scored)
    {
        var p = new List<float>(); var t = new List<float>();
        for (int i = 0; i < truth.CellCount; i++)
        {
            if (!scored(i)) continue;
            var idx = truth.RowIndices(i); var val = truth.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
                if (val[q] != 0 && masked[i, idx[q]] == 0) { p.Add(imputed[i, idx[q]]); t.Add(val[q]); }
        }
        return (ImputationMetrics.Compute(p.ToArray(), t.ToArray()), p.Count);
    }

    // The test entries with the largest black-box squared errors, with each gene's maximum in the masked matrix (the cap).
    private static void Detail(ExpressionMatrix truth, ExpressionMatrix masked, ExpressionMatrix inProcess, ExpressionMatrix blackBox, HashSet<int> test, string what)
    {
        var maxMasked = new float[truth.GeneCount];
        for (int i = 0; i < masked.CellCount; i++)
        {
            var idx = masked.RowIndices(i); var val = masked.RowValues(i);
            for (int q = 0; q < idx.Length; q++) maxMasked[idx[q]] = Math.Max(maxMasked[idx[q]], val[q]);
        }
        var e = new List<(int Cell, int Gene, float Truth, float In, float Bb)>();
        foreach (int i in test)
        {
            var idx = truth.RowIndices(i); var val = truth.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
                if (val[q] != 0 && masked[i, idx[q]] == 0) e.Add((i, idx[q], val[q], inProcess[i, idx[q]], blackBox[i, idx[q]]));
        }
        double bbTotal = e.Sum(x => (double)(x.Bb - x.Truth) * (x.Bb - x.Truth)), inTotal = e.Sum(x => (double)(x.In - x.Truth) * (x.In - x.Truth));
        Console.Error.WriteLine($"  {what}: {e.Count} entries, black-box SSE {bbTotal:F0}, in-process SSE {inTotal:F0}");
        foreach (var c in test.OrderBy(c => c))
        {
            var ce = e.Where(x => x.Cell == c).ToList();
            Console.Error.WriteLine($"    cell {c} ({truth.CellIds[c]}): {ce.Count} entries, bb SSE {ce.Sum(x => (double)(x.Bb - x.Truth) * (x.Bb - x.Truth)):F0}, in SSE {ce.Sum(x => (double)(x.In - x.Truth) * (x.In - x.Truth)):F0}");
        }
        foreach (var x in e.OrderByDescending(x => (x.Bb - x.Truth) * (x.Bb - x.Truth)).Take(15))
            Console.Error.WriteLine($"    cell {x.Cell} gene {truth.GeneIds[x.Gene]}: truth {x.Truth:F1} black-box {x.Bb:F1} in-process {x.In:F1} gene max (masked) {maxMasked[x.Gene]:F1}");
    }

    private static void RunApp(string app, string arguments, string logPath)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{app}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        File.WriteAllText(logPath, stdout.Result + stderr.Result);
        if (p.ExitCode != 0) throw new InvalidOperationException($"scgnn {arguments} exited {p.ExitCode}; log: {logPath}\n{stderr.Result}");
    }
}

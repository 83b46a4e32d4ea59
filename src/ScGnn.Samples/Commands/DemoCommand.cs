using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Simulation;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>
/// The README's main job (no arguments): simulated data with known groups and true counts -> the paper's pipeline
/// with an evaluation mask -> accuracy on the masked entries and against the true counts -> KMeans on raw and
/// imputed -> save the fitted pipeline as an ML.NET zip and reload it -> figures and report.md.
/// </summary>
internal sealed class DemoCommand : AppCommand
{
    /// <summary>Epochs of the demo: the library default, measured to keep the whole job well under a minute on 2 cores.</summary>
    public const int DefaultEpochs = 1000;

    private readonly Option<string> _out = CliOptions.Text("--out", "folder", "where to write the figures, report.md and model.zip (default: ./scgnn-output)");
    private readonly TrainingOptions _training = new();

    public override IEnumerable<Option> Options => new Option[] { _out }.Concat(_training.All(paper: false));

    public override string Name => "demo";

    public override string Summary => "Run ScGnn end to end on simulated data with known truth (what 'scgnn' does without a command).";

    public override string Details => """
        Simulates 600 cells x 500 genes in 3 groups (Splatter-like, with the counts before dropout kept as ground
        truth), then: gene selection -> median normalization -> simulated dropout of min(density, 0.3) of the
        non-zero entries -> ScGnn (library defaults). Reports accuracy on the hidden entries and against the true
        counts on the simulator's dropout zeros, KMeans / silhouette / ARI / NMI on raw vs imputed, saves the
        fitted pipeline as model.zip and checks that a reloaded copy gives identical output, and writes tsne.png,
        predicted-vs-true.png, loss.png and report.md.
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var outDir = Path.GetFullPath(args.GetValue(_out) ?? "scgnn-output");
        OutputPaths.CheckFolderOutput(outDir, "--out", Array.Empty<string>());
        var settings = _training.Read(args, DefaultEpochs);
        var progress = context.Progress;
        var output = context.Out;
        var total = Stopwatch.StartNew();
        var timings = new List<(string, TimeSpan)>();
        var watch = Stopwatch.StartNew();

        SimulatedExpression sim;
        using (var step = progress.Step("Simulating data"))
        {
            sim = ExpressionSimulator.Simulate(new SimulationOptions { Seed = settings.Seed });
            step.Complete($"{Fmt.N(sim.Observed.CellCount)} cells x {Fmt.N(sim.Observed.GeneCount)} genes, {sim.GroupNames.Count} groups, " +
                $"{Fmt.Percent(sim.Observed.Density)} non-zero ({Fmt.Percent(sim.TrueCounts.Density)} before dropout)");
        }
        timings.Add(("simulate", watch.Elapsed));

        var options = settings.ToOptions(cancellation: context.Cancellation);
        output.WriteLine($"ScGnn: {settings.Describe(options)}");
        var run = MaskedImputationRun.Fit(sim.Observed, options, settings.Seed, context);
        timings.Add(("fit (preprocessing, graph, training)", run.FitTime));
        timings.Add(("impute", run.ImputeTime));

        watch.Restart();
        var (predicted, truth) = run.MaskedEntries();
        var masked = AccuracySection.Create("masked entries",
            $"The evaluation mask hid {Fmt.N(truth.Length)} non-zero entries ({Fmt.Percent(run.MaskRate)} of them, seed {settings.Seed}) " +
            "before training; ScGnn never saw them as inputs or targets. Values are median-normalized counts.",
            predicted, truth);
        var (dzPredicted, dzTruth) = DropoutZeros(sim, run);
        var dropout = AccuracySection.Create("dropout zeros vs true counts",
            $"The simulator's own dropout zeros ({Fmt.N(dzTruth.Length)} entries that are 0 in the observed counts but not in the true " +
            "counts), scored against the true counts normalized with the same per-cell factor as the observed counts.",
            dzPredicted, dzTruth);
        var clustering = run.CompareClustering(sim.Groups, progress);
        timings.Add(("metrics, KMeans, PCA", watch.Elapsed));

        // The fitted pipeline as an ordinary ML.NET zip, reloaded by a new MLContext as another process would.
        watch.Restart();
        Directory.CreateDirectory(outDir);
        var modelPath = Path.Combine(outDir, "model.zip");
        List<string> modelLines;
        using (var step = progress.Step("Saving and reloading model"))
        {
            // Saved without the evaluation mask: the zip is for other data (see the report's "Use it on other data").
            var saved = run.ModelForNewData();
            ModelFile.Save(run.Context, saved, run.Raw.Schema, modelPath);
            var expected = ExpressionMatrix.FromDataView(saved.Transform(run.Raw), "Imputed", null).ToDense();
            var reloaded = ModelFile.Load(new MLContext(seed: 12345), modelPath, out var schema);
            var again = ExpressionMatrix.FromDataView(reloaded.Transform(sim.Observed.ToDataView()), "Imputed", null).ToDense();
            long differing = CountBitDifferences(expected, again);
            string verdict = differing == 0
                ? $"identical output ({Fmt.N(again.Length)} values, bit for bit)"
                : $"DIFFERENT output: {Fmt.N(differing)} of {Fmt.N(again.Length)} values differ";
            var size = new FileInfo(modelPath).Length;
            modelLines = new List<string>
            {
                $"`model.zip` ({Fmt.N(size / 1024)} KB): {string.Join(" -> ", ModelFile.Flatten(saved).Select(t => t.GetType().Name))}, saved with `mlContext.Model.Save`; " +
                "the evaluation mask (`SimulateDropout`) is left out, so applying it hides none of the observed values.",
                $"Reloaded with a new `MLContext` and applied to all observed cells (no mask): {verdict}.",
                "Use it on other data: `scgnn apply --model model.zip --input <data> --output <file>`.",
            };
            step.Complete($"model.zip {Fmt.N(size / 1024)} KB; reloaded model: {verdict}");
            if (differing != 0) throw new CommandFailedException($"the reloaded model's output differs from the fitted model's in {differing} values.");
        }
        timings.Add(("save + reload + re-impute", watch.Elapsed));

        watch.Restart();
        var figures = ReportFigures.Write(outDir, predicted, truth, run.Imputer.TrainingHistory, run.Imputer.BestEpoch, clustering, sim.Groups, settings.Seed, progress, context.Cancellation);
        timings.Add(("t-SNE and figures", watch.Elapsed));
        timings.Add(("total", total.Elapsed));

        var setup = new List<string>
        {
            $"Data: simulated by `ExpressionSimulator` (Splatter-like, seed {settings.Seed}): {Fmt.N(sim.Observed.CellCount)} cells x {Fmt.N(sim.Observed.GeneCount)} genes, " +
            $"{sim.GroupNames.Count} groups, {Fmt.Percent(sim.Observed.Density)} non-zero after the simulated dropout ({Fmt.Percent(sim.TrueCounts.Density)} before).",
            $"Pipeline: `SelectVariableGenes` (variance/(1+mean) > 0.5: {Fmt.N(run.Genes)} genes kept) -> `NormalizeMedianLibrarySize` (median total {Fmt.G(run.Normalization.TargetSum)}) " +
            $"-> `SimulateDropout` (evaluation mask, rate {Fmt.F(run.MaskRate, 3)}) -> `ImputeWithScGnn`.",
            $"ScGnn: {settings.Describe(options)}; {run.Imputer.HiddenUnits} hidden units; epoch kept: {Fmt.KeptEpoch(run.Imputer)}.",
        };
        ReportComposer.Compose("ScGnn on simulated data", setup, new[] { masked, dropout }, clustering, figures, modelLines, timings)
            .Save(Path.Combine(outDir, "report.md"));

        output.WriteLine();
        context.Write(masked.Table());
        output.WriteLine();
        context.Write(dropout.Table());
        output.WriteLine();
        context.Write(clustering.Table());
        output.WriteLine();
        output.WriteLine($"Model reloaded in a new MLContext: {modelLines[1].Split(": ", 2)[1].TrimEnd('.')}.");
        output.WriteLine($"Done in {ProgressReporter.Seconds(total.Elapsed)}. Report, figures and model: {outDir}");
        return 0;
    }

    /// <summary>
    /// Entries the simulator dropped (observed 0, true count > 0) among the kept genes: imputed value vs the true
    /// count scaled by the cell's normalization factor (median total / the cell's observed total over kept genes).
    /// </summary>
    private static (float[] Predicted, float[] Truth) DropoutZeros(SimulatedExpression sim, MaskedImputationRun run)
    {
        var kept = run.Selection.KeptGeneIndices;
        var observed = sim.Observed.SelectGenes(kept);
        var trueCounts = sim.TrueCounts.SelectGenes(kept);
        double target = run.Normalization.TargetSum;
        int genes = observed.GeneCount;
        var predicted = new List<float>();
        var truth = new List<float>();
        var row = new float[genes];
        for (int i = 0; i < observed.CellCount; i++)
        {
            double totalObserved = 0;
            foreach (float v in observed.RowValues(i)) totalObserved += v;
            double factor = target / totalObserved;
            Array.Clear(row);
            var oi = observed.RowIndices(i);
            var ov = observed.RowValues(i);
            for (int k = 0; k < oi.Length; k++) row[oi[k]] = ov[k];
            var ti = trueCounts.RowIndices(i);
            var tv = trueCounts.RowValues(i);
            for (int k = 0; k < ti.Length; k++)
            {
                if (tv[k] == 0 || row[ti[k]] != 0) continue;
                predicted.Add(run.Imputed[(long)i * genes + ti[k]]);
                truth.Add((float)(tv[k] * factor));
            }
        }
        return (predicted.ToArray(), truth.ToArray());
    }

    private static long CountBitDifferences(float[] a, float[] b)
    {
        if (a.Length != b.Length) return Math.Max(a.Length, b.Length);
        long n = 0;
        for (long i = 0; i < a.Length; i++)
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i])) n++;
        return n;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Pipeline;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>
/// <c>scgnn evaluate</c>: the paper's masked-entry protocol (PROTOCOL.md) over several seeds with the library's
/// <see cref="ImputationProtocol"/>, printed like the paper's Table 2, plus clustering scores of raw vs imputed when
/// labels are given.
/// </summary>
internal sealed class EvaluateCommand : AppCommand
{
    private readonly InputOptions _input = new();
    private readonly Option<string> _labels = CliOptions.Text("--labels", "tsv", "cell types (cell<TAB>label TSV, or obs:NAME for an .h5ad obs column): also compare KMeans clustering of raw vs imputed");
    private readonly Option<int?> _folds = CliOptions.Int("--folds", "N", "number of seeds (folds) to average over (default 5)", 1, 1000);
    private readonly Option<string> _json = CliOptions.Text("--json", "file", "also write the per-fold and summary results as JSON");
    private readonly Option<bool> _allMasked = CliOptions.Flag("--score-all-masked", "ScGnn never sees the simulated dropout; score all of it (default: the paper's protocol)");
    private readonly TrainingOptions _training = new();

    public EvaluateCommand() => _training.Seed.Description = "first seed; fold i uses seed + i for its mask and its fit (default 1)";

    public override IEnumerable<Option> Options =>
        _input.All.Concat(new Option[] { _labels, _folds, _training.Seed, _json, _allMasked }).Concat(_training.All(seed: false));

    public override string Name => "evaluate";

    public override string Summary => "The paper's masked-entry protocol over several seeds (MSE / Pearson r, mean ± sd, like its Table 2).";

    public override string Details => """
        Runs ImputationProtocol (PROTOCOL.md): gene selection (variance/(1+mean) > 0.5) and median normalization,
        then per fold a seeded simulated dropout of min(raw density, 0.3) of the non-zero entries, a ScGnn fit and
        MSE / Pearson r / Spearman / median absolute error on the hidden entries the model never trained on. By
        default these are the paper's: the hidden entries of the training cells are the training targets and
        those of the held-out test cells (5 %) are scored. With --score-all-masked ScGnn never sees the hidden
        entries (it draws its own targets) and all of them are scored.

        With --labels: ScGnn is fitted once more on the complete data (no evaluation mask), then KMeans (k = number
        of cell types) on log1p of the normalized counts (raw) and of the imputed counts, once per fold seed;
        silhouette of the types on PCA 50, ARI and NMI of the clusters (mean ± sd over the KMeans seeds).

        Example:
          scgnn evaluate --input ../shared/data/pbmc3k --labels ../shared/data/pbmc3k/labels.tsv --folds 5 --json pbmc3k.json
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var reading = _input.Read(args);
        var input = reading.Path;
        var labelsPath = args.GetValue(_labels);
        int folds = args.GetValue(_folds) ?? 5;
        var settings = _training.Read(args);
        bool allMasked = args.GetValue(_allMasked);
        var jsonPath = args.GetValue(_json);
        if (jsonPath is not null) OutputPaths.CheckFileOutput(jsonPath, "--json", OutputPaths.Inputs(input, labelsPath));
        var progress = context.Progress;
        var output = context.Out;
        var total = Stopwatch.StartNew();

        var data = InputData.Read(reading, labelsPath, progress);
        if (CountCheck.Warning(data, reading, null) is { } notCounts) context.Warn(notCounts);
        bool cluster = data.Labels is not null && ClusteringEvaluator.CanEvaluate(data.Labels);
        if (data.Labels is not null && !cluster)
            output.WriteLine($"  (clustering skipped: {ClusteringComparison.CountClasses(data.Labels)} distinct cell types; 2 to n - 1 needed)");

        // The protocol: one call into the library; progress per fold and per epoch.
        TrainingProgress? training = null;
        var model = settings.ToOptions(progress: p => training?.OnEpoch(p), cancellation: context.Cancellation);
        var protocolOptions = settings.Paper ? ImputationProtocolOptions.Paper() : new ImputationProtocolOptions();
        protocolOptions.Model = model;
        protocolOptions.Folds = folds;
        protocolOptions.FirstSeed = settings.Seed;
        protocolOptions.UseMaskAsTargets = !allMasked;
        int fold = 0;
        void StartFold()
        {
            if (fold >= folds) return;
            progress.Line($"Fold {fold + 1}/{folds} (seed {settings.Seed + fold})");
            training = new TrainingProgress(progress, fold == 0 ? "Preprocessing, mask" : "Mask");
            training.Begin();
        }
        protocolOptions.FoldCompleted = f =>
        {
            training?.Dispose();
            progress.Line($"  scored                        MSE {Fmt.G(f.Unseen.Mse)}, Pearson r {Fmt.F(f.Unseen.PearsonR, 3)} on {Fmt.N(f.Unseen.Count)} entries");
            fold++;
            StartFold();
        };
        StartFold();
        ImputationProtocolResult result;
        try
        {
            var ml = new MLContext(settings.Seed);
            using var log = new LibraryLog(ml, context) { BeforeStage = () => training?.EndPrepare() };
            result = ImputationProtocol.Run(ml, data.Matrix.ToDataView(), protocolOptions);
        }
        finally
        {
            training?.Dispose();
        }

        // Table 2 has only the model's numbers, and so does this table (no "leave zeros" baseline: the protocol
        // does not return the scored true values).
        var summary = result.Unseen;
        string scored = allMasked ? "all masked entries" : "masked entries of the held-out test cells";
        output.WriteLine();
        output.WriteLine($"{data.Name}: {Fmt.N(result.Cells)} cells x {Fmt.N(result.Genes)} kept genes (of {Fmt.N(data.Matrix.GeneCount)}), " +
                         $"mask {Fmt.Percent(result.MaskRate, 2)} of non-zeros, scored on the {scored}; ScGnn {settings.Describe(model).Replace($", seed {model.Seed}", "")}");
        var perFold = new ConsoleTable("fold (seed)", "scored", "MSE", "Pearson r", "Spearman", "median abs error", "best epoch", "fit");
        foreach (var f in result.Folds)
            perFold.Row($"{f.Seed}", Fmt.N(f.Unseen.Count), Fmt.G(f.Unseen.Mse), Fmt.F(f.Unseen.PearsonR, 3), Fmt.F(f.Unseen.SpearmanRho, 3),
                Fmt.G(f.Unseen.MedianAbsoluteError), f.BestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ProgressReporter.Seconds(TimeSpan.FromSeconds(f.FitSeconds)));
        perFold.Rule();
        perFold.Row("mean ± sd", "", Fmt.PlusMinus(summary.Mse.Mean, summary.Mse.StandardDeviation, summary.Mse.Mean >= 100 ? 1 : 2),
            Fmt.PlusMinus(summary.PearsonR.Mean, summary.PearsonR.StandardDeviation, 3),
            Fmt.PlusMinus(summary.SpearmanRho.Mean, summary.SpearmanRho.StandardDeviation, 3),
            Fmt.PlusMinus(summary.MedianAbsoluteError.Mean, summary.MedianAbsoluteError.StandardDeviation, 2), "", "");
        context.Write(perFold);
        output.WriteLine();
        var table2 = new ConsoleTable("dataset", "cells x genes", "% mask", "ScGnn MSE / r");
        table2.Row(data.Name, $"{Fmt.N(data.Matrix.CellCount)} x {Fmt.N(data.Matrix.GeneCount)}", Fmt.F(100 * result.MaskRate, 2),
            $"{Fmt.PlusMinus(summary.Mse.Mean, summary.Mse.StandardDeviation, summary.Mse.Mean >= 100 ? 1 : 2)} / {Fmt.PlusMinus(summary.PearsonR.Mean, summary.PearsonR.StandardDeviation, 3)}");
        context.Write(table2);

        ClusteringComparison? clustering = null;
        if (cluster)
        {
            progress.Line("Clustering: ScGnn on the complete data (no evaluation mask)");
            clustering = CompareClustering(data, settings, context);
            output.WriteLine();
            context.Write(clustering.Table());
            output.WriteLine($"  raw = normalized counts; imputed = ScGnn fitted on them (seed {settings.Seed}), as 'scgnn impute --labels' does. {clustering.Description}");
        }
        if (jsonPath is not null)
            WriteJson(jsonPath, data, settings, model, allMasked, result, clustering);
        output.WriteLine();
        output.WriteLine($"Done in {ProgressReporter.Seconds(total.Elapsed)}." + (jsonPath is null ? "" : $" JSON: {OutputPaths.Full(jsonPath)}"));
        return 0;
    }

    /// <summary>One fit on the complete data (the recipe: selection, normalization, ScGnn), then the clustering evaluation of raw vs imputed.</summary>
    private static ClusteringComparison CompareClustering(InputData data, TrainingSettings settings, CommandContext context)
    {
        var progress = context.Progress;
        var ml = new MLContext(settings.Seed);
        using var log = new LibraryLog(ml, context);
        var raw = data.Matrix.ToDataView();
        using var training = new TrainingProgress(progress, "Gene selection, normalization");
        log.BeforeStage = training.EndPrepare;
        var options = settings.ToOptions(progress: training.OnEpoch, cancellation: context.Cancellation);
        training.Begin();
        var model = ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions { Imputation = options }).Fit(raw);
        var scored = model.Transform(raw);
        training.Dispose();
        var normalized = ExpressionMatrix.FromDataView(scored, ScGnnDefaults.ExpressionColumnName, null);
        var imputed = ExpressionMatrix.FromDataView(scored, options.OutputColumnName, null);
        // The output meant for clustering, from the same fit.
        var imputer = ModelFile.FindImputer(model)!;
        var smoothedColumn = options.OutputColumnName + "Smoothed";
        return ClusteringComparison.Run(new (string, Func<ExpressionMatrix>)[]
        {
            (MaskedImputationRun.RawRow, () => normalized),
            (MaskedImputationRun.ImputedRow, () => imputed),
            (MaskedImputationRun.SmoothedRow, () => ExpressionMatrix.FromDataView(
                imputer.WithOutputMode(ImputationOutputMode.Smoothed, smoothedColumn).Transform(scored), smoothedColumn, null)),
        }, data.Labels!, progress);
    }

    private static void WriteJson(string path, InputData data, TrainingSettings settings, ScGnnOptions options, bool allMasked,
        ImputationProtocolResult result, ClusteringComparison? clustering)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("dataset", data.Name);
            w.WriteString("input", Path.GetFullPath(data.Path));
            w.WriteNumber("cells", result.Cells);
            w.WriteNumber("genes", data.Matrix.GeneCount);
            w.WriteNumber("keptGenes", result.Genes);
            w.WriteNumber("maskRate", result.MaskRate);
            w.WriteString("configuration", settings.Paper ? "paper" : "library-defaults");
            w.WriteNumber("epochs", options.Epochs);
            w.WriteString("scored", allMasked ? "all-masked-entries" : "test-cell-masked-entries");
            w.WriteStartArray("folds");
            foreach (var f in result.Folds)
            {
                w.WriteStartObject();
                w.WriteNumber("seed", f.Seed);
                WriteMetrics(w, "unseen", f.Unseen);
                if (f.Seen is { } seen) WriteMetrics(w, "seen", seen);
                w.WriteNumber("bestEpoch", f.BestEpoch);
                w.WriteNumber("fitSeconds", Math.Round(f.FitSeconds, 3));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            WriteStatistic(w, "mse", result.Unseen.Mse);
            WriteStatistic(w, "pearsonR", result.Unseen.PearsonR);
            WriteStatistic(w, "spearmanRho", result.Unseen.SpearmanRho);
            WriteStatistic(w, "medianAbsoluteError", result.Unseen.MedianAbsoluteError);
            w.WriteEndObject();
            clustering?.WriteJson(w);
            w.WriteEndObject();
        });
    }

    private static void WriteMetrics(Utf8JsonWriter w, string name, ImputationMetrics m)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", m.Count);
        Number(w, "mse", m.Mse);
        Number(w, "pearsonR", m.PearsonR);
        Number(w, "spearmanRho", m.SpearmanRho);
        Number(w, "medianAbsoluteError", m.MedianAbsoluteError);
        w.WriteEndObject();
    }

    private static void WriteStatistic(Utf8JsonWriter w, string name, MetricStatistic s)
    {
        w.WriteStartObject(name);
        Number(w, "mean", s.Mean);
        Number(w, "sd", s.StandardDeviation);
        w.WriteNumber("runs", s.Count);
        w.WriteEndObject();
    }

    // JSON has no NaN: undefined values (a correlation of a constant, an sd of one run) are null.
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}

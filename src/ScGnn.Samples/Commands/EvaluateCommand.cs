using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>
/// <c>scgnn evaluate</c>: the paper's masked-entry protocol (PROTOCOL.md) over several seeds, printed like the paper's
/// Table 2, plus clustering scores raw vs imputed when labels are given.
/// </summary>
/// <remarks>
/// The protocol loop lives here, in one place (<see cref="RunFold"/>), built from the library's public pieces:
/// SelectVariableGenes -> NormalizeMedianLibrarySize -> SimulateDropout (rate min(raw density, 0.3), seed = fold
/// seed) -> ImputeWithScGnn (seed = fold seed), scored with <see cref="ImputationEvaluator"/> on the DropoutMask
/// entries. ScGnn draws its own training targets from the entries left, so the scored entries are never seen. When
/// the library's <c>ImputationProtocol.Run</c> is available, <see cref="RunFold"/> is what it replaces.
/// </remarks>
internal sealed class EvaluateCommand : Command
{
    private static readonly OptionSpec[] Specs =
    {
        ImputeCommand.InputOption,
        new("labels", "tsv", "cell types (cell<TAB>label): also compare KMeans clustering of raw vs imputed"),
        new("folds", "N", "number of seeds (folds) to average over (default 5)"),
        new("seed", "N", "first seed; fold i uses seed + i for its mask and its fit (default 1)"),
        new("json", "file", "also write the per-fold and summary results as JSON"),
        TrainingSettings.EpochsOption,
        TrainingSettings.PaperOption,
        TrainingSettings.ThreadsOption,
    };

    public override string Name => "evaluate";

    public override string Summary => "The paper's masked-entry protocol over several seeds (MSE / Pearson r, mean ± sd, like its Table 2).";

    public override string Usage => "evaluate --input <path> [--labels <tsv>] [--folds 5] [--seed 1] [--json <file>] [options]";

    public override IReadOnlyList<OptionSpec> Options => Specs;

    public override string Details => """
        Each fold: gene selection (variance/(1+mean) > 0.5) -> median normalization -> hide min(raw density, 0.3)
        of the non-zero entries (seeded) -> ScGnn -> MSE, Pearson r, Spearman and median absolute error of the
        imputed values on the hidden entries (never used for training). 'leave zeros' is the error of not
        imputing. With --labels: KMeans (k = number of cell types) on log1p of the imputer's input (raw) and of
        its output (imputed); silhouette of the types on PCA 50; ARI and NMI of the clusters.

        Example:
          scgnn evaluate --input data/zeisel --labels data/zeisel/labels.tsv --folds 5 --json zeisel.json
        """;

    public override int Run(ParsedArguments args, CommandContext context)
    {
        var input = args.Required("input");
        var labelsPath = args.Value("labels");
        int folds = args.Int("folds", 1, 1000) ?? 5;
        var settings = TrainingSettings.From(args);
        var jsonPath = args.Value("json");
        if (jsonPath is not null) OutputPaths.CheckFileOutput(jsonPath, "--json", input);
        var progress = context.Progress;
        var output = context.Out;
        var total = Stopwatch.StartNew();

        var data = InputData.Read(input, labelsPath, progress);
        bool cluster = data.Labels is not null && ClusteringAnalysis.CanScore(data.Labels);
        if (data.Labels is not null && !cluster)
            output.WriteLine($"  (clustering skipped: {ClusteringAnalysis.ClassCount(data.Labels)} distinct cell types; 2 to n - 1 needed)");
        double maskRate = Math.Min(data.Matrix.Density, 0.3);

        var results = new List<FoldResult>();
        for (int f = 0; f < folds; f++)
        {
            int seed = settings.Seed + f;
            progress.Line($"Fold {f + 1}/{folds} (seed {seed})");
            results.Add(RunFold(data, settings, seed, maskRate, cluster, progress, context.Cancellation));
        }

        var summary = ImputationMetricsSummary.Summarize(results.Select(r => r.Metrics));
        var zeros = ImputationMetricsSummary.Summarize(results.Select(r => r.Zeros));
        var options = settings.ToOptions();
        output.WriteLine();
        output.WriteLine($"{data.Name}: {Fmt.N(data.Matrix.CellCount)} cells x {Fmt.N(results[0].KeptGenes)} kept genes (of {Fmt.N(data.Matrix.GeneCount)}), " +
                         $"mask {Fmt.Percent(maskRate, 2)} of non-zeros, ScGnn {settings.Describe(options).Replace($", seed {options.Seed}", "")}, seeds {settings.Seed}-{settings.Seed + folds - 1}");
        var perFold = new ConsoleTable("fold (seed)", "masked", "MSE", "Pearson r", "Spearman", "median abs error", "leave-zeros MSE", "fit");
        foreach (var r in results)
            perFold.Row($"{r.Seed}", Fmt.N(r.Metrics.Count), Fmt.G(r.Metrics.Mse), Fmt.F(r.Metrics.PearsonR, 3), Fmt.F(r.Metrics.SpearmanRho, 3),
                Fmt.G(r.Metrics.MedianAbsoluteError), Fmt.G(r.Zeros.Mse), ProgressReporter.Seconds(r.FitTime));
        perFold.Rule();
        perFold.Row("mean ± sd", "", Fmt.PlusMinus(summary.Mse.Mean, summary.Mse.StandardDeviation, 2),
            Fmt.PlusMinus(summary.PearsonR.Mean, summary.PearsonR.StandardDeviation, 3),
            Fmt.PlusMinus(summary.SpearmanRho.Mean, summary.SpearmanRho.StandardDeviation, 3),
            Fmt.PlusMinus(summary.MedianAbsoluteError.Mean, summary.MedianAbsoluteError.StandardDeviation, 2),
            Fmt.PlusMinus(zeros.Mse.Mean, zeros.Mse.StandardDeviation, 2), "");
        output.WriteLine(perFold);
        output.WriteLine();
        var table2 = new ConsoleTable("dataset", "cells x genes", "% mask", "ScGnn MSE / r");
        table2.Row(data.Name, $"{Fmt.N(data.Matrix.CellCount)} x {Fmt.N(data.Matrix.GeneCount)}", Fmt.F(100 * maskRate, 2),
            $"{Fmt.PlusMinus(summary.Mse.Mean, summary.Mse.StandardDeviation, 2)} / {Fmt.PlusMinus(summary.PearsonR.Mean, summary.PearsonR.StandardDeviation, 3)}");
        output.WriteLine(table2);

        ClusteringSummary? clusteringSummary = null;
        if (cluster)
        {
            clusteringSummary = ClusteringSummary.From(results.Select(r => r.Clustering!).ToList());
            output.WriteLine();
            output.WriteLine(clusteringSummary.Table(ClusteringAnalysis.ClassCount(data.Labels!)));
            output.WriteLine("  Top: the complete data, raw vs the fold's imputer applied to it; bottom: the imputer's masked input vs its output.");
            output.WriteLine("  Silhouette of the labels on PCA 50 of log1p values; ARI and NMI of KMeans clusters vs the labels.");
        }
        if (jsonPath is not null)
            WriteJson(jsonPath, data, maskRate, settings, options, results, summary, zeros, clusteringSummary);
        output.WriteLine();
        output.WriteLine($"Done in {ProgressReporter.Seconds(total.Elapsed)}." + (jsonPath is null ? "" : $" JSON: {OutputPaths.Full(jsonPath)}"));
        return 0;
    }

    /// <summary>One fold of the protocol (see the class remarks).</summary>
    private static FoldResult RunFold(InputData data, TrainingSettings settings, int seed, double maskRate, bool cluster,
        ProgressReporter progress, CancellationToken cancellation)
    {
        var ml = new MLContext(seed);
        var raw = data.Matrix.ToDataView();
        using var training = new TrainingProgress(progress, "Preprocessing, PCA, kNN graph");
        var options = settings.ToOptions(seed, training.OnEpoch, cancellation);
        var pipeline = ml.Transforms.SelectVariableGenes()
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Append(ml.Transforms.SimulateDropout(maskRate: maskRate, seed: seed))
            .Append<ITransformer>(ml.Transforms.ImputeWithScGnn(options));
        var watch = Stopwatch.StartNew();
        training.Begin();
        var model = pipeline.Fit(raw);
        var scored = model.Transform(raw);

        using var step = progress.Step("Imputing and scoring");
        var evaluation = ImputationEvaluator.Evaluate(scored, options.OutputColumnName, ImputationEvaluator.Defaults.DropoutMaskColumnName);
        var fitTime = watch.Elapsed;
        var mask = ExpressionMatrix.FromDataView(scored, ImputationEvaluator.Defaults.DropoutMaskColumnName, null);
        var truth = mask.Values.ToArray().Where(v => v != 0).ToArray();
        var zeros = ImputationMetrics.Compute(new float[truth.Length], truth);
        int kept = ModelFile.Flatten(model).OfType<VariableGeneSelectingTransformer>().First().KeptGeneIndices.Count;
        step.Complete($"MSE {Fmt.G(evaluation.Overall.Mse)}, Pearson r {Fmt.F(evaluation.Overall.PearsonR, 3)}");

        ClusteringComparison? clustering = null;
        if (cluster)
        {
            var parts = ModelFile.Flatten(model).ToList();
            clustering = MaskedImputationRun.CompareClustering(data.Labels!, seed, progress,
                () =>
                {
                    // Complete data: the fold's fitted selection and normalization, then its fitted imputer (no retraining).
                    var normalized = parts.OfType<LibrarySizeNormalizingTransformer>().First()
                        .Transform(parts.OfType<VariableGeneSelectingTransformer>().First().Transform(raw));
                    var imputed = parts.OfType<ScGnnImputationTransformer>().First().Transform(normalized);
                    return (ExpressionMatrix.FromDataView(normalized, ScGnnDefaults.ExpressionColumnName, null),
                        ExpressionMatrix.FromDataView(imputed, options.OutputColumnName, null));
                },
                () => ExpressionMatrix.FromDataView(scored, ScGnnDefaults.ExpressionColumnName, null),
                () => ExpressionMatrix.FromDataView(scored, options.OutputColumnName, null));
        }
        return new FoldResult(seed, kept, evaluation.Overall, zeros, fitTime, clustering);
    }

    private static void WriteJson(string path, InputData data, double maskRate, TrainingSettings settings, ScGnnOptions options,
        List<FoldResult> results, ImputationMetricsSummary summary, ImputationMetricsSummary zeros, ClusteringSummary? clustering)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("dataset", data.Name);
            w.WriteString("input", Path.GetFullPath(data.Path));
            w.WriteNumber("cells", data.Matrix.CellCount);
            w.WriteNumber("genes", data.Matrix.GeneCount);
            w.WriteNumber("keptGenes", results[0].KeptGenes);
            w.WriteNumber("maskRate", maskRate);
            w.WriteString("configuration", settings.Paper ? "paper" : "library-defaults");
            w.WriteNumber("epochs", options.Epochs);
            w.WriteStartArray("folds");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteNumber("seed", r.Seed);
                WriteMetrics(w, "scgnn", r.Metrics);
                WriteMetrics(w, "leaveZeros", r.Zeros);
                w.WriteNumber("fitSeconds", Math.Round(r.FitTime.TotalSeconds, 3));
                if (r.Clustering is { } c)
                {
                    w.WriteStartArray("clustering");
                    foreach (var (name, outcome) in c.Rows) WriteClustering(w, name, outcome);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            WriteSummary(w, "scgnn", summary);
            WriteSummary(w, "leaveZeros", zeros);
            clustering?.WriteJson(w);
            w.WriteEndObject();
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

    private static void WriteClustering(Utf8JsonWriter w, string name, ClusteringOutcome o)
    {
        w.WriteStartObject();
        w.WriteString("data", name);
        Number(w, "silhouette", o.Silhouette);
        Number(w, "adjustedRandIndex", o.AdjustedRandIndex);
        Number(w, "normalizedMutualInformation", o.NormalizedMutualInformation);
        w.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter w, string name, ImputationMetricsSummary s)
    {
        w.WriteStartObject(name);
        WriteStatistic(w, "mse", s.Mse);
        WriteStatistic(w, "pearsonR", s.PearsonR);
        WriteStatistic(w, "spearmanRho", s.SpearmanRho);
        WriteStatistic(w, "medianAbsoluteError", s.MedianAbsoluteError);
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

    private sealed record FoldResult(int Seed, int KeptGenes, ImputationMetrics Metrics, ImputationMetrics Zeros, TimeSpan FitTime,
        ClusteringComparison? Clustering);

    /// <summary>Mean ± sd over folds of each clustering row (same rows in every fold).</summary>
    private sealed record ClusteringSummary(IReadOnlyList<(string Name, MetricStatistic Silhouette, MetricStatistic Ari, MetricStatistic Nmi)> Rows)
    {
        public static ClusteringSummary From(IReadOnlyList<ClusteringComparison> folds)
        {
            var rows = new List<(string, MetricStatistic, MetricStatistic, MetricStatistic)>();
            for (int r = 0; r < folds[0].Rows.Count; r++)
            {
                MetricStatistic S(Func<ClusteringOutcome, double> f) => new(folds.Select(c => f(c.Rows[r].Outcome)).ToArray());
                rows.Add((folds[0].Rows[r].Name, S(o => o.Silhouette), S(o => o.AdjustedRandIndex), S(o => o.NormalizedMutualInformation)));
            }
            return new ClusteringSummary(rows);
        }

        public void WriteJson(Utf8JsonWriter w)
        {
            w.WriteStartArray("clustering");
            foreach (var (name, sil, ari, nmi) in Rows)
            {
                w.WriteStartObject();
                w.WriteString("data", name);
                WriteStatistic(w, "silhouette", sil);
                WriteStatistic(w, "adjustedRandIndex", ari);
                WriteStatistic(w, "normalizedMutualInformation", nmi);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        public ConsoleTable Table(int k)
        {
            static string P(MetricStatistic s) => Fmt.PlusMinus(s.Mean, s.StandardDeviation, 3);
            var t = new ConsoleTable($"clustering (KMeans k = {k}, log1p; mean ± sd)", "silhouette", "ARI", "NMI");
            for (int r = 0; r < Rows.Count; r++)
            {
                if (r > 0 && r % 2 == 0) t.Rule();
                t.Row(Rows[r].Name, P(Rows[r].Silhouette), P(Rows[r].Ari), P(Rows[r].Nmi));
            }
            return t;
        }
    }
}

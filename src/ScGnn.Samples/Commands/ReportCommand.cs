using System.CommandLine;
using System.Diagnostics;
using ScGnn.MLNet.Evaluation;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary><c>scgnn report</c>: fit with an evaluation mask on a labelled dataset, write the three figures and report.md.</summary>
internal sealed class ReportCommand : AppCommand
{
    private readonly InputOptions _input = new();
    private readonly Option<string> _labels = CliOptions.Text("--labels", "tsv", "cell types, two columns 'cell<TAB>label' (header optional), or obs:NAME for an .h5ad obs column", required: true);
    private readonly Option<string> _out = CliOptions.Text("--out", "folder", "where to write tsne.png, predicted-vs-true.png, loss.png and report.md", required: true);
    private readonly TrainingOptions _training = new();

    public override IEnumerable<Option> Options => _input.All.Concat(new Option[] { _labels, _out }).Concat(_training.All());

    public override string Name => "report";

    public override string Summary => "Figures and a short report.md for a dataset with known cell types.";

    public override string Details => """
        Gene selection -> median normalization -> an evaluation mask of min(raw density, 0.3) of the non-zero
        entries -> ScGnn (library defaults unless --paper-defaults). Then: accuracy on the masked entries, KMeans
        / silhouette / ARI / NMI on raw vs imputed, t-SNE maps side by side, predicted vs true, loss curves.

        Example:
          scgnn report --input ../shared/data/pbmc3k --labels ../shared/data/pbmc3k/labels.tsv --out pbmc3k-report
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var reading = _input.Read(args);
        var input = reading.Path;
        var labelsPath = args.GetRequiredValue(_labels);
        var outDir = Path.GetFullPath(args.GetRequiredValue(_out));
        OutputPaths.CheckFolderOutput(outDir, "--out", OutputPaths.Inputs(input, labelsPath));
        var settings = _training.Read(args);
        var progress = context.Progress;
        var total = Stopwatch.StartNew();
        var timings = new List<(string, TimeSpan)>();

        var data = InputData.Read(reading, labelsPath, progress);
        if (CountCheck.Warning(data, reading, null) is { } notCounts) context.Warn(notCounts);
        var labels = data.Labels!;
        bool scorable = ClusteringEvaluator.CanEvaluate(labels);
        timings.Add(("read", total.Elapsed));

        var options = settings.ToOptions(cancellation: context.Cancellation);
        context.Out.WriteLine($"ScGnn: {settings.Describe(options)}");
        var run = MaskedImputationRun.Fit(data.Matrix, options, settings.Seed, context);
        timings.Add(("fit (preprocessing, graph, training)", run.FitTime));
        timings.Add(("impute", run.ImputeTime));

        var watch = Stopwatch.StartNew();
        var (predicted, truth) = run.MaskedEntries();
        var masked = AccuracySection.Create("masked entries",
            $"The evaluation mask hid {Fmt.N(truth.Length)} non-zero entries ({Fmt.Percent(run.MaskRate)} of them, seed {settings.Seed}) " +
            "before training; ScGnn never saw them as inputs or targets. Values are median-normalized counts.",
            predicted, truth);
        ClusteringComparison? clustering = scorable
            ? run.CompareClustering(labels, progress)
            : null;
        timings.Add(("metrics, KMeans, PCA", watch.Elapsed));

        watch.Restart();
        Directory.CreateDirectory(outDir);
        var figures = ReportFigures.Write(outDir, predicted, truth, run.Imputer.TrainingHistory, run.Imputer.BestEpoch, clustering, scorable ? labels : null,
            settings.Seed, progress, context.Cancellation);
        timings.Add(("t-SNE and figures", watch.Elapsed));
        timings.Add(("total", total.Elapsed));

        var setup = new List<string>
        {
            $"Data: `{data.Path}`: {Fmt.N(data.Matrix.CellCount)} cells x {Fmt.N(data.Matrix.GeneCount)} genes, {Fmt.Percent(data.Matrix.Density)} non-zero; " +
            $"{ClusteringComparison.CountClasses(labels)} cell types from `{labelsPath}`.",
            $"Pipeline: `SelectVariableGenes` (variance/(1+mean) > 0.5: {Fmt.N(run.Genes)} genes kept) -> `NormalizeMedianLibrarySize` (median total {Fmt.G(run.Normalization.TargetSum)}) " +
            $"-> `SimulateDropout` (evaluation mask, rate {Fmt.F(run.MaskRate, 3)}) -> `ImputeWithScGnn`.",
            $"ScGnn: {settings.Describe(options)}; {run.Imputer.HiddenUnits} hidden units; epoch kept: {Fmt.KeptEpoch(run.Imputer)}.",
        };
        if (!scorable) setup.Add($"Clustering scores and t-SNE skipped: {ClusteringComparison.CountClasses(labels)} distinct cell types (2 to n - 1 needed).");
        ReportComposer.Compose($"ScGnn on {data.Name}", setup, new[] { masked }, clustering, figures, null, timings)
            .Save(Path.Combine(outDir, "report.md"));

        context.Out.WriteLine();
        context.Write(masked.Table());
        if (clustering is not null)
        {
            context.Out.WriteLine();
            context.Write(clustering.Table());
        }
        context.Out.WriteLine();
        context.Out.WriteLine($"Done in {ProgressReporter.Seconds(total.Elapsed)}. Report and figures: {outDir}");
        return 0;
    }
}

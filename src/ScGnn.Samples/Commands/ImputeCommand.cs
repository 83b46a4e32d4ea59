using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>
/// <c>scgnn impute</c>: read, select genes, normalize, fit ScGnn, write the imputed matrix (and optionally the model).
/// Its wall time is a benchmark, so it does only that: no t-SNE, no extra passes unless --labels asks for scores.
/// </summary>
internal sealed class ImputeCommand : AppCommand
{
    /// <summary>The input option every command that reads a dataset declares.</summary>
    public static Option<string> InputOption() =>
        CliOptions.Text("--input", "path", "10x folder, .mtx[.gz], .csv[.gz], .tsv[.gz] or .parquet (cells x genes)", required: true);

    private readonly Option<string> _input = InputOption();
    private readonly Option<string> _output = CliOptions.Text("--output", "path", "imputed matrix: .csv, .tsv, .parquet, or a folder for 10x", required: true);
    private readonly Option<string> _model = CliOptions.Text("--model", "zip", "also save the fitted pipeline (gene selection, normalization, imputer) as an ML.NET model zip");
    private readonly Option<string> _labels = CliOptions.Text("--labels", "tsv", "cell types (cell<TAB>label): afterwards compare KMeans clustering of raw vs imputed");
    private readonly Option<bool> _noFilter = CliOptions.Flag("--no-filter", "skip gene selection (variance/(1+mean) > 0.5): impute every gene");
    private readonly Option<bool> _noNormalize = CliOptions.Flag("--no-normalize", "skip median library-size normalization: impute the values as given");
    private readonly TrainingOptions _training = new();

    public override IEnumerable<Option> Options =>
        new Option[] { _input, _output, _model, _labels, _noFilter, _noNormalize }.Concat(_training.All());

    public override string Name => "impute";

    public override string Summary => "Impute dropout zeros of a dataset with ScGnn and write the imputed matrix.";

    public override string Details => """
        The output has one row per cell and one column per gene kept (all genes with --no-filter); zero entries
        hold ScGnn's predictions and observed values are kept. CSV/TSV: header 'cell' then the gene ids, the cell
        id first on each line, invariant culture, shortest round-trip floats. The output is written atomically.

        With --no-filter --no-normalize the input is taken as already selected and normalized and imputed as it
        is (real-valued MatrixMarket is accepted). 'scgnn apply --model <zip>' on the same input writes a
        byte-identical file.

        Examples:
          scgnn impute --input data/pbmc3k --output pbmc3k-imputed.csv --paper-defaults
          scgnn impute --input counts.parquet --output imputed/ --model imputer.zip --labels labels.tsv
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var input = args.GetRequiredValue(_input);
        var output = args.GetRequiredValue(_output);
        var modelPath = args.GetValue(_model);
        var labelsPath = args.GetValue(_labels);
        bool filter = !args.GetValue(_noFilter), normalize = !args.GetValue(_noNormalize);
        var settings = _training.Read(args);
        OutputPaths.CheckExpressionOutput(output, input);
        if (modelPath is not null) OutputPaths.CheckFileOutput(modelPath, "--model", input);
        var progress = context.Progress;
        var total = Stopwatch.StartNew();

        var data = InputData.Read(input, labelsPath, progress);
        if (data.Labels is not null && !ClusteringAnalysis.CanScore(data.Labels))
            throw new CommandFailedException($"{labelsPath}: the cells have {ClusteringAnalysis.ClassCount(data.Labels)} distinct labels; clustering scores need 2 to {data.Matrix.CellCount - 1}.");
        var ml = new MLContext(settings.Seed);
        var raw = data.Matrix.ToDataView();

        using var training = new TrainingProgress(progress, (filter ? "Gene selection, " : "") + (normalize ? "normalization, " : "") + "PCA, kNN graph");
        var options = settings.ToOptions(progress: training.OnEpoch, cancellation: context.Cancellation);
        var pipeline = new EstimatorChain<ITransformer>();
        if (filter) pipeline = pipeline.Append<ITransformer>(ml.Transforms.SelectVariableGenes());
        if (normalize) pipeline = pipeline.Append<ITransformer>(ml.Transforms.NormalizeMedianLibrarySize());
        pipeline = pipeline.Append<ITransformer>(ml.Transforms.ImputeWithScGnn(options));
        context.Out.WriteLine($"ScGnn: {settings.Describe(options)}");
        training.Begin();
        var model = pipeline.Fit(raw);
        training.Dispose();

        ExpressionMatrix imputed;
        IDataView scored;
        using (var step = progress.Step("Imputing (graph + forward)"))
        {
            scored = model.Transform(raw);
            imputed = ExpressionMatrix.FromDataView(scored, options.OutputColumnName, ScGnnDefaults.CellIdColumnName);
            step.Complete($"{Fmt.N(imputed.CellCount)} cells x {Fmt.N(imputed.GeneCount)} genes");
        }
        using (var step = progress.Step("Writing " + Path.GetFileName(Path.TrimEndingDirectorySeparator(output))))
        {
            ExpressionFile.Write(imputed, output);
            if (modelPath is not null) ModelFile.Save(ml, model, raw.Schema, modelPath);
            step.Complete(modelPath is null ? null : $"model {Path.GetFileName(modelPath)} ({Fmt.N(new FileInfo(modelPath).Length / 1024)} KB)");
        }

        if (data.Labels is not null)
        {
            var comparison = ClusteringComparison.Run(new (string, Func<ExpressionMatrix>)[]
            {
                (normalize ? "raw (normalized)" : "raw (as given)",
                    () => ExpressionMatrix.FromDataView(scored, ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName)),
                ("ScGnn imputed", () => imputed),
            }, data.Labels, settings.Seed, progress);
            context.Out.WriteLine();
            context.Write(comparison.Table());
            context.Out.WriteLine("  raw = the imputer's input; silhouette of the labels on PCA 50 of log1p values; ARI/NMI of KMeans vs the labels.");
            context.Out.WriteLine();
        }
        var imputer = ModelFile.FindImputer(model)!;
        context.Out.WriteLine($"Wrote {OutputPaths.Full(output)} ({Fmt.N(imputed.CellCount)} cells x {Fmt.N(imputed.GeneCount)} genes; best epoch {imputer.BestEpoch}) in {ProgressReporter.Seconds(total.Elapsed)}.");
        if (modelPath is not null) context.Out.WriteLine($"Saved model {OutputPaths.Full(modelPath)}; use: scgnn apply --model {modelPath} --input <data> --output <path>");
        return 0;
    }
}

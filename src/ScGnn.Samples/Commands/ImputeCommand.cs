using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Pipeline;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>
/// <c>scgnn impute</c>: read, select genes, normalize, fit ScGnn, write the imputed matrix (and optionally the model).
/// Its wall time is a benchmark, so it does only that: no t-SNE, no extra passes unless --labels asks for scores.
/// </summary>
internal sealed class ImputeCommand : AppCommand
{
    private readonly InputOptions _input = new();
    private readonly Option<string> _output = CliOptions.Text("--output", "path", "imputed matrix: .h5ad (input obs/var carried), .csv, .tsv, .parquet, or a folder for 10x", required: true);
    private readonly Option<string> _model = CliOptions.Text("--model", "zip", "also save the fitted pipeline (gene selection, normalization, imputer) as an ML.NET model zip");
    private readonly Option<string> _labels = CliOptions.Text("--labels", "tsv", "cell types (cell<TAB>label TSV, or obs:NAME for an .h5ad obs column): afterwards compare KMeans clustering of raw vs imputed");
    private readonly Option<bool> _noFilter = CliOptions.Flag("--no-filter", "skip gene selection (variance/(1+mean) > 0.5): impute every gene");
    private readonly Option<bool> _noNormalize = CliOptions.Flag("--no-normalize", "skip median library-size normalization: impute the values as given");
    private readonly Option<bool> _smoothed = CliOptions.Flag("--smoothed",
        "write the output for clustering and visualisation instead (ImputationOutputMode.Smoothed): the input smoothed over the cell graph");
    private readonly TrainingOptions _training = new();

    public override IEnumerable<Option> Options =>
        _input.All.Concat(new Option[] { _output, _model, _labels, _noFilter, _noNormalize, _smoothed }).Concat(_training.All());

    public override string Name => "impute";

    public override string Summary => "Impute dropout zeros of a dataset with ScGnn and write the imputed matrix.";

    public override string Details => """
        What the output holds: one row per cell and one column per kept gene. Genes are kept by the paper's rule,
        variance/(1+mean) > 0.5 on the raw counts (sample variance; every gene with --no-filter). Values are
        median-normalized (each cell scaled to the median cell total over the kept genes, as scanpy's
        normalize_total; as given with --no-normalize): observed values as they are, zeros filled with ScGnn's
        predictions. Genes are named by the input's ids (Ensembl ids of a 10x features.tsv, or symbols with
        --gene-symbols). The final line repeats this with the numbers of this run.

        An .h5ad input is read from X, or from layers/NAME with --layer NAME, or from raw/X with --raw (scanpy
        keeps the counts there when X is log-normalized). Gene selection and normalization expect raw counts: when
        the values read are not whole numbers, a warning names the first such entry and the file's other matrices.

        CSV/TSV: header 'cell' then the gene ids, the cell id first on each line, invariant culture, shortest
        round-trip floats. .h5ad: a dense float32 X (every entry is filled) with the input's obs and var (kept
        genes) and uns['scgnn'] (version, settings, kept genes, the input matrix read); --labels obs:NAME takes the cell types from an
        .h5ad input's obs column.
        The output type comes from its name (.h5ad, .csv, .tsv, .parquet, or a folder for 10x); it
        is checked, with the folder, before any work. Outputs are written to temporary files and moved into place
        together at the end; an existing output is replaced and the final line says so. No output may be an input.

        With --smoothed every entry is instead the input partly diffused over a cell graph in ScGnn's PCA space
        (MAGIC's adaptive kernel), with k, the number of steps and the weight of the smoothed values chosen for the
        data by molecular cross-validation: the output to cluster,
        embed or plot (KMeans agrees better with known cell types on it; docs/benchmarks/clustering.md). It reads
        no network, so none is fitted (the training options do not apply) and --model saves the smoothing settings:
        'scgnn apply' with it smooths another batch the same way. Without --smoothed the output
        holds entry values for analysis (the masked-entry accuracy of docs/BENCHMARKS.md).

        With --no-filter --no-normalize the input is taken as already selected and normalized and imputed as it
        is (real-valued MatrixMarket is accepted). 'scgnn apply --model <zip>' on the same input writes a
        byte-identical file.

        Examples:
          scgnn impute --input ../shared/data/pbmc3k --output pbmc3k-imputed.csv --gene-symbols
          scgnn impute --input counts.parquet --output imputed/ --model imputer.zip --labels labels.tsv
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var reading = _input.Read(args);
        var input = reading.Path;
        var output = args.GetRequiredValue(_output);
        var modelPath = args.GetValue(_model);
        var labelsPath = args.GetValue(_labels);
        bool filter = !args.GetValue(_noFilter), normalize = !args.GetValue(_noNormalize);
        var settings = _training.Read(args);
        var inputs = OutputPaths.Inputs(input, labelsPath);
        var format = OutputPaths.CheckExpressionOutput(output, "--output", inputs);
        if (modelPath is not null) OutputPaths.CheckFileOutput(modelPath, "--model", inputs);
        OutputPaths.CheckDistinct(("--output", output), ("--model", modelPath));
        var progress = context.Progress;
        var total = Stopwatch.StartNew();

        var data = InputData.Read(reading, labelsPath, progress);
        if ((filter || normalize) && CountCheck.Warning(data, reading, "If the values are already normalized, pass --no-filter --no-normalize to impute them as they are.") is { } notCounts)
            context.Warn(notCounts);
        if (data.Labels is not null && !ClusteringEvaluator.CanEvaluate(data.Labels))
            throw new CommandFailedException($"{labelsPath}: the cells have {ClusteringComparison.CountClasses(data.Labels)} distinct labels; clustering scores need 2 to {data.Matrix.CellCount - 1}.");
        var ml = new MLContext(settings.Seed);
        using var log = new LibraryLog(ml, context);
        var raw = data.Matrix.ToDataView();

        using var training = new TrainingProgress(progress, filter && normalize ? "Gene selection, normalization" : filter ? "Gene selection" : normalize ? "Normalization" : "Preparing");
        log.BeforeStage = training.EndPrepare;
        var options = settings.ToOptions(progress: training.OnEpoch, cancellation: context.Cancellation);
        bool smoothed = args.GetValue(_smoothed);
        if (smoothed) options.OutputMode = ImputationOutputMode.Smoothed;
        var pipeline = ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions { SelectGenes = filter, Normalize = normalize, Imputation = options });
        context.Out.WriteLine($"ScGnn: {settings.Describe(options)}");
        training.Begin();
        var model = pipeline.Fit(raw);
        training.Dispose();

        // The clustering comparison needs the imputed matrix; otherwise the writer reads the transform itself, and a
        // Parquet or .h5ad output is never held whole.
        IDataView scored = model.Transform(raw);
        int outputGenes = ((VectorDataViewType)scored.Schema[options.OutputColumnName].Type).Size;
        ExpressionMatrix? imputed = null;
        if (data.Labels is not null)
        {
            using var step = progress.Step("Imputing (graph + forward)");
            imputed = ExpressionMatrix.FromDataView(scored, options.OutputColumnName, ScGnnDefaults.CellIdColumnName);
            step.Complete($"{Fmt.N(imputed.CellCount)} cells x {Fmt.N(imputed.GeneCount)} genes");
        }
        IReadOnlyList<string> replaced;
        string outputName = Path.GetFileName(Path.TrimEndingDirectorySeparator(output));
        using (var step = progress.Step(imputed is null ? "Imputing and writing " + outputName : "Writing " + outputName))
        using (var commit = new OutputCommit())
        {
            // Both outputs are written first and moved into place together: a failed model save replaces nothing.
            string staged = commit.Stage(output, folder: format == ExpressionFileFormat.TenX);
            var record = new Dictionary<string, string>
            {
                ["command"] = "impute", ["input"] = input, ["input_matrix"] = reading.MatrixDescription, ["settings"] = settings.Describe(options),
                ["gene_selection"] = filter ? "SelectVariableGenes" : "none", ["normalization"] = normalize ? "NormalizeMedianLibrarySize" : "none",
            };
            if (imputed is not null) ExpressionOutput.Write(imputed, staged, format, data.Matrix, record);
            else ExpressionOutput.Write(scored, options.OutputColumnName, staged, format, data.Matrix, record);
            if (modelPath is not null) ModelFile.Save(ml, model, raw.Schema, commit.Stage(modelPath));
            replaced = commit.Commit();
            step.Complete(modelPath is null ? null : $"model {Path.GetFileName(modelPath)} ({Fmt.N(new FileInfo(modelPath).Length / 1024)} KB)");
        }

        if (data.Labels is not null)
        {
            var comparison = ClusteringComparison.Run(new (string, Func<ExpressionMatrix>)[]
            {
                (normalize ? "raw (normalized)" : "raw (as given)",
                    () => ExpressionMatrix.FromDataView(scored, ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName)),
                (smoothed ? "ScGnn smoothed" : "ScGnn imputed", () => imputed!),
            }, data.Labels, progress);
            context.Out.WriteLine();
            context.Write(comparison.Table());
            context.Out.WriteLine("  raw = the imputer's input. " + comparison.Description);
            context.Out.WriteLine();
        }
        var imputer = ModelFile.FindImputer(model)!;
        var holds = OutputDescription.For(model, data.Matrix.GeneCount, outputGenes, reading.GeneSymbols,
            ExpressionFile.DetectReadFormat(input) == ExpressionFileFormat.TenX, format);
        context.Out.WriteLine($"Wrote {OutputPaths.Full(output)}{Replaced(replaced, output)} in {ProgressReporter.Seconds(total.Elapsed)}: " +
            $"{Fmt.N(data.Matrix.CellCount)} cells x {holds}; {(imputer.HasNetwork ? $"epoch kept {Fmt.KeptEpoch(imputer)}" : "no network fitted (the smoothed output reads none)")}.");
        if (modelPath is not null) context.Out.WriteLine($"Saved model {OutputPaths.Full(modelPath)}{Replaced(replaced, modelPath)}; use: scgnn apply --model {modelPath} --input <data> --output <path>");
        return 0;
    }

    /// <summary>" (replaced the existing file)" when the commit replaced <paramref name="path"/>.</summary>
    public static string Replaced(IReadOnlyList<string> replaced, string path) =>
        replaced.Contains(OutputPaths.Full(path)) ? (Directory.Exists(path) ? " (replaced files of the existing folder)" : " (replaced the existing file)") : "";
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Preprocessing;
using ScGnn.Samples.Analysis;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary><c>scgnn apply</c>: load a saved ML.NET model zip and write what it computes for a dataset.</summary>
internal sealed class ApplyCommand : AppCommand
{
    private readonly Option<string> _model = CliOptions.Text("--model", "zip", "ML.NET model zip, e.g. from 'scgnn impute --model'", required: true);
    private readonly InputOptions _input = new();
    private readonly Option<string> _output = CliOptions.Text("--output", "path", "the chosen column as a matrix: .h5ad, .csv, .tsv, .parquet, or a folder for 10x", required: true);
    private readonly Option<string> _column = CliOptions.Text("--column", "name", "vector column to write (default: the model's ScGnn output column)");
    private readonly Option<string> _clusters = CliOptions.Text("--clusters", "tsv", "also write each cell's cluster (cell<TAB>cluster) from the model's KMeans step (PredictedLabel)");

    public override IEnumerable<Option> Options => new Option[] { _model }.Concat(_input.All).Concat(new Option[] { _output, _column, _clusters });

    public override string Name => "apply";

    public override string Summary => "Apply a saved model (preprocessing + ScGnn, and any ML.NET steps after it) to a dataset.";

    public override string Details => """
        The model is any ML.NET model whose input is the expression data ('CellId' + 'Expression' columns), such
        as the pipeline saved by 'scgnn impute --model'. It is loaded with a fresh MLContext; nothing needs to be
        registered. The cells are imputed as one batch (each cell from its neighbours in this input). On the
        input 'impute' was run on, the output is byte-identical to what 'impute' wrote.

        --column writes another known-size float vector column of the model's output instead (for example
        'Score', the KMeans distances). A damaged or incompatible model is reported in one line and nothing is
        written.

        Example:
          scgnn apply --model imputer.zip --input new-cells/ --output new-cells-imputed.csv
        """;

    public override int Run(ParseResult args, CommandContext context)
    {
        var modelPath = args.GetRequiredValue(_model);
        var reading = _input.Read(args);
        var input = reading.Path;
        var output = args.GetRequiredValue(_output);
        var column = args.GetValue(_column);
        var clustersPath = args.GetValue(_clusters);
        var inputs = OutputPaths.Inputs(input, model: modelPath);
        var format = OutputPaths.CheckExpressionOutput(output, "--output", inputs);
        if (clustersPath is not null) OutputPaths.CheckFileOutput(clustersPath, "--clusters", inputs);
        OutputPaths.CheckDistinct(("--output", output), ("--clusters", clustersPath));
        var progress = context.Progress;

        var ml = new MLContext(1);
        using var log = new LibraryLog(ml, context);
        ITransformer model;
        using (var step = progress.Step("Loading " + Path.GetFileName(modelPath)))
        {
            model = ModelFile.Load(ml, modelPath, out _);
            var parts = ModelFile.Flatten(model).Select(t => t.GetType().Name.Replace("Transformer", "", StringComparison.Ordinal)).ToList();
            step.Complete(string.Join(" -> ", parts.Count > 0 ? parts : new List<string> { "(empty)" }));
        }
        column ??= ModelFile.FindImputer(model)?.OutputColumnName;
        if (ModelFile.Flatten(model).OfType<DropoutSimulatingTransformer>().FirstOrDefault() is { } mask)
            context.Warn($"{modelPath} contains a SimulateDropout step (an evaluation mask, rate {mask.MaskRate:0.###}): it hides that share of " +
                "the observed non-zero values of every cell before imputing, so the output replaces them by predictions. " +
                "Save models for new data without it.");
        var data = InputData.Read(reading, null, progress);
        if (ModelFile.Flatten(model).Any(t => t is VariableGeneSelectingTransformer or LibrarySizeNormalizingTransformer) &&
            CountCheck.Warning(data, reading, "The model selects genes or normalizes, as it did for the counts it was fitted on.") is { } notCounts)
            context.Warn(notCounts);
        var view = data.Matrix.ToDataView();

        uint[]? clusters = null;
        string[]? cellIds = null;
        IDataView scored;
        int outputValues;
        using (var step = progress.Step(clustersPath is null ? "Checking the model" : "Clustering with the model"))
        {
            scored = model.Transform(view);
            var vectorColumns = scored.Schema.Where(c => c.Type is VectorDataViewType { Size: > 0 } v && v.ItemType == NumberDataViewType.Single)
                .Select(c => c.Name).Distinct().ToList();
            if (column is null)
                throw new CommandFailedException($"{modelPath}: the model has no ScGnn imputation step; name the column to write with --column (vector columns: {string.Join(", ", vectorColumns)}).");
            if (!vectorColumns.Contains(column))
                throw new CommandFailedException($"--column {column}: the model's output has no known-size float vector column of that name (vector columns: {string.Join(", ", vectorColumns)}).");
            if (clustersPath is not null)
            {
                if (scored.Schema.GetColumnOrNull("PredictedLabel") is not { Type: KeyDataViewType })
                    throw new CommandFailedException($"--clusters: the model has no clustering step (no key column 'PredictedLabel' in its output).");
                clusters = scored.GetColumn<uint>("PredictedLabel").ToArray();
                cellIds = scored.GetColumn<ReadOnlyMemory<char>>(ScGnnDefaults.CellIdColumnName).Select(id => id.ToString()).ToArray();
            }
            outputValues = ((VectorDataViewType)scored.Schema[column].Type).Size;
            step.Complete($"'{column}': {Fmt.N(data.Matrix.CellCount)} cells x {Fmt.N(outputValues)}");
        }
        IReadOnlyList<string> replaced;
        using (var step = progress.Step("Applying the model and writing " + Path.GetFileName(Path.TrimEndingDirectorySeparator(output))))
        using (var commit = new OutputCommit())
        {
            ExpressionOutput.Write(scored, column, commit.Stage(output, folder: format == ExpressionFileFormat.TenX), format, data.Matrix, new Dictionary<string, string>
            {
                ["command"] = "apply", ["input"] = input, ["input_matrix"] = reading.MatrixDescription, ["model"] = modelPath, ["column"] = column,
            });
            if (clustersPath is not null) WriteClusters(commit.Stage(clustersPath), cellIds!, clusters!);
            replaced = commit.Commit();
            step.Complete();
        }
        string holds = column == ModelFile.FindImputer(model)?.OutputColumnName
            ? OutputDescription.For(model, data.Matrix.GeneCount, outputValues, reading.GeneSymbols, ExpressionFile.DetectReadFormat(input) == ExpressionFileFormat.TenX, format)
            : $"{Fmt.N(outputValues)} values; {OutputDescription.FormatName(format)}";
        context.Out.WriteLine($"Wrote {OutputPaths.Full(output)}{ImputeCommand.Replaced(replaced, output)} ('{column}': {Fmt.N(data.Matrix.CellCount)} cells x {holds})" +
            (clustersPath is null ? "." : $" and {OutputPaths.Full(clustersPath)}{ImputeCommand.Replaced(replaced, clustersPath)} ({clusters!.Distinct().Count()} clusters)."));
        return 0;
    }

    /// <summary>Two-column TSV with a header; cluster ids as ML.NET's 1-based keys.</summary>
    private static void WriteClusters(string path, string[] cellIds, uint[] clusters)
    {
        var sb = new StringBuilder("cell\tcluster\n");
        for (int i = 0; i < clusters.Length; i++)
            sb.Append(cellIds[i]).Append('\t').Append(clusters[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteText(path, sb.ToString());
    }
}

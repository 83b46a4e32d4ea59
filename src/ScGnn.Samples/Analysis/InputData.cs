using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>An expression matrix read from a file or folder, with optional cell-type labels aligned to its cells.</summary>
internal sealed partial record InputData(string Path, ExpressionMatrix Matrix, string[]? Labels)
{
    public string Name => System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(Path)));

    public static InputData Read(InputReading reading, string? labelsPath, ProgressReporter progress)
    {
        var path = reading.Path;
        // Detect the format first so that a missing file or an unknown type fails before anything else.
        var format = ExpressionFile.DetectReadFormat(path);
        if (reading.GeneSymbols && format != ExpressionFileFormat.TenX)
            throw new UsageException($"--gene-symbols: applies to 10x input (the symbols of features.tsv); {path} is {format}.");
        if (labelsPath is not null && !IsObsLabels(labelsPath) && !File.Exists(labelsPath))
            throw new CommandFailedException(Directory.Exists(labelsPath)
                ? $"{labelsPath}: is a folder; --labels expects a two-column TSV file 'cell<TAB>label'."
                : $"{labelsPath}: no such labels file.");
        using var step = progress.Step("Reading " + System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(path)));
        var matrix = format == ExpressionFileFormat.TenX
            ? TenXReader.Read(path, new TenXReaderOptions { UseGeneSymbols = reading.GeneSymbols })
            : ExpressionFile.Read(path);
        if (reading.Transpose) matrix = OrientationCheck.Transpose(matrix);
        else if (OrientationCheck.Suspect(matrix) is { } reason)
            throw new CommandFailedException($"{path}: {reason}; the file is probably genes x cells. Pass --transpose to read it that way.");
        if (matrix.CellCount == 0 || matrix.GeneCount == 0)
            throw new CommandFailedException($"{path}: has {matrix.CellCount} cells and {matrix.GeneCount} genes; nothing to impute.");
        string[]? labels = null;
        if (IsObsLabels(labelsPath)) labels = ObsLabels(matrix, path, labelsPath!);
        else if (labelsPath is not null)
        {
            try
            {
                labels = CellLabels.Read(labelsPath).Align(matrix, new CellLabelJoinOptions { AllowExtraLabels = true });
            }
            catch (ExpressionFormatException e)
            {
                // The library's hint names its own option; on the command line every cell needs a label.
                throw new CommandFailedException(LibraryHint().Replace(e.Message, ""), e);
            }
        }
        step.Complete($"{Fmt.N(matrix.CellCount)} cells x {Fmt.N(matrix.GeneCount)} genes{(reading.Transpose ? " (transposed)" : "")}, {Fmt.Percent(matrix.Density)} non-zero" +
            (labels is null ? "" : $", {labels.Distinct(StringComparer.Ordinal).Count()} cell types"));
        return new InputData(path, matrix, labels);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" \(set Allow\w+[^)]*\)")]
    private static partial System.Text.RegularExpressions.Regex LibraryHint();
}

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
        if ((reading.Layer is not null || reading.Raw) && format != ExpressionFileFormat.H5ad)
            throw new UsageException($"{(reading.Raw ? "--raw" : "--layer")}: applies to .h5ad input (AnnData's layers and raw); {path} is {format}.");
        if (format == ExpressionFileFormat.H5ad && File.Exists(path) && !H5adReader.MatrixPaths(path).Contains(reading.H5adMatrix))
            throw new CommandFailedException(MissingH5adMatrix(path, reading));
        if (labelsPath is not null && !IsObsLabels(labelsPath) && !File.Exists(labelsPath))
            throw new CommandFailedException(Directory.Exists(labelsPath)
                ? $"{labelsPath}: is a folder; --labels expects a two-column TSV file 'cell<TAB>label'."
                : $"{labelsPath}: no such labels file.");
        using var step = progress.Step("Reading " + System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(path)));
        var matrix = format == ExpressionFileFormat.TenX
            ? TenXReader.Read(path, new TenXReaderOptions { UseGeneSymbols = reading.GeneSymbols })
            : format == ExpressionFileFormat.H5ad
                ? H5adReader.Read(path, new H5adReaderOptions { Layer = reading.Layer, UseRaw = reading.Raw })
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

    // The matrices the file does hold, as the options that read them.
    private static string MissingH5adMatrix(string path, InputReading reading)
    {
        var held = H5adReader.MatrixPaths(path);
        string what = reading.Layer is { } layer ? $"no layer '{layer}'" : reading.Raw ? "no raw/X (adata.raw is None)" : "no X";
        return held.Count == 0
            ? $"{path}: has {what} and no other expression matrix (X, layers/NAME or raw/X)."
            : $"{path}: has {what}; it holds {string.Join(", ", held.Select(Described))}.";
    }

    /// <summary>An .h5ad matrix path with the option that reads it: "X (read without --layer or --raw)", "layers/counts (--layer counts)", "raw/X (--raw)".</summary>
    public static string Described(string h5adMatrix) => h5adMatrix + " (" +
        (h5adMatrix == "X" ? "read without --layer or --raw" : h5adMatrix == "raw/X" ? "--raw" : "--layer " + h5adMatrix["layers/".Length..]) + ")";

    [System.Text.RegularExpressions.GeneratedRegex(@" \(set Allow\w+[^)]*\)")]
    private static partial System.Text.RegularExpressions.Regex LibraryHint();
}

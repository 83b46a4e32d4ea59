using System.CommandLine;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>How a command reads its dataset: the input path, its orientation and the gene ids of a 10x folder.</summary>
internal sealed class InputOptions
{
    public Option<string> Input { get; } =
        CliOptions.Text("--input", "path", "10x folder, .mtx[.gz], .csv[.gz], .tsv[.gz], .parquet, .h5ad or Cell Ranger .h5 (cells x genes)", required: true);

    public Option<bool> Transpose { get; } =
        CliOptions.Flag("--transpose", "the file is genes x cells (a gene per row, a cell per column): read it transposed");

    public Option<bool> GeneSymbols { get; } =
        CliOptions.Flag("--gene-symbols", "10x input: name genes by symbol (features.tsv column 2, made unique as scanpy does) instead of Ensembl id");

    public Option<string> Layer { get; } =
        CliOptions.Text("--layer", "name", ".h5ad input: read layers/NAME (for example counts) instead of X");

    public Option<bool> Raw { get; } =
        CliOptions.Flag("--raw", ".h5ad input: read raw/X with the genes of raw/var (scanpy's adata.raw) instead of X");

    public IEnumerable<Option> All => new Option[] { Input, Transpose, GeneSymbols, Layer, Raw };

    public InputReading Read(ParseResult args)
    {
        var reading = new InputReading(args.GetRequiredValue(Input), args.GetValue(Transpose), args.GetValue(GeneSymbols), args.GetValue(Layer), args.GetValue(Raw));
        if (reading.Layer is not null && reading.Raw) throw new UsageException("--layer and --raw both choose the .h5ad matrix; give one.");
        if (reading.Layer is { } layer && (layer.Length == 0 || layer.Contains('/'))) throw new UsageException($"--layer: '{layer}' is not a layer name (layers/NAME).");
        return reading;
    }
}

/// <summary>The reading settings given on the command line.</summary>
internal sealed record InputReading(string Path, bool Transpose, bool GeneSymbols, string? Layer = null, bool Raw = false)
{
    /// <summary>The HDF5 path of the .h5ad matrix read.</summary>
    public string H5adMatrix => Layer is { } layer ? "layers/" + layer : Raw ? "raw/X" : "X";

    /// <summary>Which matrix of the input was read, for the output's record: the .h5ad path (X, layers/NAME, raw/X), or the input's format.</summary>
    public string MatrixDescription => ScGnn.MLNet.Data.ExpressionFile.DetectReadFormat(Path) is var format && format == ScGnn.MLNet.Data.ExpressionFileFormat.H5ad
        ? H5adMatrix : format.ToString();
}

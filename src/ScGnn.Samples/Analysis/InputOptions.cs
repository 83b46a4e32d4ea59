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

    public IEnumerable<Option> All => new Option[] { Input, Transpose, GeneSymbols };

    public InputReading Read(ParseResult args) => new(args.GetRequiredValue(Input), args.GetValue(Transpose), args.GetValue(GeneSymbols));
}

/// <summary>The reading settings given on the command line.</summary>
internal sealed record InputReading(string Path, bool Transpose, bool GeneSymbols);

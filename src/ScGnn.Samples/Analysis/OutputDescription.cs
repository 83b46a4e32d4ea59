using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// What an imputed matrix holds, in words for the final line of <c>impute</c> and <c>apply</c>: which genes of how
/// many were kept and by which rule, which scale the values are on, and which ids name the genes.
/// </summary>
internal static class OutputDescription
{
    public static string For(ITransformer model, int inputGenes, int outputGenes, bool geneSymbols, bool tenXInput, ExpressionFileFormat format)
    {
        var parts = ModelFile.Flatten(model).ToList();
        var selection = parts.OfType<VariableGeneSelectingTransformer>().FirstOrDefault();
        var normalization = parts.OfType<LibrarySizeNormalizingTransformer>().FirstOrDefault();
        string genes = selection is null
            ? $"all {Fmt.N(outputGenes)} genes"
            : selection.TopGeneCount is int top
                ? $"{Fmt.N(outputGenes)} of {Fmt.N(inputGenes)} genes (the {Fmt.N(top)} of highest variance/(1+mean))"
                : $"{Fmt.N(outputGenes)} of {Fmt.N(inputGenes)} genes (variance/(1+mean) > {selection.MinDispersion.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}, sample variance)";
        string scale = normalization is null
            ? "values on the input's scale"
            : $"median-normalized values (each cell scaled to total {normalization.TargetSum.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} over the kept genes)";
        string ids = geneSymbols ? "gene symbols" : tenXInput ? "gene ids of features.tsv (Ensembl)" : "the input's gene ids";
        string values = parts.OfType<ScGnnImputationTransformer>().FirstOrDefault()?.OutputMode switch
        {
            ImputationOutputMode.Denoise => "every entry predicted by ScGnn",
            ImputationOutputMode.Smoothed => "every entry smoothed over ScGnn's cell graph as far as cross-validation finds it helps (t = 0: the input; for clustering)",
            _ => "zeros filled by ScGnn, observed values kept",
        };
        return $"{genes}; {scale}, {values}; {ids}; {FormatName(format)}";
    }

    public static string FormatName(ExpressionFileFormat format) => format switch
    {
        ExpressionFileFormat.TenX => "10x MatrixMarket folder",
        ExpressionFileFormat.Csv => "CSV",
        ExpressionFileFormat.Tsv => "TSV",
        ExpressionFileFormat.H5ad => "AnnData .h5ad",
        _ => format.ToString(),
    };
}

namespace ScGnn.MLNet.Data;

/// <summary>Options for reading a 10x Genomics MatrixMarket folder (<see cref="TenXReader"/>).</summary>
public sealed class TenXReaderOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="TenXReaderOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Keep only features whose type (column 3 of <c>features.tsv</c>) is <c>Gene Expression</c>, as scanpy's <c>gex_only=True</c>.</summary>
        public const bool GeneExpressionOnly = true;

        /// <summary>Use feature ids (column 1, e.g. Ensembl ids, always unique in 10x output) as gene ids, as scanpy's <c>var_names='gene_ids'</c>.</summary>
        public const bool UseGeneSymbols = false;
    }

    /// <summary>
    /// Keep only features whose type (column 3 of <c>features.tsv</c>) is <c>Gene Expression</c>, dropping for
    /// example <c>Antibody Capture</c> rows (scanpy <c>gex_only</c>). Files without a type column keep every row.
    /// </summary>
    public bool GeneExpressionOnly { get; set; } = Defaults.GeneExpressionOnly;

    /// <summary>
    /// When true, gene ids are the symbols (column 2) made unique the way scanpy's <c>var_names_make_unique</c>
    /// does (a repeated symbol gets <c>-1</c>, <c>-2</c>, ... appended); when false (default), the feature ids
    /// (column 1). <see cref="ExpressionMatrix.GeneSymbols"/> holds the symbols either way.
    /// </summary>
    public bool UseGeneSymbols { get; set; } = Defaults.UseGeneSymbols;
}

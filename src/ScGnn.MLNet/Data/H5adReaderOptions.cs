namespace ScGnn.MLNet.Data;

/// <summary>Options for reading an AnnData <c>.h5ad</c> file (<see cref="H5adReader"/>, <c>LoadFromH5ad</c>).</summary>
public sealed class H5adReaderOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="H5adReaderOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Read <c>raw/X</c> instead of <c>X</c>: no.</summary>
        public const bool UseRaw = false;

        /// <summary>Negative values are rejected: counts and normalized counts are non-negative.</summary>
        public const bool AllowNegativeValues = false;

        /// <summary>Categorical <c>obs</c> columns load as text (the category), not as ML.NET keys.</summary>
        public const bool CategoricalAsKey = false;
    }

    /// <summary>
    /// Read <c>layers[Layer]</c> (for example <c>counts</c>) instead of <c>X</c>; <c>null</c> (default) reads <c>X</c>.
    /// The genes are <c>var</c>'s. Cannot be combined with <see cref="UseRaw"/>.
    /// </summary>
    public string? Layer { get; set; }

    /// <summary>
    /// Read <c>raw/X</c> with the genes of <c>raw/var</c> (scanpy's <c>adata.raw</c>: all genes, before
    /// selection) instead of <c>X</c>.
    /// </summary>
    public bool UseRaw { get; set; } = Defaults.UseRaw;

    /// <summary>
    /// A <c>var</c> column (text or categorical, for example <c>gene_symbols</c> or <c>feature_name</c>) whose values
    /// become the gene ids (slot names) instead of <c>var_names</c>, made unique as scanpy's
    /// <c>var_names_make_unique</c> does (<c>-1</c>, <c>-2</c>, ... on repeats); <see cref="ExpressionMatrix.GeneSymbols"/>
    /// holds the values as they are. <c>null</c> (default) keeps <c>var_names</c>.
    /// </summary>
    public string? GeneSymbolColumn { get; set; }

    /// <summary>
    /// The <c>obs</c> columns exposed as ML.NET columns by <c>LoadFromH5ad</c>; <c>null</c> (default) exposes every
    /// readable column, an empty list none. Every <c>obs</c> column is read into
    /// <see cref="ExpressionMatrix.CellAnnotations"/> either way.
    /// </summary>
    public IReadOnlyList<string>? ObsColumns { get; set; }

    /// <summary>
    /// When true, categorical <c>obs</c> columns become ML.NET key columns (<c>UInt32</c> keys with the categories
    /// as <c>KeyValues</c>, 0 = missing); when false (default), text columns holding the category.
    /// </summary>
    public bool CategoricalAsKey { get; set; } = Defaults.CategoricalAsKey;

    /// <summary>When false (default), a negative matrix value is an error naming the cell and gene.</summary>
    public bool AllowNegativeValues { get; set; } = Defaults.AllowNegativeValues;

    /// <inheritdoc/>
    protected internal override void Validate()
    {
        base.Validate();
        if (Layer is not null && string.IsNullOrWhiteSpace(Layer))
            throw new ArgumentException("Layer must be null (read X) or a layer name.", nameof(Layer));
        if (Layer is not null && UseRaw)
            throw new ArgumentException($"Layer '{Layer}' and UseRaw both choose the matrix; set one.", nameof(UseRaw));
        if (GeneSymbolColumn is not null && string.IsNullOrWhiteSpace(GeneSymbolColumn))
            throw new ArgumentException("GeneSymbolColumn must be null (use var_names) or a var column name.", nameof(GeneSymbolColumn));
        if (ObsColumns is not null)
            foreach (var name in ObsColumns)
            {
                if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("ObsColumns holds an empty name.", nameof(ObsColumns));
                if (name == ExpressionColumnName || name == CellIdColumnName)
                    throw new ArgumentException($"obs column '{name}' has the name of the expression or cell-id column.", nameof(ObsColumns));
            }
    }
}

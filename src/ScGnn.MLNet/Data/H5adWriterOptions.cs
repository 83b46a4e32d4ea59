namespace ScGnn.MLNet.Data;

/// <summary>Options for writing an AnnData <c>.h5ad</c> file (<see cref="H5adWriter"/>).</summary>
public sealed class H5adWriterOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="H5adWriterOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Large datasets are deflate-compressed (gzip level 6 equivalent of h5py's default).</summary>
        public const bool Compress = true;
    }

    /// <summary>
    /// Store the matrix as <c>layers[Layer]</c> instead of <c>X</c> (then the file has no <c>X</c>;
    /// <c>anndata.read_h5ad</c> gives <c>X = None</c>). <c>null</c> (default) writes <c>X</c>.
    /// </summary>
    public string? Layer { get; set; }

    /// <summary>
    /// Store the matrix as a dense 2-D float32 array (anndata's <c>array</c> encoding; <c>adata.X</c> is a numpy
    /// array) instead of a CSR matrix (default false). Meant for imputed or smoothed data, where every entry is
    /// filled: dense takes 4 bytes per entry against CSR's 8, and a data view is then written block by block from
    /// its cursor (<see cref="H5adWriter.Write(Microsoft.ML.IDataView, string, H5adWriterOptions)"/>), never held whole.
    /// </summary>
    public bool Dense { get; set; }

    /// <summary>
    /// The <c>obs</c> columns when writing a data view, one row per cell in the view's order (a matrix carries its
    /// own in <see cref="ExpressionMatrix.CellAnnotations"/>); <c>null</c>: cell ids only.
    /// </summary>
    public AnnotationTable? CellAnnotations { get; set; }

    /// <summary>The <c>var</c> columns when writing a data view, one row per slot of the expression column; <c>null</c>: gene ids only.</summary>
    public AnnotationTable? GeneAnnotations { get; set; }

    /// <summary>Deflate-compress datasets of more than 64 Ki elements (default true).</summary>
    public bool Compress { get; set; } = Defaults.Compress;

    /// <summary>
    /// What was done, recorded as text in <c>uns['scgnn']['options']</c> (for example the imputation options);
    /// the library version and the kept genes are recorded in <c>uns['scgnn']</c> either way.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <inheritdoc/>
    protected internal override void Validate()
    {
        base.Validate();
        if (Layer is not null && (string.IsNullOrWhiteSpace(Layer) || Layer.Contains('/', StringComparison.Ordinal)))
            throw new ArgumentException($"Layer '{Layer}' must be null (write X) or a name without '/'.", nameof(Layer));
        foreach (var key in Metadata.Keys)
            if (string.IsNullOrWhiteSpace(key) || key.Contains('/', StringComparison.Ordinal))
                throw new ArgumentException($"Metadata key '{key}' must be non-empty and without '/'.", nameof(Metadata));
    }
}

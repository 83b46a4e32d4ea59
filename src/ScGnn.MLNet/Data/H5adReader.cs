using PureHDF;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads an AnnData <c>.h5ad</c> file (written by anndata 0.7 to 0.11: scanpy, CELLxGENE, scvi-tools) into a
/// cells x genes <see cref="ExpressionMatrix"/>: <c>X</c> (or a layer, or <c>raw/X</c>) stored as CSR, CSC or a
/// dense array of float32, float64 or integers; <c>obs_names</c> are the cell ids, <c>var_names</c> (or a
/// <c>var</c> column) the gene ids; the <c>obs</c> and <c>var</c> columns come along as
/// <see cref="ExpressionMatrix.CellAnnotations"/> and <see cref="ExpressionMatrix.GeneAnnotations"/>.
/// </summary>
/// <remarks>
/// The matrix is read in blocks of about a million stored entries (never as a dense matrix): memory is the
/// result, 8 bytes per non-zero, plus one block (a CSC <c>X</c> is read twice to place entries by cell). Sizes
/// the file claims are checked against its length before anything is allocated. Every malformed file is an
/// <see cref="ExpressionFormatException"/> naming the file, the HDF5 object and the problem: not HDF5 or
/// truncated, a missing matrix or index, <c>indptr</c> not monotone, indices out of range or repeated, a shape
/// that disagrees with <c>obs</c>/<c>var</c>, NaN, infinite or (unless allowed) negative values, duplicate cell or
/// gene ids, and categorical codes out of range. Explicit zeros are dropped. float64 values are rounded to float32.
/// </remarks>
public static class H5adReader
{
    /// <summary>Reads <c>X</c> of an <c>.h5ad</c> file with default options.</summary>
    /// <exception cref="ExpressionFormatException">The file is not a well-formed <c>.h5ad</c>.</exception>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    public static ExpressionMatrix Read(string path) => Read(path, new H5adReaderOptions());

    /// <summary>Reads an <c>.h5ad</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Which matrix (X, a layer, raw), which gene ids, value checks.</param>
    /// <exception cref="ExpressionFormatException">The file is not a well-formed <c>.h5ad</c>.</exception>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    public static ExpressionMatrix Read(string path, H5adReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var src = new H5Source(path);
        string varPath = options.UseRaw ? "raw/var" : "var";
        string xPath = options.Layer is { } layer ? "layers/" + layer : options.UseRaw ? "raw/X" : "X";
        if (!src.Exists(xPath)) throw MissingMatrix(src, xPath, options);

        var (cellIds, obs) = H5adFrameReader.Read(src, "obs");
        var (varNames, var) = H5adFrameReader.Read(src, varPath);
        CheckUnique(src, "obs", cellIds, "cell");
        string[]? symbols = null;
        string[] geneIds = varNames;
        if (options.GeneSymbolColumn is { } symbolColumn)
        {
            if (!var.TryGetColumn(symbolColumn, out var column) || column.Kind is not (AnnotationColumnKind.Text or AnnotationColumnKind.Categorical))
                throw src.Error(varPath + "/" + symbolColumn, $"is not a text or categorical column of '{varPath}' (GeneSymbolColumn); " +
                    $"its columns: {string.Join(", ", var.Columns.Where(c => c.Kind is AnnotationColumnKind.Text or AnnotationColumnKind.Categorical).Select(c => c.Name))}.");
            symbols = column.ToText();
            geneIds = TenXReader.MakeUnique(symbols);
        }
        else CheckUnique(src, varPath, geneIds, "gene");

        var cx = new H5MatrixReader.Context(src, xPath, cellIds, geneIds, options.AllowNegativeValues);
        var m = ReadMatrix(src, cx);
        try
        {
            return new ExpressionMatrix(cellIds, geneIds, m.RowPointers, m.ColumnIndices, m.Values, symbols).WithAnnotations(obs, var);
        }
        catch (ArgumentException e)
        {
            throw src.Error(xPath, e.Message, e);
        }
    }

    /// <summary>
    /// The expression matrices an <c>.h5ad</c> file holds, as HDF5 paths: <c>X</c>, each <c>layers/NAME</c>, and
    /// <c>raw/X</c>, in that order, those present only. Nothing is read but the file's structure, so it is cheap on a
    /// file of any size. Use it to choose <see cref="H5adReaderOptions.Layer"/> or <see cref="H5adReaderOptions.UseRaw"/>.
    /// </summary>
    /// <exception cref="ExpressionFormatException">The file is not HDF5.</exception>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    public static IReadOnlyList<string> MatrixPaths(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var src = new H5Source(path);
        var paths = new List<string>();
        if (src.Exists("X")) paths.Add("X");
        if (src.TryGet("layers") is IH5Group layers) paths.AddRange(src.Children(layers, "layers").Select(name => "layers/" + name));
        if (src.Exists("raw") && src.Exists("raw/X")) paths.Add("raw/X");
        return paths;
    }

    /// <summary>Reads the matrix element at <paramref name="cx"/>'s path: a dense dataset or a CSR/CSC group.</summary>
    internal static H5MatrixReader.Result ReadMatrix(H5Source src, H5MatrixReader.Context cx)
    {
        string xPath = cx.ObjectPath;
        var obj = src.Get(xPath, "the expression matrix");
        if (obj is IH5Dataset dense) return H5MatrixReader.ReadDense(cx, dense);
        var group = obj as IH5Group ?? throw src.Error(xPath, "is neither a group nor a dataset; expected the expression matrix.");
        var encoding = src.StringAttribute(group, xPath, "encoding-type") ?? src.StringAttribute(group, xPath, "h5sparse_format") switch
        {
            "csr" => "csr_matrix",
            "csc" => "csc_matrix",
            var other => other,
        };
        bool byRow = encoding switch
        {
            "csr_matrix" => true,
            "csc_matrix" => false,
            null => throw src.Error(xPath, "is a group without an 'encoding-type' attribute; expected a csr_matrix or csc_matrix group, or a dense array."),
            _ => throw src.Error(xPath, $"has encoding-type '{encoding}'; expected csr_matrix, csc_matrix or a dense array."),
        };
        var shape = src.IntegerArrayAttribute(group, xPath, "shape") ?? src.IntegerArrayAttribute(group, xPath, "h5sparse_shape")
            ?? throw src.Error(xPath, "has no 'shape' attribute.");
        if (shape.Length != 2) throw src.Error(xPath, $"has a shape of {shape.Length} numbers; expected 2.");
        if (shape[0] != cx.CellIds.Count || shape[1] != cx.GeneIds.Count)
            throw src.Error(xPath, $"has shape {shape[0]} x {shape[1]}, but obs has {cx.CellIds.Count} cells and var {cx.GeneIds.Count} genes.");
        return H5MatrixReader.ReadCompressed(cx,
            src.Dataset(xPath + "/data", "the stored values"),
            src.Dataset(xPath + "/indices", "the stored indices"),
            src.Dataset(xPath + "/indptr", "the index pointers"), byRow);
    }

    internal static void CheckUnique(H5Source src, string path, string[] ids, string what)
    {
        var first = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
            if (!first.TryAdd(ids[i], i))
                throw src.Error(path, $"{what} id '{ids[i]}' repeats (positions {first[ids[i]]} and {i}); ids must be unique" +
                    (what == "cell" ? " (obs_names_make_unique in anndata)." : " (var_names_make_unique in anndata)."));
    }

    private static ExpressionFormatException MissingMatrix(H5Source src, string xPath, H5adReaderOptions options)
    {
        if (options.Layer is not null)
        {
            var layers = src.TryGet("layers") is IH5Group g ? src.Children(g, "layers") : [];
            return src.Error(xPath, $"missing: the file has no layer '{options.Layer}'; its layers: {(layers.Length == 0 ? "(none)" : string.Join(", ", layers))}.");
        }
        if (options.UseRaw) return src.Error(xPath, "missing: the file has no raw matrix (adata.raw is None).");
        return src.Error(xPath, "missing; expected the expression matrix (X). If the data is in a layer, set Layer.");
    }
}

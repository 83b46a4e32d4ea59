using PureHDF;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads a Cell Ranger HDF5 matrix (<c>filtered_feature_bc_matrix.h5</c>) into a cells x genes
/// <see cref="ExpressionMatrix"/>: the v3+ layout (<c>matrix/</c> with <c>data</c>, <c>indices</c>, <c>indptr</c>,
/// <c>shape</c>, <c>barcodes</c> and <c>features/{id,name,feature_type,genome}</c>) and the v2 layout (one group
/// per genome holding <c>genes</c> and <c>gene_names</c> instead of <c>features</c>).
/// </summary>
/// <remarks>
/// As with <see cref="TenXReader"/>, feature ids are the gene ids (or the names, made unique, with
/// <see cref="TenXReaderOptions.UseGeneSymbols"/>), names are <see cref="ExpressionMatrix.GeneSymbols"/>, and only
/// <c>Gene Expression</c> features are kept unless <see cref="TenXReaderOptions.GeneExpressionOnly"/> is false. The
/// matrix is read by blocks of cells; errors are <see cref="ExpressionFormatException"/>s naming the file, the
/// HDF5 object and the problem, as for <see cref="H5adReader"/>. A v2 file with several genome groups is an error
/// (Cell Ranger wrote those for multi-species references; split them first).
/// </remarks>
public static class TenXH5Reader
{
    private const string GeneExpressionType = "Gene Expression";

    /// <summary>Reads a Cell Ranger <c>.h5</c> with default options (feature ids, gene-expression features only).</summary>
    /// <exception cref="ExpressionFormatException">The file is not a well-formed Cell Ranger matrix.</exception>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    public static ExpressionMatrix Read(string path) => Read(path, new TenXReaderOptions());

    /// <summary>Reads a Cell Ranger <c>.h5</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Feature filtering and gene-id choice (as for 10x folders).</param>
    /// <exception cref="ExpressionFormatException">The file is not a well-formed Cell Ranger matrix.</exception>
    /// <exception cref="FileNotFoundException">No file at the path.</exception>
    public static ExpressionMatrix Read(string path, TenXReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var src = new H5Source(path);
        string root;
        string[] ids, names;
        string[]? types = null;
        if (src.TryGet("matrix") is IH5Group)
        {
            root = "matrix";
            ids = src.ReadStrings(src.Dataset("matrix/features/id", "the feature ids"), "matrix/features/id");
            names = src.ReadStrings(src.Dataset("matrix/features/name", "the feature names"), "matrix/features/name");
            if (src.TryDataset("matrix/features/feature_type") is { } ft)
                types = src.ReadStrings(ft, "matrix/features/feature_type");
        }
        else
        {
            var top = src.Guard("/", () => src.Root.Children().OfType<IH5Group>().Select(g => g.Name).ToArray())
                .Where(n => src.Exists(n + "/barcodes") && src.Exists(n + "/genes")).ToArray();
            if (top.Length == 0)
                throw src.Error("/", "has no 'matrix' group (Cell Ranger v3+) and no genome group with 'barcodes' and 'genes' (v2); not a Cell Ranger .h5.");
            if (top.Length > 1)
                throw src.Error("/", $"holds {top.Length} genome groups ({string.Join(", ", top)}); read one genome at a time.");
            root = top[0];
            ids = src.ReadStrings(src.Dataset(root + "/genes", "the gene ids"), root + "/genes");
            names = src.TryDataset(root + "/gene_names") is { } gn ? src.ReadStrings(gn, root + "/gene_names") : ids;
        }
        if (names.Length != ids.Length)
            throw src.Error(root, $"has {ids.Length} feature ids but {names.Length} feature names.");
        if (types is not null && types.Length != ids.Length)
            throw src.Error(root + "/features/feature_type", $"has {types.Length} entries for {ids.Length} features.");
        var barcodes = src.ReadStrings(src.Dataset(root + "/barcodes", "the cell barcodes"), root + "/barcodes");

        var shapeDs = src.Dataset(root + "/shape", "the matrix shape");
        int shapeLength = src.Length(shapeDs, root + "/shape");
        if (shapeLength != 2) throw src.Error(root + "/shape", $"has {shapeLength} entries; expected 2 (features, barcodes).");
        var shape = src.ReadIntegers(shapeDs, root + "/shape", 0, 2);
        if (shape[0] != ids.Length || shape[1] != barcodes.Length)
            throw src.Error(root + "/shape", $"is {shape[0]} x {shape[1]}, but there are {ids.Length} features and {barcodes.Length} barcodes.");

        var map = new int[ids.Length];
        var kept = new List<int>(ids.Length);
        for (int j = 0; j < ids.Length; j++)
        {
            bool keep = !options.GeneExpressionOnly || types is null || types[j] == GeneExpressionType;
            map[j] = keep ? kept.Count : -1;
            if (keep) kept.Add(j);
        }
        var keptIds = kept.Select(j => ids[j]).ToArray();
        var keptNames = kept.Select(j => names[j]).ToArray();
        var geneIds = options.UseGeneSymbols ? TenXReader.MakeUnique(keptNames) : keptIds;
        H5adReader.CheckUnique(src, root + "/barcodes", barcodes, "cell");
        H5adReader.CheckUnique(src, root + (types is null ? "/genes" : "/features/id"), geneIds, "gene");

        var cx = new H5MatrixReader.Context(src, root, barcodes, geneIds, AllowNegative: false,
            GeneMap: kept.Count == ids.Length ? null : map);
        var m = H5MatrixReader.ReadCompressed(cx,
            src.Dataset(root + "/data", "the stored counts"),
            src.Dataset(root + "/indices", "the feature index of each count"),
            src.Dataset(root + "/indptr", "the index pointers by barcode"), byRow: true);
        try
        {
            return new ExpressionMatrix(barcodes, geneIds, m.RowPointers, m.ColumnIndices, m.Values, keptNames);
        }
        catch (ArgumentException e)
        {
            throw src.Error(root, e.Message, e);
        }
    }
}

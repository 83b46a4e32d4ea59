using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;
using ScGnn.MLNet.Persistence;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes an <see cref="ExpressionMatrix"/> as an AnnData <c>.h5ad</c> file that <c>anndata.read_h5ad</c> and
/// scanpy open directly (anndata's on-disk format 0.1.0 with element encodings of anndata 0.8+): the matrix as a
/// float32 CSR <c>X</c> (or <c>layers[name]</c>), cell ids as <c>obs_names</c>, gene ids as <c>var_names</c>, the
/// matrix's <see cref="ExpressionMatrix.CellAnnotations"/> and <see cref="ExpressionMatrix.GeneAnnotations"/> as
/// <c>obs</c> and <c>var</c> columns (gene symbols, when present and not already a column, as
/// <c>var['gene_symbols']</c>), and in <c>uns['scgnn']</c> the library version, the kept genes and
/// <see cref="H5adWriterOptions.Metadata"/>. The file is written atomically (temporary file, then rename).
/// </summary>
public static class H5adWriter
{
    private const int CompressAbove = 1 << 16;
    private const uint ChunkElements = 1 << 18;

    /// <summary>Writes <c>X</c> with default options.</summary>
    public static void Write(ExpressionMatrix matrix, string path) => Write(matrix, path, new H5adWriterOptions());

    /// <summary>Writes the matrix (to <c>X</c> or a layer) with its annotations.</summary>
    /// <param name="matrix">Cells x genes, with optional cell and gene annotations.</param>
    /// <param name="path">The output <c>.h5ad</c> file; replaced atomically.</param>
    /// <param name="options">Layer, compression and the <c>uns</c> record.</param>
    public static void Write(ExpressionMatrix matrix, string path, H5adWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var file = Build(matrix, options);
        AtomicOutput.WriteFile(path, stream => file.Write(stream));
    }

    private static H5File Build(ExpressionMatrix matrix, H5adWriterOptions options)
    {
        var x = Encoded(new H5Group(), "csr_matrix", "0.1.0");
        x.Attributes["shape"] = new long[] { matrix.CellCount, matrix.GeneCount };
        x["data"] = Dataset(matrix.Values.ToArray(), options);
        x["indices"] = Dataset(matrix.ColumnIndices.ToArray(), options);
        x["indptr"] = Dataset(matrix.RowPointers.ToArray().Select(p => (long)p).ToArray(), options);

        var layers = Encoded(new H5Group(), "dict", "0.1.0");
        var file = new H5File
        {
            ["obs"] = Frame(matrix.CellIds, matrix.CellAnnotations?.Columns ?? [], options),
            ["var"] = Frame(matrix.GeneIds, GeneColumns(matrix), options),
            ["layers"] = layers,
            ["obsm"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["varm"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["obsp"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["varp"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["uns"] = Uns(matrix, options),
        };
        if (options.Layer is { } layer) layers[layer] = x;
        else file["X"] = x;
        file.Attributes["encoding-type"] = "anndata";
        file.Attributes["encoding-version"] = "0.1.0";
        return file;
    }

    private static IEnumerable<AnnotationColumn> GeneColumns(ExpressionMatrix matrix)
    {
        var columns = matrix.GeneAnnotations?.Columns ?? [];
        if (matrix.GeneSymbols is { } symbols && !columns.Any(c => c.Name == "gene_symbols"))
            columns = [.. columns, AnnotationColumn.Text("gene_symbols", symbols)];
        return columns;
    }

    private static H5Group Uns(ExpressionMatrix matrix, H5adWriterOptions options)
    {
        var record = Encoded(new H5Group(), "dict", "0.1.0");
        record["library"] = Scalar("ScGnn.MLNet");
        record["library_version"] = Scalar(ModelComponentInfo.LibraryVersion);
        record["kept_genes"] = Strings(matrix.GeneIds.ToArray());
        var opts = Encoded(new H5Group(), "dict", "0.1.0");
        foreach (var (key, value) in options.Metadata) opts[key] = Scalar(value);
        record["options"] = opts;
        var uns = Encoded(new H5Group(), "dict", "0.1.0");
        uns["scgnn"] = record;
        return uns;
    }

    private static H5Group Frame(IReadOnlyList<string> index, IEnumerable<AnnotationColumn> columns, H5adWriterOptions options)
    {
        var frame = Encoded(new H5Group(), "dataframe", "0.2.0");
        frame.Attributes["_index"] = "_index";
        frame["_index"] = Strings(index.ToArray());
        var order = new List<string>();
        foreach (var c in columns)
        {
            if (c.Name == "_index" || c.Name.Contains('/', StringComparison.Ordinal)) continue;
            frame[c.Name] = Column(c, options);
            order.Add(c.Name);
        }
        frame.Attributes["column-order"] = order.ToArray();
        return frame;
    }

    private static object Column(AnnotationColumn c, H5adWriterOptions options)
    {
        switch (c.Kind)
        {
            case AnnotationColumnKind.Text:
                return Strings(c.Texts!.ToArray());
            case AnnotationColumnKind.Number:
                return Encoded(Dataset(c.Numbers!.ToArray(), options), "array", "0.2.0");
            case AnnotationColumnKind.Boolean:
                return Encoded(new H5Dataset(c.Booleans!.Select(b => b ? NumpyBool.TRUE : NumpyBool.FALSE).ToArray()), "array", "0.2.0");
            default:
                {
                    var g = Encoded(new H5Group(), "categorical", "0.2.0");
                    g.Attributes["ordered"] = c.Ordered ? NumpyBool.TRUE : NumpyBool.FALSE;
                    g["categories"] = Strings(c.Categories!.ToArray());
                    var codes = c.Codes!;
                    object data = c.Categories!.Count < sbyte.MaxValue ? codes.Select(v => (sbyte)v).ToArray()
                        : c.Categories.Count < short.MaxValue ? codes.Select(v => (short)v).ToArray() : codes.ToArray();
                    g["codes"] = Encoded(new H5Dataset(data), "array", "0.2.0");
                    return g;
                }
        }
    }

    private static H5Dataset Dataset<T>(T[] data, H5adWriterOptions options)
    {
        if (!options.Compress || data.Length <= CompressAbove) return new H5Dataset(data);
        var creation = new H5DatasetCreation(Filters: [new H5Filter(DeflateFilter.Id)]);
        return new H5Dataset(data, chunks: [Math.Min(ChunkElements, (uint)data.Length)], datasetCreation: creation);
    }

    private static H5Dataset Strings(string[] values) => Encoded(new H5Dataset(values), "string-array", "0.2.0");

    private static H5Dataset Scalar(string value) => Encoded(new H5Dataset(value), "string", "0.2.0");

    private static T Encoded<T>(T obj, string type, string version) where T : H5Object
    {
        obj.Attributes["encoding-type"] = type;
        obj.Attributes["encoding-version"] = version;
        return obj;
    }

    /// <summary>numpy's bool as h5py stores it: an HDF5 enum {FALSE, TRUE} (PureHDF writes .NET bool as uint8).</summary>
    private enum NumpyBool : byte
    {
        FALSE = 0,
        TRUE = 1,
    }
}

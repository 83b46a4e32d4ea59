using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using ScGnn.MLNet.Persistence;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes an <see cref="ExpressionMatrix"/> as an AnnData <c>.h5ad</c> file that <c>anndata.read_h5ad</c> and
/// scanpy open directly (anndata's on-disk format 0.1.0 with element encodings of anndata 0.8+): the matrix as a
/// float32 CSR <c>X</c>, or dense with <see cref="H5adWriterOptions.Dense"/> (or <c>layers[name]</c>), cell ids as <c>obs_names</c>, gene ids as <c>var_names</c>, the
/// matrix's <see cref="ExpressionMatrix.CellAnnotations"/> and <see cref="ExpressionMatrix.GeneAnnotations"/> as
/// <c>obs</c> and <c>var</c> columns (gene symbols, when present and not already a column, as
/// <c>var['gene_symbols']</c>), and in <c>uns['scgnn']</c> the library version, the kept genes and
/// <see cref="H5adWriterOptions.Metadata"/>. The file is written atomically (temporary file, then rename).
/// </summary>
public static class H5adWriter
{
    private const int CompressAbove = 1 << 16;
    private const uint ChunkElements = 1 << 18;

    // Floats in one block of a dense X: 64 MB.
    private const int DenseBlockValues = 1 << 24;

    /// <summary>Writes <c>X</c> with default options.</summary>
    public static void Write(ExpressionMatrix matrix, string path) => Write(matrix, path, new H5adWriterOptions());

    /// <summary>Writes the matrix (to <c>X</c> or a layer) with its annotations, as CSR or, with <see cref="H5adWriterOptions.Dense"/>, dense.</summary>
    /// <param name="matrix">Cells x genes, with optional cell and gene annotations.</param>
    /// <param name="path">The output <c>.h5ad</c> file; replaced atomically.</param>
    /// <param name="options">Layer, storage, compression and the <c>uns</c> record.</param>
    public static void Write(ExpressionMatrix matrix, string path, H5adWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var cellIds = matrix.CellIds.ToArray();
        var geneIds = matrix.GeneIds.ToArray();
        var obs = matrix.CellAnnotations?.Columns ?? [];
        var var = GeneColumns(matrix.GeneAnnotations, matrix.GeneSymbols);
        if (options.Dense)
        {
            int genes = matrix.GeneCount;
            WriteDense(cellIds, geneIds, obs, var, path, options, DenseBlockValues, ChunkElements, (start, count, block) =>
            {
                var ptr = matrix.RowPointers; var idx = matrix.ColumnIndices; var val = matrix.Values;
                Array.Clear(block, 0, count * genes);
                for (int i = 0; i < count; i++)
                    for (int q = ptr[start + i]; q < ptr[start + i + 1]; q++) block[i * genes + idx[q]] = val[q];
            });
            return;
        }
        var x = Encoded(new H5Group(), "csr_matrix", "0.1.0");
        x.Attributes["shape"] = new long[] { matrix.CellCount, matrix.GeneCount };
        x["data"] = Dataset(matrix.Values.ToArray(), options);
        x["indices"] = Dataset(matrix.ColumnIndices.ToArray(), options);
        x["indptr"] = Dataset(matrix.RowPointers.ToArray().Select(p => (long)p).ToArray(), options);
        var file = Build(cellIds, geneIds, obs, var, x, options);
        AtomicOutput.WriteFile(path, stream => file.Write(stream));
    }

    /// <summary>
    /// Writes the <see cref="ExpressionDataOptions.ExpressionColumnName"/> vector column of a data view (gene ids from
    /// its <c>SlotNames</c>, else <c>gene0..</c>; cell ids from the <see cref="ExpressionDataOptions.CellIdColumnName"/>
    /// text column, else <c>cell0..</c>), with <see cref="H5adWriterOptions.CellAnnotations"/> and
    /// <see cref="H5adWriterOptions.GeneAnnotations"/> as <c>obs</c> and <c>var</c>. With
    /// <see cref="H5adWriterOptions.Dense"/> the view is cursored twice, once for the cell ids and once for the values,
    /// which go to the file block by block: memory is one block, whatever the cell count. As CSR it is read whole first.
    /// </summary>
    /// <param name="data">Rows are cells; a known-size float vector column of genes.</param>
    /// <param name="path">The output <c>.h5ad</c> file; replaced atomically.</param>
    /// <param name="options">Layer, storage, compression, annotations, <c>uns</c> record and input column names.</param>
    /// <exception cref="ArgumentException">The cell id column is not text, or an annotation table's row count is not the view's cell or gene count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The expression column is missing or not a known-size float vector.</exception>
    public static void Write(IDataView data, string path, H5adWriterOptions options) =>
        Write(data, path, options, DenseBlockValues, ChunkElements);

    // The block and chunk sizes are parameters so that tests cross their boundaries on small data.
    internal static void Write(IDataView data, string path, H5adWriterOptions options, int blockValues, uint chunkElements)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var expr = ExpressionSchema.GetExpressionColumn(data.Schema, options.ExpressionColumnName, nameof(data));
        int genes = ((VectorDataViewType)expr.Type).Size;
        var geneIds = ExpressionSchema.GeneIdsOrDefault(expr);
        var id = ExpressionSchema.GetCellIdColumn(data.Schema, options.CellIdColumnName, nameof(data));
        if (!options.Dense)
        {
            var m = ExpressionMatrix.FromDataView(data, options.ExpressionColumnName, options.CellIdColumnName);
            Write(m.WithAnnotations(options.CellAnnotations, options.GeneAnnotations), path, options);
            return;
        }
        var cellIds = CellIds(data, id);
        if (options.CellAnnotations is { } cells && cells.RowCount != cellIds.Length)
            throw new ArgumentException($"{cells.RowCount} cell annotation rows (CellAnnotations) for {cellIds.Length} cells in the data.", nameof(options));
        if (options.GeneAnnotations is { } geneTable && geneTable.RowCount != genes)
            throw new ArgumentException($"{geneTable.RowCount} gene annotation rows (GeneAnnotations) for {genes} genes in column '{expr.Name}'.", nameof(options));

        using var cursor = data.GetRowCursor([expr]);
        var getter = cursor.GetGetter<VBuffer<float>>(expr);
        VBuffer<float> row = default;
        WriteDense(cellIds, geneIds, options.CellAnnotations?.Columns ?? [], GeneColumns(options.GeneAnnotations, null), path, options, blockValues, chunkElements, (start, count, block) =>
        {
            for (int i = 0; i < count; i++)
            {
                if (!cursor.MoveNext())
                    throw new InvalidOperationException($"The data gave {start + i} rows for its values after {cellIds.Length} cell ids.");
                getter(ref row);
                var target = block.AsSpan(i * genes, genes);
                if (row.IsDense) row.GetValues().CopyTo(target);
                else
                {
                    target.Clear();
                    var values = row.GetValues(); var indices = row.GetIndices();
                    for (int k = 0; k < values.Length; k++) target[indices[k]] = values[k];
                }
            }
        });
    }

    private static string[] CellIds(IDataView data, DataViewSchema.Column? id)
    {
        var ids = new List<string>();
        using var cursor = data.GetRowCursor(id is null ? [] : [id.Value]);
        var getId = id is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(id.Value);
        ReadOnlyMemory<char> cell = default;
        while (cursor.MoveNext())
        {
            if (getId is null) { ids.Add("cell" + ids.Count.ToString(CultureInfo.InvariantCulture)); continue; }
            getId(ref cell);
            ids.Add(cell.ToString());
        }
        return ids.ToArray();
    }

    // X as a cells x genes float32 dataset, filled block by block through the writer PureHDF returns once the
    // file's structure is written; fill(start, count, block) puts rows start..start+count-1 into block, row-major.
    private static void WriteDense(string[] cellIds, string[] geneIds, IEnumerable<AnnotationColumn> obs, IEnumerable<AnnotationColumn> var,
        string path, H5adWriterOptions options, int blockValues, uint chunkElements, Action<int, int, float[]> fill)
    {
        int cells = cellIds.Length, genes = geneIds.Length;
        bool compress = options.Compress && (long)cells * genes > CompressAbove && genes > 0;
        int chunkRows = (int)Math.Clamp(chunkElements / (uint)Math.Max(genes, 1), 1, Math.Max(cells, 1));
        var x = Encoded(compress
            ? new H5Dataset<float[]>(fileDims: [(ulong)cells, (ulong)genes], chunks: [(uint)chunkRows, (uint)genes],
                datasetCreation: new H5DatasetCreation(Filters: [new H5Filter(DeflateFilter.Id)]))
            : new H5Dataset<float[]>(fileDims: [(ulong)cells, (ulong)genes]), "array", "0.2.0");
        var file = Build(cellIds, geneIds, obs, var, x, options);
        // Whole chunks per block, so that each chunk is compressed once.
        int blockRows = Math.Max(chunkRows, blockValues / Math.Max(genes, 1) / chunkRows * chunkRows);
        AtomicOutput.WriteFile(path, stream =>
        {
            using var writer = file.BeginWrite(stream);
            float[]? block = null;
            for (int start = 0; start < cells; start += blockRows)
            {
                int count = Math.Min(blockRows, cells - start);
                if (block is null || block.Length != count * genes) block = new float[count * genes];
                fill(start, count, block);
                writer.Write(x, block, fileSelection: new HyperslabSelection(2, [(ulong)start, 0], [(ulong)count, (ulong)genes]));
            }
        });
    }

    private static H5File Build(string[] cellIds, string[] geneIds, IEnumerable<AnnotationColumn> obs, IEnumerable<AnnotationColumn> var,
        H5Object x, H5adWriterOptions options)
    {
        var layers = Encoded(new H5Group(), "dict", "0.1.0");
        var file = new H5File
        {
            ["obs"] = Frame(cellIds, obs, options),
            ["var"] = Frame(geneIds, var, options),
            ["layers"] = layers,
            ["obsm"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["varm"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["obsp"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["varp"] = Encoded(new H5Group(), "dict", "0.1.0"),
            ["uns"] = Uns(geneIds, options),
        };
        if (options.Layer is { } layer) layers[layer] = x;
        else file["X"] = x;
        file.Attributes["encoding-type"] = "anndata";
        file.Attributes["encoding-version"] = "0.1.0";
        return file;
    }

    private static IEnumerable<AnnotationColumn> GeneColumns(AnnotationTable? genes, IReadOnlyList<string>? symbols)
    {
        var columns = genes?.Columns ?? [];
        if (symbols is not null && !columns.Any(c => c.Name == "gene_symbols"))
            columns = [.. columns, AnnotationColumn.Text("gene_symbols", symbols)];
        return columns;
    }

    private static H5Group Uns(string[] geneIds, H5adWriterOptions options)
    {
        var record = Encoded(new H5Group(), "dict", "0.1.0");
        record["library"] = Scalar("ScGnn.MLNet");
        record["library_version"] = Scalar(ModelComponentInfo.LibraryVersion);
        record["kept_genes"] = Strings(geneIds);
        var opts = Encoded(new H5Group(), "dict", "0.1.0");
        foreach (var (key, value) in options.Metadata) opts[key] = Scalar(value);
        record["options"] = opts;
        var uns = Encoded(new H5Group(), "dict", "0.1.0");
        uns["scgnn"] = record;
        return uns;
    }

    private static H5Group Frame(string[] index, IEnumerable<AnnotationColumn> columns, H5adWriterOptions options)
    {
        var frame = Encoded(new H5Group(), "dataframe", "0.2.0");
        frame.Attributes["_index"] = "_index";
        frame["_index"] = Strings(index);
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

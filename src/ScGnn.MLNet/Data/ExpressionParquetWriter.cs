using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes an <see cref="ExpressionMatrix"/> or the expression column of an <see cref="IDataView"/> as a Parquet
/// file (Parquet.Net, Snappy-compressed) in the <see cref="ExpressionParquetLayout.Wide"/> layout (a <c>cell</c>
/// string column, then one float column per gene; pandas: <c>pd.read_parquet(path).set_index("cell")</c>) or the
/// sparse <see cref="ExpressionParquetLayout.Long"/> layout (<c>cell</c>, <c>gene</c>, <c>value</c> rows for the
/// non-zero entries). Key-value metadata records the layout (<c>scgnn.layout</c>) and, when present, the gene
/// symbols (<c>scgnn.gene_symbols</c>, a JSON array).
/// </summary>
/// <remarks>
/// Rows are streamed: the writer cursors its input once and holds one row group at a time, so a dense imputed
/// matrix larger than memory can be written. A wide row group holds at most <see cref="WideBlockValues"/> values
/// (cells x genes) unless <see cref="ExpressionParquetOptions.RowGroupSize"/> says otherwise. The file is written to
/// a temporary file in the same folder and moved over the target when complete. Parquet.Net spends about 0.15 ms
/// per column per row group, so a 13,714-gene matrix takes about 2 s per row group.
/// </remarks>
public static class ExpressionParquetWriter
{
    internal const string CellColumn = "cell";
    internal const string GeneColumn = "gene";
    internal const string ValueColumn = "value";
    internal const string LayoutKey = "scgnn.layout";
    internal const string CellsKey = "scgnn.cells";
    internal const string GenesKey = "scgnn.genes";
    internal const string SymbolsKey = "scgnn.gene_symbols";

    /// <summary>Values (cells x genes) in one wide row group by default: 256 MB of floats.</summary>
    public const int WideBlockValues = 1 << 26;

    /// <summary>Writes the wide layout.</summary>
    public static void Write(ExpressionMatrix matrix, string path) => Write(matrix, path, new ExpressionParquetOptions());

    /// <summary>Writes the layout chosen in <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">In the wide layout, a gene id is empty or is <c>cell</c>.</exception>
    public static void Write(ExpressionMatrix matrix, string path, ExpressionParquetOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(options);
        var view = matrix.ToDataView(ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName);
        Write(view, path, options, ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName, matrix.GeneSymbols, nameof(matrix));
    }

    /// <summary>
    /// Streams the <see cref="ExpressionDataOptions.ExpressionColumnName"/> vector column (gene ids from its
    /// <c>SlotNames</c>, else <c>gene0..</c>) and the <see cref="ExpressionDataOptions.CellIdColumnName"/> text column
    /// (else <c>cell0..</c>) of <paramref name="data"/> into the layout chosen in <paramref name="options"/>, one row
    /// group at a time: the data view is cursored once and never materialized whole.
    /// </summary>
    /// <param name="data">Rows are cells; a known-size float vector column of genes.</param>
    /// <param name="path">The output <c>.parquet</c> file.</param>
    /// <param name="options">Layout, row-group size and input column names.</param>
    /// <exception cref="ArgumentException">In the wide layout, a gene id is empty or is <c>cell</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The expression column is missing or not a known-size float vector.</exception>
    public static void Write(IDataView data, string path, ExpressionParquetOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Write(data, path, options, options.ExpressionColumnName, options.CellIdColumnName, null, nameof(data));
    }

    private static void Write(IDataView data, string path, ExpressionParquetOptions options, string expressionColumn, string cellIdColumn,
        IReadOnlyList<string>? symbols, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options.Validate();
        var expr = ExpressionSchema.GetExpressionColumn(data.Schema, expressionColumn, paramName);
        int genes = ((VectorDataViewType)expr.Type).Size;
        var geneIds = ExpressionSchema.GeneIdsOrDefault(expr);
        var id = ExpressionSchema.GetCellIdColumn(data.Schema, cellIdColumn, paramName);
        if (options.Layout == ExpressionParquetLayout.Wide)
        {
            for (int j = 0; j < genes; j++)
                if (geneIds[j].Length == 0 || geneIds[j] == CellColumn)
                    throw new ArgumentException(
                        $"Gene {j} has id '{geneIds[j]}', which cannot be a column of the wide layout beside '{CellColumn}'; use the long layout.",
                        paramName);
        }
        var source = new RowSource(data, expr, id);
        AtomicOutput.WriteFile(path, stream =>
        {
            var task = options.Layout == ExpressionParquetLayout.Wide
                ? WriteWideAsync(source, geneIds, symbols, stream, options.RowGroupSize ?? Math.Clamp(WideBlockValues / Math.Max(genes, 1), 1, ExpressionParquetOptions.Defaults.WideRowGroupSize))
                : WriteLongAsync(source, geneIds, symbols, stream, options.EffectiveRowGroupSize);
            task.GetAwaiter().GetResult();
        });
    }

    // One pass over the cells: id and non-zero entries of each row (dense rows are scanned for non-zeros).
    private sealed class RowSource(IDataView data, DataViewSchema.Column expression, DataViewSchema.Column? id)
    {
        internal IEnumerable<(string Cell, int[] Indices, float[] Values, int Count)> Rows()
        {
            var cols = id is null ? new[] { expression } : new[] { expression, id.Value };
            using var cursor = data.GetRowCursor(cols);
            var getExpr = cursor.GetGetter<VBuffer<float>>(expression);
            var getId = id is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(id.Value);
            VBuffer<float> row = default;
            ReadOnlyMemory<char> cell = default;
            var idx = new int[16];
            var val = new float[16];
            long n = 0;
            while (cursor.MoveNext())
            {
                getExpr(ref row);
                string name;
                if (getId is not null) { getId(ref cell); name = cell.ToString(); }
                else name = "cell" + n.ToString(CultureInfo.InvariantCulture);
                n++;
                int stored = row.GetValues().Length;
                if (stored > idx.Length) { idx = new int[stored]; val = new float[stored]; }
                int count = ExpressionSchema.NonZeros(row, idx, val);
                yield return (name, idx, val, count);
            }
        }
    }

    private static Dictionary<string, string> Metadata(IReadOnlyList<string>? symbols, string layout)
    {
        var meta = new Dictionary<string, string> { [LayoutKey] = layout };
        if (symbols is not null) meta[SymbolsKey] = JsonSerializer.Serialize(symbols);
        return meta;
    }

    private static async Task WriteWideAsync(RowSource source, string[] geneIds, IReadOnlyList<string>? symbols, Stream stream, int rowGroupSize)
    {
        int genes = geneIds.Length;
        var fields = new List<Field>(genes + 1) { new DataField<string>(CellColumn) };
        foreach (var g in geneIds) fields.Add(new DataField<float>(g));
        var schema = new ParquetSchema(fields);
        var data = schema.DataFields;
        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        writer.CustomMetadata = Metadata(symbols, "wide");
        // One row group, column-major: gene j's cells at [j * capacity, j * capacity + n). The block grows by
        // doubling up to the row-group size, so a small matrix gets a small buffer.
        rowGroupSize = (int)Math.Min(rowGroupSize, Array.MaxLength / Math.Max(genes, 1));
        int capacity = Math.Min(rowGroupSize, 1024);
        var block = new float[(long)capacity * genes];
        var cells = new List<string>(capacity);
        bool wroteGroup = false;
        async Task FlushAsync()
        {
            int n = cells.Count;
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(data[0], cells.ToArray(), null).ConfigureAwait(false);
            for (int j = 0; j < genes; j++)
                await rg.WriteAsync<float>(data[j + 1], block.AsMemory(j * capacity, n), null, null, default).ConfigureAwait(false);
            rg.CompleteValidate();
            Array.Clear(block);
            cells.Clear();
            wroteGroup = true;
        }
        foreach (var (cell, idx, val, count) in source.Rows())
        {
            int r = cells.Count;
            if (r == capacity)
            {
                int grown = (int)Math.Min(rowGroupSize, 2L * capacity);
                var larger = new float[(long)grown * genes];
                for (int j = 0; j < genes; j++) Array.Copy(block, (long)j * capacity, larger, (long)j * grown, capacity);
                block = larger;
                capacity = grown;
            }
            cells.Add(cell);
            for (int q = 0; q < count; q++) block[(long)idx[q] * capacity + r] = val[q];
            if (cells.Count == rowGroupSize) await FlushAsync().ConfigureAwait(false);
        }
        if (cells.Count > 0 || !wroteGroup) await FlushAsync().ConfigureAwait(false);
    }

    private static async Task WriteLongAsync(RowSource source, string[] geneIds, IReadOnlyList<string>? symbols, Stream stream, int rowGroupSize)
    {
        var schema = new ParquetSchema(new DataField<string>(CellColumn), new DataField<string>(GeneColumn), new DataField<float>(ValueColumn));
        var data = schema.DataFields;
        await using var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false);
        var allCells = new List<string>();
        var cells = new List<string>();
        var genes = new List<string>();
        var values = new List<float>();
        async Task FlushAsync()
        {
            using var rg = writer.CreateRowGroup();
            await rg.WriteAsync(data[0], cells, null).ConfigureAwait(false);
            await rg.WriteAsync(data[1], genes, null).ConfigureAwait(false);
            await rg.WriteAsync<float>(data[2], values.ToArray().AsMemory(), null, null, default).ConfigureAwait(false);
            rg.CompleteValidate();
            cells.Clear();
            genes.Clear();
            values.Clear();
        }
        bool wroteGroup = false;
        foreach (var (cell, idx, val, count) in source.Rows())
        {
            allCells.Add(cell);
            for (int q = 0; q < count; q++)
            {
                cells.Add(cell);
                genes.Add(geneIds[idx[q]]);
                values.Add(val[q]);
                if (values.Count == rowGroupSize) { await FlushAsync().ConfigureAwait(false); wroteGroup = true; }
            }
        }
        if (values.Count > 0 || !wroteGroup) await FlushAsync().ConfigureAwait(false);
        // The footer is written when the writer is disposed, so the full cell list can be recorded last.
        var meta = Metadata(symbols, "long");
        meta[CellsKey] = JsonSerializer.Serialize(allCells);
        meta[GenesKey] = JsonSerializer.Serialize(geneIds);
        writer.CustomMetadata = meta;
    }
}

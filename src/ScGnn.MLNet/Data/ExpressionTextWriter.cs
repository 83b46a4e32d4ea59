using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes an <see cref="ExpressionMatrix"/> as cells x genes delimited text that pandas
/// (<c>pd.read_csv(path, index_col=0)</c>) and <see cref="ExpressionTextReader"/> read back exactly: a header
/// <c>cell,&lt;gene ids&gt;</c>, then one line per cell with its id and one value per gene (zeros included).
/// Values are written in the invariant culture in their shortest round-trip form, so reading gives the same
/// floats. Ids holding the separator, a quote or a line break are quoted (RFC 4180). A path ending in
/// <c>.gz</c> is gzip-compressed.
/// </summary>
/// <remarks>
/// The text is dense: about (2 x genes) bytes per cell even when the row is empty. The file is written to a
/// temporary file in the same folder and moved over the target when complete. A data view is written from its cursor
/// in blocks of rows (<see cref="Write(IDataView, string, ExpressionTextOptions)"/>), never held whole.
/// </remarks>
public static class ExpressionTextWriter
{
    /// <summary>Writes a delimited file with the given separator (',' for CSV, '\t' for TSV).</summary>
    public static void Write(ExpressionMatrix matrix, string path, char separator = ExpressionTextOptions.Defaults.Separator) =>
        Write(matrix, path, new ExpressionTextOptions { Separator = separator });

    /// <summary>Writes a delimited file.</summary>
    public static void Write(ExpressionMatrix matrix, string path, ExpressionTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        WriteFile(path, w => WriteBody(matrix, w, options));
    }

    /// <summary>
    /// Writes the expression column of a data view (cells are rows) as delimited text, reading the cursor in blocks of
    /// rows, so that the data (an imputed matrix has every entry filled) is never held whole. The file is the same as
    /// the one <see cref="ExpressionMatrix.FromDataView"/> and <see cref="Write(ExpressionMatrix, string, ExpressionTextOptions)"/>
    /// would write: gene ids from the column's <c>SlotNames</c> (<c>gene0..</c> without them), cell ids from the
    /// id column (<c>cell0..</c> without one).
    /// </summary>
    /// <param name="data">Rows are cells; <see cref="ExpressionDataOptions.ExpressionColumnName"/> a known-size float vector column.</param>
    /// <param name="path">The output file (<c>.gz</c> compresses).</param>
    /// <param name="options">Separator, header and input column names.</param>
    /// <exception cref="ArgumentOutOfRangeException">The expression column is missing or not a known-size float vector.</exception>
    public static void Write(IDataView data, string path, ExpressionTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Schema checks before the file is opened.
        var expr = ExpressionSchema.GetExpressionColumn(data.Schema, options.ExpressionColumnName, nameof(data));
        int genes = ((VectorDataViewType)expr.Type).Size;
        var geneIds = ExpressionSchema.GeneIdsOrDefault(expr);
        var id = ExpressionSchema.GetCellIdColumn(data.Schema, options.CellIdColumnName, nameof(data));
        WriteFile(path, w =>
        {
            WriteHeader(geneIds, w, options);
            var cols = id is null ? new[] { expr } : new[] { expr, id.Value };
            using var cursor = data.GetRowCursor(cols);
            var getExpr = cursor.GetGetter<VBuffer<float>>(expr);
            var getId = id is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(id.Value);
            int perBlock = RowsPerBlock(genes), threads = Math.Max(1, Environment.ProcessorCount);
            // One block of rows per core, as CSR rows: ids, row starts, and the rows' non-zeros.
            int rows = perBlock * threads;
            var cells = new string[rows];
            var ptr = new int[rows + 1];
            var idx = new int[(long)rows * genes <= Array.MaxLength ? rows * genes : Array.MaxLength];
            var val = new float[idx.Length];
            var texts = new MemoryStream[threads];
            VBuffer<float> row = default;
            ReadOnlyMemory<char> cell = default;
            long n = 0;
            bool more = true;
            while (more)
            {
                int count = 0, at = 0;
                while (count < rows && at + genes <= idx.Length && (more = cursor.MoveNext()))
                {
                    getExpr(ref row);
                    if (getId is not null) { getId(ref cell); cells[count] = cell.ToString(); }
                    else cells[count] = "cell" + n.ToString(CultureInfo.InvariantCulture);
                    n++;
                    at += ExpressionSchema.NonZeros(row, idx.AsSpan(at), val.AsSpan(at));
                    ptr[++count] = at;
                }
                int blocks = (count + perBlock - 1) / perBlock;
                Parallel.For(0, blocks, b =>
                {
                    var text = texts[b] ??= new MemoryStream();
                    text.SetLength(0);
                    using var bw = new Utf8BufferWriter(text);
                    int start = b * perBlock, end = Math.Min(count, start + perBlock);
                    for (int r = start; r < end; r++)
                        WriteRow(cells[r], idx.AsSpan(ptr[r], ptr[r + 1] - ptr[r]), val.AsSpan(ptr[r], ptr[r + 1] - ptr[r]), genes, bw, options.Separator);
                });
                for (int b = 0; b < blocks; b++) w.WriteAscii(texts[b].GetBuffer().AsSpan(0, (int)texts[b].Length));
            }
        });
    }

    private static void WriteFile(string path, Action<Utf8BufferWriter> body)
    {
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicOutput.WriteFile(path, stream =>
        {
            if (gzip)
            {
                using var z = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                using var w = new Utf8BufferWriter(z);
                body(w);
            }
            else
            {
                using var w = new Utf8BufferWriter(stream);
                body(w);
            }
        });
    }

    // Rows whose text is about 1 MiB.
    private static int RowsPerBlock(int genes) => Math.Max(1, (1 << 20) / (genes * 8 + 64));

    private static void WriteHeader(IReadOnlyList<string> geneIds, Utf8BufferWriter w, ExpressionTextOptions options)
    {
        char sepChar = options.Separator;
        WriteField(w, options.CellIdHeader, sepChar);
        foreach (var g in geneIds)
        {
            w.WriteByte((byte)sepChar);
            WriteField(w, g, sepChar);
        }
        w.WriteNewLine();
    }

    private static void WriteBody(ExpressionMatrix m, Utf8BufferWriter w, ExpressionTextOptions options)
    {
        WriteHeader(m.GeneIds, w, options);
        // Formatting the floats is most of the time: blocks of rows (about 1 MiB of text each) are formatted on all
        // cores and written in order, so the file is the same as one written row by row.
        int perBlock = RowsPerBlock(m.GeneCount);
        int blocks = (m.CellCount + perBlock - 1) / perBlock;
        var texts = new MemoryStream[Math.Max(1, Math.Min(Environment.ProcessorCount, blocks))];
        for (int first = 0; first < blocks; first += texts.Length)
        {
            int count = Math.Min(texts.Length, blocks - first);
            Parallel.For(0, count, b =>
            {
                var text = texts[b] ??= new MemoryStream();
                text.SetLength(0);
                using var bw = new Utf8BufferWriter(text);
                int start = (first + b) * perBlock, end = Math.Min(m.CellCount, start + perBlock);
                for (int cell = start; cell < end; cell++)
                    WriteRow(m.CellIds[cell], m.RowIndices(cell), m.RowValues(cell), m.GeneCount, bw, options.Separator);
            });
            for (int b = 0; b < count; b++) w.WriteAscii(texts[b].GetBuffer().AsSpan(0, (int)texts[b].Length));
        }
    }

    // One line: the id, then every gene's value (the row's non-zeros, ascending, with zeros between).
    private static void WriteRow(string cell, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int genes, Utf8BufferWriter w, char sepChar)
    {
        byte sep = (byte)sepChar;
        WriteField(w, cell, sepChar);
        int k = 0;
        for (int j = 0; j < genes; j++)
        {
            w.WriteByte(sep);
            if (k < indices.Length && indices[k] == j) w.WriteSingle(values[k++]);
            else w.WriteByte((byte)'0');
        }
        w.WriteNewLine();
    }

    private static void WriteField(Utf8BufferWriter w, string value, char separator) =>
        w.WriteString(DelimitedLine.NeedsQuotes(value, separator) ? DelimitedLine.Quote(value) : value);
}

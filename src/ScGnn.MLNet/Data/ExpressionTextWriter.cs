using System.IO.Compression;

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
/// temporary file in the same folder and moved over the target when complete.
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
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicOutput.WriteFile(path, stream =>
        {
            if (gzip)
            {
                using var z = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                using var w = new Utf8BufferWriter(z);
                WriteBody(matrix, w, options);
            }
            else
            {
                using var w = new Utf8BufferWriter(stream);
                WriteBody(matrix, w, options);
            }
        });
    }

    private static void WriteBody(ExpressionMatrix m, Utf8BufferWriter w, ExpressionTextOptions options)
    {
        char sepChar = options.Separator;
        byte sep = (byte)sepChar;
        WriteField(w, options.CellIdHeader, sepChar);
        foreach (var g in m.GeneIds)
        {
            w.WriteByte(sep);
            WriteField(w, g, sepChar);
        }
        w.WriteNewLine();
        // Formatting the floats is most of the time: blocks of rows (about 1 MiB of text each) are formatted on all
        // cores and written in order, so the file is the same as one written row by row.
        int perBlock = Math.Max(1, (1 << 20) / (m.GeneCount * 8 + 64));
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
                for (int cell = start; cell < end; cell++) WriteRow(m, cell, bw, sepChar);
            });
            for (int b = 0; b < count; b++) w.WriteAscii(texts[b].GetBuffer().AsSpan(0, (int)texts[b].Length));
        }
    }

    private static void WriteRow(ExpressionMatrix m, int cell, Utf8BufferWriter w, char sepChar)
    {
        byte sep = (byte)sepChar;
        var ci = m.ColumnIndices;
        var vals = m.Values;
        WriteField(w, m.CellIds[cell], sepChar);
        int k = m.RowPointers[cell], end = m.RowPointers[cell + 1];
        for (int j = 0; j < m.GeneCount; j++)
        {
            w.WriteByte(sep);
            if (k < end && ci[k] == j) w.WriteSingle(vals[k++]);
            else w.WriteByte((byte)'0');
        }
        w.WriteNewLine();
    }

    private static void WriteField(Utf8BufferWriter w, string value, char separator) =>
        w.WriteString(DelimitedLine.NeedsQuotes(value, separator) ? DelimitedLine.Quote(value) : value);
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes an <see cref="ExpressionMatrix"/> as a 10x Genomics MatrixMarket v3 folder that scanpy
/// (<c>sc.read_10x_mtx</c>), Seurat (<c>Read10X</c>) and <see cref="TenXReader"/> read back:
/// <c>matrix.mtx.gz</c> (genes x cells, <c>coordinate integer general</c> when every value is a whole number, else
/// <c>coordinate real general</c> with shortest round-trip floats), <c>features.tsv.gz</c>
/// (<c>id&lt;TAB&gt;symbol&lt;TAB&gt;Gene Expression</c>; the symbol is the id when the matrix has none) and
/// <c>barcodes.tsv.gz</c>.
/// </summary>
/// <remarks>
/// The files are written into a temporary folder beside the target and then moved in, so a failure never leaves
/// partial files. Writing into an existing folder replaces files of the same names; it is refused when the folder
/// holds another variant (e.g. <c>genes.tsv</c> or an uncompressed <c>matrix.mtx</c>), which would make the folder
/// ambiguous to read. Explicitly stored zeros are not written. A data view is written from one pass of its cursor
/// (<see cref="Write(IDataView, string, TenXWriterOptions)"/>): the header counts the entries, so they go to a
/// temporary binary file first, and the view is never held whole.
/// </remarks>
public static class TenXWriter
{
    /// <summary>Writes a gzip-compressed v3 folder.</summary>
    /// <param name="matrix">The cells x genes matrix.</param>
    /// <param name="folder">The output folder (created if needed).</param>
    public static void Write(ExpressionMatrix matrix, string folder) => Write(matrix, folder, new TenXWriterOptions());

    /// <summary>Writes a v3 folder.</summary>
    /// <param name="matrix">The cells x genes matrix.</param>
    /// <param name="folder">The output folder (created if needed).</param>
    /// <param name="options">Writing options.</param>
    /// <exception cref="ArgumentException">An id holds a tab or line break, which the TSV files cannot carry.</exception>
    /// <exception cref="IOException">The folder holds another 10x variant that would make it ambiguous.</exception>
    public static void Write(ExpressionMatrix matrix, string folder, TenXWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckIds(matrix.GeneIds, "gene id");
        CheckIds(matrix.CellIds, "cell id");
        if (matrix.GeneSymbols is { } symbols) CheckIds(symbols, "gene symbol");

        string[] ours = OurNames(options);
        CheckFolder(folder, ours);

        AtomicOutput.WriteFolder(folder, temp =>
        {
            WriteText(Path.Combine(temp, ours[0]), options.Compress, w => WriteMatrix(matrix, w));
            WriteFeatures(Path.Combine(temp, ours[1]), matrix.GeneIds, matrix.GeneSymbols, options);
            WriteText(Path.Combine(temp, ours[2]), options.Compress, w =>
            {
                foreach (var id in matrix.CellIds) { w.WriteString(id); w.WriteNewLine(); }
            });
        });
    }

    /// <summary>
    /// Writes the expression column of a data view (cells are rows) as a v3 folder in one pass of its cursor, so that
    /// the data (an imputed matrix has every entry filled) is never held whole: the non-zeros go to a temporary binary
    /// file (12 bytes each) in the staging folder until the header's count is known. The folder is the one
    /// <see cref="ExpressionMatrix.FromDataView"/> and <see cref="Write(ExpressionMatrix, string, TenXWriterOptions)"/>
    /// would write: gene ids from the column's <c>SlotNames</c> (<c>gene0..</c> without them, and as their own symbols),
    /// cell ids from the id column (<c>cell0..</c> without one).
    /// </summary>
    /// <param name="data">Rows are cells; <see cref="ExpressionDataOptions.ExpressionColumnName"/> a known-size float vector column.</param>
    /// <param name="folder">The output folder (created if needed).</param>
    /// <param name="options">Writing options and input column names.</param>
    /// <exception cref="ArgumentOutOfRangeException">The expression column is missing or not a known-size float vector.</exception>
    /// <exception cref="ArgumentException">An id holds a tab or line break, which the TSV files cannot carry.</exception>
    /// <exception cref="IOException">The folder holds another 10x variant that would make it ambiguous.</exception>
    public static void Write(IDataView data, string folder, TenXWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Schema and ids checked before any file is written.
        var expr = ExpressionSchema.GetExpressionColumn(data.Schema, options.ExpressionColumnName, nameof(data));
        int genes = ((VectorDataViewType)expr.Type).Size;
        var geneIds = ExpressionSchema.GeneIdsOrDefault(expr);
        CheckIds(geneIds, "gene id");
        var id = ExpressionSchema.GetCellIdColumn(data.Schema, options.CellIdColumnName, nameof(data));
        string[] ours = OurNames(options);
        CheckFolder(folder, ours);

        AtomicOutput.WriteFolder(folder, temp =>
        {
            string entries = Path.Combine(temp, ".entries");
            long cells = 0, nonZero = 0;
            bool integer = true;
            try
            {
                using (var bin = new FileStream(entries, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                using (var barcodes = new FileStream(Path.Combine(temp, ours[2]), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    using (var z = options.Compress ? new GZipStream(barcodes, CompressionLevel.Optimal, leaveOpen: true) : null)
                    using (var w = new Utf8BufferWriter(z ?? (Stream)barcodes))
                    {
                        var cols = id is null ? new[] { expr } : new[] { expr, id.Value };
                        using var cursor = data.GetRowCursor(cols);
                        var getExpr = cursor.GetGetter<VBuffer<float>>(expr);
                        var getId = id is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(id.Value);
                        VBuffer<float> row = default;
                        ReadOnlyMemory<char> cell = default;
                        var one = new string[1];
                        var block = new byte[12 << 14];
                        int used = 0;
                        var idx = new int[genes];
                        var val = new float[genes];
                        while (cursor.MoveNext())
                        {
                            getExpr(ref row);
                            if (getId is not null) { getId(ref cell); one[0] = cell.ToString(); }
                            else one[0] = "cell" + cells.ToString(CultureInfo.InvariantCulture);
                            CheckIds(one, "cell id", cells);
                            w.WriteString(one[0]);
                            w.WriteNewLine();
                            int n = ExpressionSchema.NonZeros(row, idx, val);
                            nonZero += n;
                            for (int q = 0; q < n; q++)
                            {
                                float v = val[q];
                                if (integer && !IsWhole(v)) integer = false;
                                if (used == block.Length) { bin.Write(block, 0, used); used = 0; }
                                var e = block.AsSpan(used, 12);
                                BinaryPrimitives.WriteInt32LittleEndian(e, idx[q]);
                                BinaryPrimitives.WriteUInt32LittleEndian(e[4..], checked((uint)cells));
                                BinaryPrimitives.WriteSingleLittleEndian(e[8..], v);
                                used += 12;
                            }
                            cells++;
                        }
                        bin.Write(block, 0, used);
                    }
                    barcodes.Flush(flushToDisk: true);
                }
                WriteText(Path.Combine(temp, ours[0]), options.Compress, w =>
                {
                    WriteHeader(w, integer, genes, cells, nonZero);
                    using var bin = new FileStream(entries, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 20);
                    var buffer = new byte[12 << 14];
                    int filled = 0, read;
                    while ((read = bin.Read(buffer, filled, buffer.Length - filled)) > 0 || filled > 0)
                    {
                        filled += read;
                        int whole = filled / 12 * 12;
                        if (whole == 0 && read == 0) throw new IOException($"{entries}: truncated.");
                        for (int at = 0; at < whole; at += 12)
                        {
                            var e = buffer.AsSpan(at, 12);
                            WriteEntry(w, BinaryPrimitives.ReadInt32LittleEndian(e), BinaryPrimitives.ReadUInt32LittleEndian(e[4..]),
                                BinaryPrimitives.ReadSingleLittleEndian(e[8..]), integer);
                        }
                        Buffer.BlockCopy(buffer, whole, buffer, 0, filled - whole);
                        filled -= whole;
                    }
                });
            }
            finally
            {
                File.Delete(entries);
            }
            WriteFeatures(Path.Combine(temp, ours[1]), geneIds, null, options);
        });
    }

    private static string[] OurNames(TenXWriterOptions options)
    {
        string gz = options.Compress ? ".gz" : "";
        return ["matrix.mtx" + gz, "features.tsv" + gz, "barcodes.tsv" + gz];
    }

    private static void CheckFolder(string folder, string[] ours)
    {
        if (!Directory.Exists(folder)) return;
        var others = TenXReader.MatrixNames.Concat(TenXReader.FeatureNames).Concat(TenXReader.BarcodeNames)
            .Except(ours).Where(n => File.Exists(Path.Combine(folder, n))).ToArray();
        if (others.Length > 0)
            throw new IOException($"{folder}: already holds {string.Join(", ", others)}; writing {string.Join(", ", ours)} " +
                "beside it would make the folder ambiguous. Remove those files or write to another folder.");
    }

    private static void WriteFeatures(string path, IReadOnlyList<string> geneIds, IReadOnlyList<string>? symbols, TenXWriterOptions options) =>
        WriteText(path, options.Compress, w =>
        {
            for (int j = 0; j < geneIds.Count; j++)
            {
                w.WriteString(geneIds[j]);
                w.WriteByte((byte)'\t');
                w.WriteString(symbols?[j] ?? geneIds[j]);
                w.WriteByte((byte)'\t');
                w.WriteString(options.FeatureType);
                w.WriteNewLine();
            }
        });

    // Whole numbers below 1e15 are written as integers; anything else makes the matrix real.
    private static bool IsWhole(float v) => v == MathF.Floor(v) && MathF.Abs(v) < 1e15f;

    private static void WriteHeader(Utf8BufferWriter w, bool integer, long genes, long cells, long nonZero)
    {
        w.WriteAscii(integer ? "%%MatrixMarket matrix coordinate integer general\n"u8 : "%%MatrixMarket matrix coordinate real general\n"u8);
        var version = typeof(TenXWriter).Assembly.GetName().Version?.ToString(3) ?? "0";
        w.WriteString($"%metadata_json: {{\"software_version\": \"ScGnn.MLNet {version}\", \"format_version\": 2}}\n");
        w.WriteInt64(genes);
        w.WriteByte((byte)' ');
        w.WriteInt64(cells);
        w.WriteByte((byte)' ');
        w.WriteInt64(nonZero);
        w.WriteNewLine();
    }

    // One "gene cell value" line, 1-based.
    private static void WriteEntry(Utf8BufferWriter w, int gene, long cell, float v, bool integer)
    {
        w.WriteInt64(gene + 1L);
        w.WriteByte((byte)' ');
        w.WriteInt64(cell + 1L);
        w.WriteByte((byte)' ');
        if (integer) w.WriteInt64((long)v);
        else w.WriteSingle(v);
        w.WriteNewLine();
    }

    private static void WriteMatrix(ExpressionMatrix m, Utf8BufferWriter w)
    {
        var values = m.Values;
        bool integer = true;
        long nonZero = 0;
        foreach (float v in values)
        {
            if (v == 0) continue;
            nonZero++;
            if (integer && !IsWhole(v)) integer = false;
        }
        WriteHeader(w, integer, m.GeneCount, m.CellCount, nonZero);
        var rp = m.RowPointers;
        var ci = m.ColumnIndices;
        for (int cell = 0; cell < m.CellCount; cell++)
            for (int k = rp[cell]; k < rp[cell + 1]; k++)
                if (values[k] != 0) WriteEntry(w, ci[k], cell, values[k], integer);
    }

    internal static void WriteText(string path, bool gzip, Action<Utf8BufferWriter> write)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        if (gzip)
        {
            using (var z = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
            using (var w = new Utf8BufferWriter(z))
                write(w);
        }
        else
        {
            using var w = new Utf8BufferWriter(file);
            write(w);
        }
        file.Flush(flushToDisk: true);
    }

    internal static void CheckIds(IReadOnlyList<string> ids, string what, long first = 0)
    {
        for (int i = 0; i < ids.Count; i++)
            if (ids[i].Length == 0 || ids[i].AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                throw new ArgumentException($"{what} {first + i} ('{ids[i]}') is empty or holds a tab or line break, which a 10x TSV file cannot carry.");
    }
}

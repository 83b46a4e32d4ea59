using System.IO.Compression;

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
/// ambiguous to read. Explicitly stored zeros are not written.
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

        string gz = options.Compress ? ".gz" : "";
        string[] ours = ["matrix.mtx" + gz, "features.tsv" + gz, "barcodes.tsv" + gz];
        if (Directory.Exists(folder))
        {
            var others = TenXReader.MatrixNames.Concat(TenXReader.FeatureNames).Concat(TenXReader.BarcodeNames)
                .Except(ours).Where(n => File.Exists(Path.Combine(folder, n))).ToArray();
            if (others.Length > 0)
                throw new IOException($"{folder}: already holds {string.Join(", ", others)}; writing {string.Join(", ", ours)} " +
                    "beside it would make the folder ambiguous. Remove those files or write to another folder.");
        }

        AtomicOutput.WriteFolder(folder, temp =>
        {
            WriteText(Path.Combine(temp, ours[0]), options.Compress, w => WriteMatrix(matrix, w));
            WriteText(Path.Combine(temp, ours[1]), options.Compress, w =>
            {
                for (int j = 0; j < matrix.GeneCount; j++)
                {
                    w.WriteString(matrix.GeneIds[j]);
                    w.WriteByte((byte)'\t');
                    w.WriteString(matrix.GeneSymbols?[j] ?? matrix.GeneIds[j]);
                    w.WriteByte((byte)'\t');
                    w.WriteString(options.FeatureType);
                    w.WriteNewLine();
                }
            });
            WriteText(Path.Combine(temp, ours[2]), options.Compress, w =>
            {
                foreach (var id in matrix.CellIds) { w.WriteString(id); w.WriteNewLine(); }
            });
        });
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
            if (integer && (v != MathF.Floor(v) || MathF.Abs(v) >= 1e15f)) integer = false;
        }
        w.WriteAscii(integer ? "%%MatrixMarket matrix coordinate integer general\n"u8 : "%%MatrixMarket matrix coordinate real general\n"u8);
        var version = typeof(TenXWriter).Assembly.GetName().Version?.ToString(3) ?? "0";
        w.WriteString($"%metadata_json: {{\"software_version\": \"ScGnn.MLNet {version}\", \"format_version\": 2}}\n");
        w.WriteInt64(m.GeneCount);
        w.WriteByte((byte)' ');
        w.WriteInt64(m.CellCount);
        w.WriteByte((byte)' ');
        w.WriteInt64(nonZero);
        w.WriteNewLine();
        var rp = m.RowPointers;
        var ci = m.ColumnIndices;
        for (int cell = 0; cell < m.CellCount; cell++)
        {
            for (int k = rp[cell]; k < rp[cell + 1]; k++)
            {
                float v = values[k];
                if (v == 0) continue;
                w.WriteInt64(ci[k] + 1L);
                w.WriteByte((byte)' ');
                w.WriteInt64(cell + 1L);
                w.WriteByte((byte)' ');
                if (integer) w.WriteInt64((long)v);
                else w.WriteSingle(v);
                w.WriteNewLine();
            }
        }
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

    internal static void CheckIds(IReadOnlyList<string> ids, string what)
    {
        for (int i = 0; i < ids.Count; i++)
            if (ids[i].Length == 0 || ids[i].AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                throw new ArgumentException($"{what} {i} ('{ids[i]}') is empty or holds a tab or line break, which a 10x TSV file cannot carry.");
    }
}

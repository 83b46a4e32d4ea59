namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads and writes an <see cref="ExpressionMatrix"/> in the format its path implies: a folder (or a
/// <c>matrix.mtx[.gz]</c> file) is 10x MatrixMarket; <c>.csv[.gz]</c> is CSV; <c>.tsv[.gz]</c> and
/// <c>.txt[.gz]</c> are TSV; <c>.parquet</c> is Parquet; <c>.h5ad</c> is AnnData; <c>.h5</c> is a Cell Ranger
/// HDF5 matrix (read only). When writing, a path without an extension, or an existing folder, is a 10x v3
/// folder; any other extension is an error, raised before any work by <see cref="DetectWriteFormat"/>.
/// </summary>
public static class ExpressionFile
{
    private const string Known = "a 10x folder, .mtx[.gz], .csv[.gz], .tsv[.gz], .txt[.gz], .parquet, .h5ad or .h5";

    /// <summary>The format <see cref="Read"/> uses for a path (which must exist).</summary>
    /// <exception cref="ArgumentException">The path is a file with an unrecognised extension.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    public static ExpressionFileFormat DetectReadFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return ExpressionFileFormat.TenX;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder.", path);
        return FromExtension(path) ?? throw new ArgumentException(
            $"{path}: unrecognised expression file type; expected {Known}.", nameof(path));
    }

    /// <summary>
    /// The format <see cref="Write"/> uses for a path, so that callers can check an output path before any work:
    /// by extension (<c>.csv</c>, <c>.tsv</c>, <c>.txt</c>, with or without <c>.gz</c>; <c>.parquet</c>;
    /// <c>.h5ad</c>); a path without an extension, or an existing folder, is a 10x folder.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is not a writable format (for example <c>.xlsx</c>, or
    /// <c>.h5</c>, which is read only), or the path names a <c>.mtx</c> file instead of its 10x folder.</exception>
    public static ExpressionFileFormat DetectWriteFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return ExpressionFileFormat.TenX;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (name.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".mtx.gz", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path}: to write 10x MatrixMarket, give the output folder, not the matrix file name.", nameof(path));
        var format = FromExtension(path);
        if (format == ExpressionFileFormat.TenXH5)
            throw new ArgumentException($"{path}: Cell Ranger .h5 files are read, not written; write .h5ad (AnnData) or a 10x folder instead.", nameof(path));
        if (format is not null) return format.Value;
        if (Path.GetExtension(name).Length == 0) return ExpressionFileFormat.TenX;
        throw new ArgumentException(
            $"{path}: cannot write '{Path.GetExtension(name)}' files; give .h5ad, .csv[.gz], .tsv[.gz], .txt[.gz], .parquet, or a folder name without an extension (10x).",
            nameof(path));
    }

    /// <summary>Reads a matrix, choosing the reader from the path (see <see cref="DetectReadFormat"/>).</summary>
    /// <exception cref="ExpressionFormatException">The file is malformed.</exception>
    public static ExpressionMatrix Read(string path) => DetectReadFormat(path) switch
    {
        ExpressionFileFormat.TenX => TenXReader.Read(path),
        ExpressionFileFormat.Csv => ExpressionTextReader.Read(path, ','),
        ExpressionFileFormat.Tsv => ExpressionTextReader.Read(path, '\t'),
        ExpressionFileFormat.H5ad => H5adReader.Read(path),
        ExpressionFileFormat.TenXH5 => TenXH5Reader.Read(path),
        _ => ExpressionParquetReader.Read(path),
    };

    /// <summary>
    /// Writes a matrix, choosing the writer from the path (see <see cref="DetectWriteFormat"/>); the output is
    /// replaced atomically, never left partial. <c>.h5ad</c> output carries the matrix's cell and gene annotations.
    /// </summary>
    /// <exception cref="ArgumentException">The path's extension is not a writable format (see <see cref="DetectWriteFormat"/>).</exception>
    public static void Write(ExpressionMatrix matrix, string path)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        switch (DetectWriteFormat(path))
        {
            case ExpressionFileFormat.TenX: TenXWriter.Write(matrix, path); break;
            case ExpressionFileFormat.Csv: ExpressionTextWriter.Write(matrix, path, ','); break;
            case ExpressionFileFormat.Tsv: ExpressionTextWriter.Write(matrix, path, '\t'); break;
            case ExpressionFileFormat.H5ad: H5adWriter.Write(matrix, path); break;
            default: ExpressionParquetWriter.Write(matrix, path); break;
        }
    }

    private static ExpressionFileFormat? FromExtension(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path)).ToLowerInvariant();
        bool gz = name.EndsWith(".gz", StringComparison.Ordinal);
        return Path.GetExtension(gz ? name[..^3] : name) switch
        {
            ".csv" => ExpressionFileFormat.Csv,
            ".tsv" or ".txt" => ExpressionFileFormat.Tsv,
            ".parquet" when !gz => ExpressionFileFormat.Parquet,
            ".h5ad" when !gz => ExpressionFileFormat.H5ad,
            ".h5" when !gz => ExpressionFileFormat.TenXH5,
            ".mtx" => ExpressionFileFormat.TenX,
            _ => null,
        };
    }
}

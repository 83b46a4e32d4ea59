namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads and writes an <see cref="ExpressionMatrix"/> in the format its path implies: a folder (or a
/// <c>matrix.mtx[.gz]</c> file) is 10x MatrixMarket; <c>.csv[.gz]</c> is CSV; <c>.tsv[.gz]</c> and
/// <c>.txt[.gz]</c> are TSV; <c>.parquet</c> is Parquet. When writing, any other path is a 10x v3 folder.
/// </summary>
public static class ExpressionFile
{
    /// <summary>The format <see cref="Read"/> uses for a path (which must exist).</summary>
    /// <exception cref="ArgumentException">The path is a file with an unrecognised extension.</exception>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    public static ExpressionFileFormat DetectReadFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return ExpressionFileFormat.TenX;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file or folder.", path);
        return FromExtension(path) ?? throw new ArgumentException(
            $"{path}: unrecognised expression file type; expected a 10x folder, .mtx[.gz], .csv[.gz], .tsv[.gz], .txt[.gz] or .parquet.",
            nameof(path));
    }

    /// <summary>The format <see cref="Write"/> uses for a path: by extension, otherwise a 10x folder.</summary>
    public static ExpressionFileFormat DetectWriteFormat(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = Directory.Exists(path) ? null : FromExtension(path);
        return format ?? ExpressionFileFormat.TenX;
    }

    /// <summary>Reads a matrix, choosing the reader from the path (see <see cref="DetectReadFormat"/>).</summary>
    /// <exception cref="ExpressionFormatException">The file is malformed.</exception>
    public static ExpressionMatrix Read(string path) => DetectReadFormat(path) switch
    {
        ExpressionFileFormat.TenX => TenXReader.Read(path),
        ExpressionFileFormat.Csv => ExpressionTextReader.Read(path, ','),
        ExpressionFileFormat.Tsv => ExpressionTextReader.Read(path, '\t'),
        _ => ExpressionParquetReader.Read(path),
    };

    /// <summary>
    /// Writes a matrix, choosing the writer from the path (see <see cref="DetectWriteFormat"/>); the output is
    /// replaced atomically, never left partial.
    /// </summary>
    /// <exception cref="ArgumentException">The path names a <c>.mtx</c> file; give the 10x folder instead.</exception>
    public static void Write(ExpressionMatrix matrix, string path)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        if (name.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".mtx.gz", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path}: to write 10x MatrixMarket, give the output folder, not the matrix file name.", nameof(path));
        switch (DetectWriteFormat(path))
        {
            case ExpressionFileFormat.TenX: TenXWriter.Write(matrix, path); break;
            case ExpressionFileFormat.Csv: ExpressionTextWriter.Write(matrix, path, ','); break;
            case ExpressionFileFormat.Tsv: ExpressionTextWriter.Write(matrix, path, '\t'); break;
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
            ".mtx" => ExpressionFileFormat.TenX,
            _ => null,
        };
    }
}

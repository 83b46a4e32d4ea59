using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>Checks on output paths made before any work, so a long fit never fails at the last step, and inputs are never overwritten.</summary>
internal static class OutputPaths
{
    /// <summary>Checks an expression output (file by extension, or a 10x folder) against the input it must not replace.</summary>
    public static void CheckExpressionOutput(string output, string input)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(output));
        if (name.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".mtx.gz", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--output {output}: to write 10x MatrixMarket, give the output folder, not the matrix file name.");
        var format = ExpressionFile.DetectWriteFormat(output);
        var outFull = Full(output);
        var inFull = Full(input);
        if (format == ExpressionFileFormat.TenX)
        {
            if (File.Exists(outFull))
                throw new UsageException($"--output {output}: is an existing file of unknown type; use .csv, .tsv, .parquet, or a folder for 10x.");
            if (SamePath(outFull, inFull) || (File.Exists(inFull) && SamePath(outFull, Path.GetDirectoryName(inFull)!)))
                throw new UsageException($"--output {output}: would overwrite the input's 10x files; choose another folder.");
        }
        else if (SamePath(outFull, inFull))
        {
            throw new UsageException($"--output {output}: is the input file; choose another name.");
        }
        CheckParent(outFull, "--output");
    }

    /// <summary>Checks a file the app writes (model zip, JSON, TSV).</summary>
    public static void CheckFileOutput(string path, string option, params string[] inputs)
    {
        var full = Full(path);
        if (Directory.Exists(full)) throw new UsageException($"{option} {path}: is a folder; expected a file name.");
        foreach (var input in inputs)
            if (SamePath(full, Full(input))) throw new UsageException($"{option} {path}: is an input file; choose another name.");
        CheckParent(full, option);
    }

    public static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool SamePath(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private static void CheckParent(string full, string option)
    {
        // Walk up to the first existing ancestor: it must be a folder (writers create the missing ones).
        for (var dir = Path.GetDirectoryName(full); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir)) return;
            if (File.Exists(dir)) throw new UsageException($"{option} {full}: '{dir}' is a file, not a folder.");
        }
    }
}

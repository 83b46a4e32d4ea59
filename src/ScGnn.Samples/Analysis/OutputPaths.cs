using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Checks on output paths made before any work, so a long fit never fails at the last step and nothing the user
/// has is replaced: the type is known from the name, the folder is writable, no output is (or is inside) an input,
/// and no two outputs are the same file.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Output types by name; anything else with an extension is refused rather than guessed.</summary>
    public const string ExpressionTypes = ".h5ad, .csv, .tsv, .parquet (.csv.gz, .tsv.gz), or a folder name without extension for 10x";

    /// <summary>Checks an expression output (file by extension, or a 10x folder).</summary>
    /// <param name="output">The output path.</param>
    /// <param name="option">The option that named it, for the message.</param>
    /// <param name="inputs">Every path the command reads (see <see cref="Inputs"/>).</param>
    public static ExpressionFileFormat CheckExpressionOutput(string output, string option, IReadOnlyList<string> inputs)
    {
        var outFull = Full(output);
        ExpressionFileFormat format;
        try
        {
            // The library's check: the type from the name, refused before any work when it cannot be written.
            format = ExpressionFile.DetectWriteFormat(output);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option} {ErrorText.For(e)}");
        }
        if (format == ExpressionFileFormat.TenX && File.Exists(outFull))
            throw new UsageException($"{option} {output}: is an existing file of unknown type; use {ExpressionTypes}.");
        CheckNotAnInput(outFull, option, output, inputs);
        CheckWritable(outFull, option, output);
        return format;
    }

    /// <summary>Checks a file the app writes (model zip, JSON, TSV): not a folder, not an input, in a writable folder.</summary>
    public static void CheckFileOutput(string path, string option, IReadOnlyList<string> inputs)
    {
        var full = Full(path);
        if (Directory.Exists(full)) throw new UsageException($"{option} {path}: is a folder; expected a file name.");
        CheckNotAnInput(full, option, path, inputs);
        CheckWritable(full, option, path);
    }

    /// <summary>Checks an output folder (report figures): not a file, not inside an input, writable.</summary>
    public static void CheckFolderOutput(string folder, string option, IReadOnlyList<string> inputs)
    {
        var full = Full(folder);
        if (File.Exists(full)) throw new UsageException($"{option} {folder}: is a file; expected a folder.");
        CheckNotAnInput(full, option, folder, inputs);
        CheckWritable(Path.Combine(full, "report.md"), option, folder);
    }

    /// <summary>No two outputs may be the same path (the second would replace the first).</summary>
    public static void CheckDistinct(params (string Option, string? Path)[] outputs)
    {
        var given = outputs.Where(o => o.Path is not null).ToList();
        for (int i = 0; i < given.Count; i++)
            for (int j = i + 1; j < given.Count; j++)
                if (SamePath(Full(given[i].Path!), Full(given[j].Path!)))
                    throw new UsageException($"{given[j].Option} {given[j].Path}: is also {given[i].Option}; give each output its own name.");
    }

    /// <summary>
    /// The paths a command reads and must never write: the input (a 10x input named by its .mtx file is its whole
    /// folder, since features and barcodes are read from there too), the labels and the model.
    /// </summary>
    public static IReadOnlyList<string> Inputs(string input, string? labels = null, string? model = null)
    {
        var list = new List<string>();
        var inFull = Full(input);
        var lower = inFull.ToLowerInvariant();
        list.Add(File.Exists(inFull) && (lower.EndsWith(".mtx", StringComparison.Ordinal) || lower.EndsWith(".mtx.gz", StringComparison.Ordinal))
            ? Path.GetDirectoryName(inFull)! : inFull);
        if (labels is not null && !InputData.IsObsLabels(labels)) list.Add(Full(labels));
        if (model is not null) list.Add(Full(model));
        return list;
    }

    public static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static void CheckNotAnInput(string full, string option, string given, IReadOnlyList<string> inputs)
    {
        foreach (var input in inputs)
        {
            if (SamePath(full, input))
                throw new UsageException($"{option} {given}: is an input ({input}); choose another name.");
            if (full.StartsWith(input + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Directory.Exists(input))
                throw new UsageException($"{option} {given}: is inside the input folder {input}; write outputs elsewhere.");
            if (input.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new UsageException($"{option} {given}: contains the input {input}; choose another name.");
        }
    }

    /// <summary>
    /// The first existing ancestor must be a folder where this process can create a file (the writers create the
    /// missing folders below it): a probe file is created and deleted there.
    /// </summary>
    private static void CheckWritable(string full, string option, string given)
    {
        for (var dir = Path.GetDirectoryName(full); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir)) throw new UsageException($"{option} {given}: '{dir}' is a file, not a folder.");
            if (!Directory.Exists(dir)) continue;
            var probe = Path.Combine(dir, $".scgnn-probe-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.tmp");
            try
            {
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CommandFailedException($"{option} {given}: cannot write in {dir} ({ErrorText.OneLine(e.Message)}).");
            }
            return;
        }
    }

    private static bool SamePath(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);
}

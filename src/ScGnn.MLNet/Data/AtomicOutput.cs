namespace ScGnn.MLNet.Data;

/// <summary>
/// Writes outputs so that a reader never sees a partial file: content goes to a hidden temporary file (or folder)
/// beside the target, which is moved over the target only once complete, and is deleted if writing fails.
/// Every writer of the library, the plotting project and the <c>scgnn</c> app goes through it.
/// </summary>
public static class AtomicOutput
{
    /// <summary>Writes one file through <paramref name="write"/> and moves it into place.</summary>
    /// <param name="path">The target file; its folder is created if needed.</param>
    /// <param name="write">Writes the content to the temporary file's stream.</param>
    /// <exception cref="IOException">The path is a folder, or the file system refused the write.</exception>
    public static void WriteFile(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new IOException($"{full}: is a folder; expected a file path.");
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Writes a set of files into a temporary folder beside <paramref name="folder"/> and moves them in: the whole
    /// folder when it does not exist yet, else file by file (each move atomic), replacing files of the same names.
    /// </summary>
    /// <param name="folder">The target folder.</param>
    /// <param name="writeInto">Writes the files into the temporary folder whose path it receives.</param>
    /// <exception cref="IOException">The path is a file, or the file system refused the write.</exception>
    public static void WriteFolder(string folder, Action<string> writeInto)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (File.Exists(full))
            throw new IOException($"{full}: is a file; expected a folder path.");
        var parent = Path.GetDirectoryName(full) ?? throw new IOException($"{full}: cannot write to a file-system root.");
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
        Directory.CreateDirectory(temp);
        try
        {
            writeInto(temp);
            if (!Directory.Exists(full))
            {
                Directory.Move(temp, full);
                return;
            }
            foreach (var file in Directory.GetFiles(temp))
                File.Move(file, Path.Combine(full, Path.GetFileName(file)), overwrite: true);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }
}

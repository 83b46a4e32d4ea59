using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ScGnn.Samples.Cli;

/// <summary>
/// The outputs of one command, committed together: each is written to a staging path beside its target
/// (<c>.&lt;name&gt;.scgnn-&lt;pid&gt;-&lt;hex&gt;.tmp&lt;ext&gt;</c>), and only when all are complete are they moved into
/// place, so a failure (for example the model save) leaves every existing output as it was. Staging files of
/// runs that were killed (their process is gone) are removed when a later run writes the same target, and
/// <see cref="RemoveAllStaged"/> removes this process's own when it is being terminated.
/// </summary>
internal sealed partial class OutputCommit : IDisposable
{
    private readonly List<(string Target, string Staging, bool Folder)> _staged = new();

    // Every staging path of this process not yet committed or disposed, for a signal handler to remove.
    private static readonly ConcurrentDictionary<string, bool> Live = new();

    /// <summary>A staging path for <paramref name="target"/> with the same extension, so writers pick the same format.</summary>
    public string Stage(string target, bool folder = false)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveStale(full);
        var name = Path.GetFileName(full);
        var staging = Path.Combine(dir, $".{name}.scgnn-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}.tmp{(folder ? "" : Extension(name))}");
        _staged.Add((full, staging, folder));
        Live[staging] = folder;
        // A folder output is staged as an existing folder, which the writers take as a 10x folder whatever its name.
        if (folder) Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Moves every staged output over its target; returns the targets that replaced something.</summary>
    public IReadOnlyList<string> Commit()
    {
        foreach (var (target, staging, _) in _staged)
            if (!File.Exists(staging) && !Directory.Exists(staging))
                throw new IOException($"{target}: the output was not written.");
        var replaced = new List<string>();
        foreach (var (target, staging, folder) in _staged)
        {
            bool existed = File.Exists(target) || Directory.Exists(target);
            if (existed) replaced.Add(target);
            Live.TryRemove(staging, out _);
            if (!folder) File.Move(staging, target, overwrite: true);
            else if (!Directory.Exists(target)) Directory.Move(staging, target);
            else
            {
                foreach (var file in Directory.GetFiles(staging))
                    File.Move(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
                Directory.Delete(staging, recursive: true);
            }
        }
        _staged.Clear();
        return replaced;
    }

    /// <summary>Deletes what was staged and not committed (the command failed).</summary>
    public void Dispose()
    {
        foreach (var (_, staging, _) in _staged)
        {
            Live.TryRemove(staging, out _);
            Delete(staging);
        }
        _staged.Clear();
    }

    /// <summary>
    /// Deletes every output this process has staged and not committed, with the library's temporaries beside them:
    /// for a termination signal, after which no <see cref="Dispose"/> runs. A writer still writing holds its file
    /// open; on Unix the name is gone at once and the space when the process ends.
    /// </summary>
    public static void RemoveAllStaged()
    {
        foreach (var staging in Live.Keys)
        {
            Live.TryRemove(staging, out _);
            Delete(staging);
            var dir = Path.GetDirectoryName(staging);
            if (dir is null || !Directory.Exists(dir)) continue;
            try
            {
                foreach (var temp in Directory.EnumerateFileSystemEntries(dir, "." + Path.GetFileName(staging) + ".*")) Delete(temp);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Removes temporaries of <paramref name="target"/> left by killed runs: this app's staging files whose process
    /// is gone, and the library's atomic-write temporaries (<c>.&lt;name&gt;.&lt;12 hex&gt;.tmp</c>) untouched for 10 minutes.
    /// </summary>
    public static void RemoveStale(string target)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return;
        var name = Path.GetFileName(full);
        // Also "..<name>.scgnn-..." : the library's temporary of one of our staging files.
        var candidates = Directory.EnumerateFileSystemEntries(dir, "." + name + ".*")
            .Concat(Directory.EnumerateFileSystemEntries(dir, ".." + name + ".scgnn-*"));
        foreach (var path in candidates)
        {
            var file = Path.GetFileName(path);
            var rest = file[(file.IndexOf(name, StringComparison.Ordinal) + name.Length + 1)..];
            bool stale;
            var ours = Staging().Match(rest);
            if (ours.Success) stale = !IsRunning(int.Parse(ours.Groups[1].Value, CultureInfo.InvariantCulture));
            else if (LibraryTemp().IsMatch(rest)) stale = DateTime.UtcNow - LastWrite(path) > TimeSpan.FromMinutes(10);
            else continue;
            if (stale) Delete(path);
        }
    }

    /// <summary>".csv", ".csv.gz", ".zip"... (the last extension, and the one before it for .gz).</summary>
    private static string Extension(string name)
    {
        var ext = Path.GetExtension(name);
        if (ext.Equals(".gz", StringComparison.OrdinalIgnoreCase)) ext = Path.GetExtension(name[..^3]) + ext;
        return ext;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static DateTime LastWrite(string path) =>
        Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path);

    [GeneratedRegex(@"^scgnn-(\d+)-[0-9a-f]{8}\.tmp")]
    private static partial Regex Staging();

    [GeneratedRegex(@"^[0-9a-f]{12}\.tmp$")]
    private static partial Regex LibraryTemp();
}

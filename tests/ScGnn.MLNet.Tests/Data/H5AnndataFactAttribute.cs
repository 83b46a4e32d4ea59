using System.Diagnostics;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>
/// A fact that needs Python with anndata (Debian: <c>apt-get install python3-anndata python3-h5py</c>); skipped,
/// with that reason, where it is missing.
/// </summary>
public sealed class H5AnndataFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Found = new(Probe);

    public H5AnndataFactAttribute()
    {
        if (Python is null)
            Skip = "python3 with anndata not found (apt-get install python3-anndata python3-h5py); cross-check with anndata skipped.";
    }

    /// <summary>The Python interpreter that imports anndata, or null.</summary>
    public static string? Python => Found.Value;

    /// <summary>Runs a Python script with arguments; returns its non-empty stdout lines, or throws with its stderr.</summary>
    public static string[] Run(string python, string script, params string[] args)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill();
            throw new TimeoutException("python did not finish in 120 s.");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException("python failed:\n" + stderr.Result);
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string? Probe()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                if (Run(candidate, "import anndata; print(anndata.__version__)").Length > 0) return candidate;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
            {
            }
        }
        return null;
    }
}

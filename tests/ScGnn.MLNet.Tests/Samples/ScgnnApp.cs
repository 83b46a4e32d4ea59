using System.Diagnostics;
using System.Reflection;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>Result of one run of the scgnn app.</summary>
internal sealed record AppRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the built scgnn app (src/ScGnn.Samples, same configuration as the tests) as a child process: a fresh .NET
/// process that has never seen the test's models or types. SCGNN_APP overrides the path of scgnn.dll.
/// </summary>
internal static class ScgnnApp
{
    private static readonly Lazy<string> AppPath = new(Find);

    public static AppRun Run(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scgnn {string.Join(' ', args)} ran over 3 minutes.");
        }
        process.WaitForExit();
        return new AppRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the app with redirected output; the caller reads it and waits.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(AppPath.Value);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("SCGNN_DEBUG");
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Asserts a failure reported the app's way: non-zero exit, exactly one line "error: ..." on stderr, no stack trace.</summary>
    public static string AssertOneLineError(AppRun run, int expectedExitCode)
    {
        Assert.True(run.ExitCode == expectedExitCode, run.ToString());
        var lines = run.StderrLines;
        Assert.True(lines.Length == 1, run.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Exception", lines[0]);
        return lines[0];
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }

    private static string Find()
    {
        var env = Environment.GetEnvironmentVariable("SCGNN_APP");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        var built = typeof(ScgnnApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ScgnnAppPath")?.Value;
        if (built is not null && File.Exists(built)) return built;
        throw new FileNotFoundException($"The scgnn app was not found at '{built}'; build src/ScGnn.Samples (the test project references it) or set SCGNN_APP.");
    }
}

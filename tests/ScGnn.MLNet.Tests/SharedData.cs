namespace ScGnn.MLNet.Tests;

/// <summary>
/// Locates ../shared/data (real 10x matrices). Tests that need it use <see cref="SharedDataFactAttribute"/> and are
/// skipped, with a reason naming the missing folder, when it is absent. Set SCGNN_SHARED_DATA to override.
/// </summary>
public static class SharedData
{
    /// <summary>The data folder, or null when not found.</summary>
    public static string? Root { get; } = Find();

    /// <summary>Path of one dataset folder (for example "zeisel").</summary>
    public static string Dataset(string name) =>
        Path.Combine(Root ?? throw new InvalidOperationException("shared data folder not found"), name);

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("SCGNN_SHARED_DATA");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "zeisel"))) return Path.GetFullPath(candidate);
        }
        return null;
    }
}

/// <summary>A fact that needs ../shared/data; skipped (with the reason) when the folder is absent.</summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SharedDataFactAttribute()
    {
        if (SharedData.Root is null)
            Skip = "needs ../shared/data (real 10x matrices) beside the repository, or SCGNN_SHARED_DATA";
    }
}

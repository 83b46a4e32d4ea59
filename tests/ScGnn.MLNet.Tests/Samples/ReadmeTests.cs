using System.Text.RegularExpressions;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>The README's commands and paths work from the repository root (issue 12 item 14).</summary>
public sealed partial class ReadmeTests
{
    [Fact]
    public void Quick_start_reads_data_that_exists_from_the_repository_root()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var quickStart = QuickStartBlock().Match(readme);
        Assert.True(quickStart.Success, "README has no '## Quick start (C#)' section with a csharp block");
        var paths = LoadCall().Matches(quickStart.Groups[1].Value).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(paths);
        bool sharedData = Directory.Exists(Path.Combine(root, "..", "shared", "data"));
        foreach (var path in paths)
        {
            // ../shared/data sits beside the repository for developers and CI (see ../shared/data/README.md).
            Assert.StartsWith("../shared/data/", path);
            if (sharedData) Assert.True(Directory.Exists(Path.Combine(root, path)) || File.Exists(Path.Combine(root, path)), path);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ScGnn.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("ScGnn.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"## Quick start \(C#\)(?:(?!\n## ).)*?```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();

    [GeneratedRegex(@"LoadFrom\w+\(""([^""]+)""")]
    private static partial Regex LoadCall();
}

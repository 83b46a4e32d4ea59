using ScGnn.MLNet.Fuzz;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Fuzz;

/// <summary>Runs the fast slice of one fuzz campaign and fails with the first bad cases.</summary>
internal static class FuzzSlice
{
    /// <summary>Campaign seed of the fast slice (the benchmark's long campaign uses others; see docs/benchmarks/fuzz.md).</summary>
    public const int Seed = 13;

    public static FuzzReport Run(FuzzTarget target, int cases)
    {
        using var dir = new TempDirectory();
        var report = FuzzCampaign.Run(target, cases, Seed, dir.Path, TimeSpan.FromSeconds(20));
        Console.WriteLine($"fuzz {target.Name}: " + string.Join(", ", report.Counts.Select(kv => $"{kv.Key} {kv.Value}")) + $"; max alloc {report.MaxAllocation:N0} ({report.MaxAllocationRatio:F0}x), max {report.MaxSeconds:F2} s");
        Assert.True(report.Failed == 0,
            $"{target.Name}: {report.Failed} of {report.Total} cases failed (seed {Seed}):\n" + string.Join("\n", report.Failures));
        Assert.Equal(cases, report.Total);
        return report;
    }
}

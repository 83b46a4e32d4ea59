using System.Diagnostics;
using ScGnn.MLNet.Embedding;
using ScGnn.MLNet.Evaluation;
using Xunit.Abstractions;

namespace ScGnn.MLNet.Tests.Embedding;

/// <summary>
/// Timing of the documented t-SNE case (3,000 points x 50 dimensions, 10 Gaussian blobs, default options). Skipped unless
/// SCGNN_BENCH=1, so the normal suite stays fast:
/// <c>SCGNN_BENCH=1 dotnet test tests/ScGnn.MLNet.Tests -c Release --filter FullyQualifiedName~TSneBenchmark --logger "console;verbosity=detailed"</c>
/// </summary>
public class TSneBenchmarkTests(ITestOutputHelper output)
{
    [BenchmarkFact]
    public void TSne_3000_points_50_dimensions()
    {
        const int n = 3000, dims = 50, clusters = 10;
        var rng = new Random(7);
        var centers = new float[clusters * dims];
        for (int i = 0; i < centers.Length; i++) centers[i] = (float)(rng.NextDouble() * 10 - 5);
        var x = new float[n * dims];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % clusters;
            for (int t = 0; t < dims; t++)
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                x[i * dims + t] = centers[labels[i] * dims + t] + 2f * (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }
        }
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var r = new TSne().Fit(x, dims);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        double silhouette = ClusteringScores.Silhouette(r.Embedding, 2, labels).Score;
        output.WriteLine($"t-SNE {n} x {dims}: {r.Method}, wall {r.Elapsed.TotalSeconds:F2} s, CPU {cpu.TotalSeconds:F2} s, " +
                         $"{Environment.ProcessorCount} cores, KL {r.KlDivergence:F4}, silhouette (2-D) {silhouette:F3}");
        Assert.True(r.Elapsed.TotalSeconds < 60, "3,000 points must take seconds, not minutes");
        Assert.True(silhouette > 0.5);
    }
}

/// <summary>A fact that runs only when SCGNN_BENCH=1.</summary>
internal sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SCGNN_BENCH") != "1") Skip = "timing run; set SCGNN_BENCH=1";
    }
}

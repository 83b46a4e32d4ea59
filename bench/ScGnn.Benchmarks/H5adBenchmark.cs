using System.Diagnostics;
using System.Globalization;
using ScGnn.MLNet.Data;

namespace ScGnn.Benchmarks;

/// <summary>
/// `h5ad`: reading and writing AnnData at scale. A simulated sparse counts matrix (default 200,000 cells x 2,000
/// genes at 5 % density, seeded) is written as <c>.h5ad</c> (CSR, deflate) and as a 10x folder, then read back from
/// each; the table gives the times and, for the <c>.h5ad</c> read, the peak managed heap relative to the 8 bytes per
/// non-zero of the result.
/// </summary>
internal static class H5adBenchmark
{
    internal static void Run(Func<string, string?> option, Action<string> line)
    {
        int cells = int.Parse(option("--cells") ?? "200000", CultureInfo.InvariantCulture);
        int genes = int.Parse(option("--genes") ?? "2000", CultureInfo.InvariantCulture);
        double density = double.Parse(option("--density") ?? "0.05", CultureInfo.InvariantCulture);
        var m = Simulate(cells, genes, density, seed: 11);
        long nnz = m.StoredCount;
        string dir = Path.Combine(Path.GetTempPath(), "scgnn-h5ad-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string h5ad = Path.Combine(dir, "x.h5ad"), tenx = Path.Combine(dir, "x10x");
            var sw = Stopwatch.StartNew();
            H5adWriter.Write(m, h5ad);
            double writeH5ad = sw.Elapsed.TotalSeconds;
            sw.Restart();
            TenXWriter.Write(m, tenx);
            double writeTenX = sw.Elapsed.TotalSeconds;
            long h5adBytes = new FileInfo(h5ad).Length;
            long tenxBytes = Directory.GetFiles(tenx).Sum(f => new FileInfo(f).Length);
            m = null!;
            GC.Collect();

            GC.Collect();
            long baseline = GC.GetTotalMemory(forceFullCollection: true);
            long peak = baseline;
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false));
                    Thread.Sleep(2);
                }
            });
            long before = GC.GetAllocatedBytesForCurrentThread();
            sw.Restart();
            var back = H5adReader.Read(h5ad);
            double readH5ad = sw.Elapsed.TotalSeconds;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            stop.Cancel();
            sampler.Wait();
            back = null!;
            long live = LivePeak(() => H5adReader.Read(h5ad), out _) - baseline;
            GC.Collect();
            sw.Restart();
            var fromTenX = TenXReader.Read(tenx);
            double readTenX = sw.Elapsed.TotalSeconds;

            line($"Simulated counts: {cells:N0} cells x {genes:N0} genes, {nnz:N0} non-zeros ({density:P0}), seed 11; " +
                 $"{Environment.ProcessorCount} cores. The result holds {nnz * 8 / 1048576.0:F0} MiB of CSR entries (4-byte index + 4-byte value).");
            line("");
            line("| format | file MiB | write s | read s |");
            line("|---|---:|---:|---:|");
            line($"| .h5ad (CSR, deflate) | {h5adBytes / 1048576.0:F0} | {writeH5ad:F1} | {readH5ad:F1} |");
            line($"| 10x folder (gzip) | {tenxBytes / 1048576.0:F0} | {writeTenX:F1} | {readTenX:F1} |");
            line("");
            line($"- `.h5ad` read: managed heap peak {(peak - baseline) / 1048576.0:F0} MiB above the start (sampled every 2 ms) = " +
                 $"{(double)(peak - baseline) / (nnz * 8):F2} x the result's {nnz * 8 / 1048576.0:F0} MiB of entries (target: at most ~2 x); " +
                 $"{allocated / 1048576.0:F0} MiB allocated in all (block buffers, PureHDF's chunk decompression).");
            line($"- `.h5ad` read again with a full collection every 10 ms: live peak {live / 1048576.0:F0} MiB = {(double)live / (nnz * 8):F2} x the " +
                 "result's entries (the rest of the peak above is garbage not yet collected: block buffers and decompressed chunks).");
            line($"- read time 10x folder / .h5ad: {readTenX / readH5ad:F2}.");
            line($"- same matrix from both: {(fromTenX.StoredCount == nnz ? "yes" : "NO")} ({fromTenX.StoredCount:N0} entries).");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The largest managed heap seen while <paramref name="read"/> runs, sampled after forced full collections.</summary>
    private static long LivePeak(Func<ExpressionMatrix> read, out ExpressionMatrix result)
    {
        long peak = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                Thread.Sleep(10);
            }
        });
        result = read();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
        stop.Cancel();
        sampler.Wait();
        return peak;
    }

    private static ExpressionMatrix Simulate(int cells, int genes, double density, int seed)
    {
        var rng = new Random(seed);
        var ptr = new int[cells + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int i = 0; i < cells; i++)
        {
            for (int j = 0; j < genes; j++)
            {
                if (rng.NextDouble() >= density) continue;
                idx.Add(j);
                val.Add(1 + (float)Math.Floor(-Math.Log(1 - rng.NextDouble()) * 3));
            }
            ptr[i + 1] = idx.Count;
        }
        return new ExpressionMatrix(Enumerable.Range(0, cells).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            Enumerable.Range(0, genes).Select(j => "g" + j.ToString(CultureInfo.InvariantCulture)).ToArray(), ptr, idx.ToArray(), val.ToArray());
    }
}

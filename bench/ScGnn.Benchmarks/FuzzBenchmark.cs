using System.Diagnostics;
using System.Globalization;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Fuzz;

namespace ScGnn.Benchmarks;

/// <summary>
/// `fuzz`: the long seeded campaign behind issue 13, with the harness of the test suite's fast slice
/// (tests/ScGnn.MLNet.Tests/Fuzz/Harness, compiled in here). Every reader (10x, CSV, TSV, labels, Parquet, and the
/// HDF5 readers when their fixtures are present), the model validator and loader, and the trainer's input check get
/// <c>--cases</c> cases each (default 1,000): crafted bombs first, then mutations of valid seeds. A case fails when a
/// foreign exception escapes, a rejection does not name the file (or the cell and gene), it allocates more than
/// its budget, runs past 60 s, or the validator and <c>Load</c> disagree.
/// </summary>
internal static class FuzzBenchmark
{
    internal static int Run(Func<string, string?> option, Action<string> line, string repoRoot)
    {
        int cases = int.Parse(option("--cases") ?? "1000", CultureInfo.InvariantCulture);
        int seed = int.Parse(option("--seed") ?? "2026", CultureInfo.InvariantCulture);
        var only = option("--targets")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string h5 = Path.Combine(repoRoot, "tests", "ScGnn.MLNet.Tests", "Data", "Fixtures", "h5");

        var targets = new List<FuzzTarget>
        {
            ReaderFuzzTarget.TenX(), ReaderFuzzTarget.Text(','), ReaderFuzzTarget.Text('\t'), ReaderFuzzTarget.Labels(),
            ReaderFuzzTarget.Parquet(), new ModelFuzzTarget(), new TrainerInputFuzzTarget(),
        };
        if (Directory.Exists(h5))
        {
            targets.Add(ReaderFuzzTarget.H5("h5ad", h5, ["csr.h5ad", "csc.h5ad", "dense.h5ad", "dense_gzip.h5ad", "anndata07.h5ad"],
                ["huge_claim.h5ad"], folder => H5adReader.Read(Path.Combine(folder, "data.h5ad"))));
            targets.Add(ReaderFuzzTarget.H5("tenx-h5", h5, ["tenx_v3.h5", "tenx_v2.h5"], [],
                folder => TenXH5Reader.Read(Path.Combine(folder, "data.h5"))));
        }
        if (only is not null) targets = targets.Where(t => only.Contains(t.Name)).ToList();

        line($"- cases per target: {cases:N0}; campaign seed: {seed}");
        line($"- replay: case `i` of target `t` uses `new Random({seed} * 1_000_003 + i)` on the seeds of `FuzzSeeds` (the fast slice in `dotnet test` uses campaign seed 13, a few hundred cases)");
        line("- budget per case: allocation (`GC.GetTotalAllocatedBytes`) at most 32 MiB + 64 x input bytes (model and trainer: 64 MiB + 64 x; HDF5: 2 GiB + 128 MiB, the PureHDF bound the h5 readers document), 60 s");
        line("");
        line("| target | cases | bombs | accepted | rejected (named) | foreign | unnamed | over budget | slow | validator/Load mismatch | largest allocation | largest / input | slowest case |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var failures = new List<string>();
        int failed = 0;
        var total = Stopwatch.StartNew();
        string work = Path.Combine(Path.GetTempPath(), "scgnn-fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var t in targets)
            {
                var sw = Stopwatch.StartNew();
                var r = FuzzCampaign.Run(t, cases, seed, work, TimeSpan.FromSeconds(60), maxFailuresKept: 5);
                Console.Error.WriteLine($"fuzz {t.Name}: {r.Total} cases, {r.Failed} failed, {sw.Elapsed.TotalSeconds:F0} s");
                var c = r.Counts;
                line($"| {t.Name} | {r.Total:N0} | {r.Bombs} | {c[FuzzOutcome.Accepted]:N0} | {c[FuzzOutcome.Rejected]:N0} | {c[FuzzOutcome.Foreign]} | " +
                     $"{c[FuzzOutcome.Unnamed]} | {c[FuzzOutcome.OverBudget]} | {c[FuzzOutcome.Slow]} | {c[FuzzOutcome.Mismatch]} | " +
                     $"{r.MaxAllocation / 1048576.0:F1} MiB | {r.MaxAllocationRatio:N0}x | {r.MaxSeconds:F2} s |");
                failed += r.Failed;
                failures.AddRange(r.Failures.Select(f => $"{t.Name}: {f}"));
            }
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
        line("");
        line("\"largest / input\" is the worst single ratio, set by inputs of a few bytes (a truncation) against a fixed cost such as " +
             "the 1 MiB line buffer; the budget is what bounds a case. The h5ad maximum is one transient PureHDF buffer sized from a " +
             "corrupt object-header length, inside the 2 GiB the h5 readers document.");
        line($"{targets.Count} targets, {failed} failed cases, {total.Elapsed.TotalMinutes:F1} min in all.");
        foreach (var f in failures) line($"- {f.Replace("|", "\\|", StringComparison.Ordinal)}");
        return failed == 0 ? 0 : 1;
    }
}

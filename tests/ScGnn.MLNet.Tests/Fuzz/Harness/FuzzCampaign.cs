using System.Diagnostics;

namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// Runs seeded fuzz cases against a target, each in a fresh folder, with an allocation budget (measured with
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/>, so nothing else should run in the process meanwhile) and a time
/// budget, and classifies every case (<see cref="FuzzOutcome"/>). Case <c>i</c> of campaign seed <c>s</c> is
/// reproducible on its own: its random source is <c>new Random(s * 1_000_003 + i)</c>.
/// </summary>
internal static class FuzzCampaign
{
    /// <summary>Runs <paramref name="cases"/> cases: the target's bombs first, then mutations of its seeds.</summary>
    public static FuzzReport Run(FuzzTarget target, int cases, int seed, string workRoot, TimeSpan timeBudget, int maxFailuresKept = 20)
    {
        var report = new FuzzReport { Target = target.Name, Seed = seed };
        var seeds = target.Seeds;
        var foreign = FuzzSeeds.Foreign(target.Name);
        Directory.CreateDirectory(workRoot);

        // Warm up (JIT, static caches) on the seeds so they are not charged to the first cases; seeds must pass.
        for (int s = 0; s < seeds.Count; s++)
        {
            var folder = Write(Path.Combine(workRoot, $"{target.Name}-seed{s}"), seeds[s]);
            try { target.Run(folder); }
            catch (Exception e) { throw new InvalidOperationException($"fuzz seed '{seeds[s].Name}' of '{target.Name}' is not valid: {e.Message}", e); }
            finally { TryDelete(folder); }
        }

        for (int i = 0; i < cases; i++)
        {
            var rng = new Random(unchecked(seed * 1_000_003 + i));
            FuzzInput input;
            string what;
            if (i < target.Bombs.Count)
            {
                input = target.Bombs[i];
                what = "bomb " + input.Name;
                report.Bombs++;
            }
            else
            {
                var from = seeds[rng.Next(seeds.Count)];
                (input, what) = target.Mutate(from, rng, foreign);
                what = $"seed '{from.Name}', {what}";
            }
            var caseFolder = Write(Path.Combine(workRoot, $"{target.Name}-{i}"), input);
            try
            {
                var (outcome, detail, alloc, seconds) = RunOne(target, caseFolder, input.Size, timeBudget);
                report.Counts[outcome]++;
                report.MaxAllocation = Math.Max(report.MaxAllocation, alloc);
                report.MaxAllocationRatio = Math.Max(report.MaxAllocationRatio, alloc / (double)Math.Max(1, input.Size));
                report.MaxSeconds = Math.Max(report.MaxSeconds, seconds);
                if (outcome is not (FuzzOutcome.Accepted or FuzzOutcome.Rejected) && report.Failures.Count < maxFailuresKept)
                    report.Failures.Add($"case {i} ({what}; {input.Size} bytes): {outcome}: {detail}");
                if (outcome == FuzzOutcome.Slow) break; // the case may still be running; stop this campaign
            }
            finally
            {
                TryDelete(caseFolder);
            }
        }
        return report;
    }

    private static (FuzzOutcome, string, long, double) RunOne(FuzzTarget target, string caseFolder, long size, TimeSpan timeBudget)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        Exception? error = null;
        var task = Task.Run(() =>
        {
            try { target.Run(caseFolder); }
            catch (Exception e) { error = e; }
        });
        if (!task.Wait(timeBudget))
            return (FuzzOutcome.Slow, $"still running after {timeBudget.TotalSeconds:F0} s", 0, sw.Elapsed.TotalSeconds);
        double seconds = sw.Elapsed.TotalSeconds;
        long alloc = GC.GetTotalAllocatedBytes(precise: true) - before;
        long budget = target.AllocationBudget(size);
        if (alloc > budget)
            return (FuzzOutcome.OverBudget, $"allocated {alloc:N0} bytes, budget {budget:N0}" + (error is null ? "" : $" ({Describe(error)})"), alloc, seconds);
        if (error is null) return (FuzzOutcome.Accepted, "", alloc, seconds);
        if (error is FuzzMismatchException m) return (FuzzOutcome.Mismatch, m.Message, alloc, seconds);
        if (!target.IsSpecific(error)) return (FuzzOutcome.Foreign, Describe(error), alloc, seconds);
        if (!target.NamesInput(error, caseFolder)) return (FuzzOutcome.Unnamed, Describe(error), alloc, seconds);
        return (FuzzOutcome.Rejected, "", alloc, seconds);
    }

    private static string Describe(Exception e) =>
        $"{e.GetType().Name}: {e.Message}" + (e.InnerException is { } inner ? $" <- {inner.GetType().Name}: {inner.Message}" : "") +
        $" at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";

    private static string Write(string folder, FuzzInput input)
    {
        TryDelete(folder);
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in input.Files) File.WriteAllBytes(Path.Combine(folder, name), bytes);
        return folder;
    }

    private static void TryDelete(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

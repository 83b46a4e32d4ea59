using System.Diagnostics;
using System.Globalization;
using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.Benchmarks;

/// <summary>
/// `gcn`: the training step's pieces at pbmc3k's shape (2,362 cells x 1,213 genes, 31.5 % non-zero, hidden 18,
/// kNN k = 5, 240,000 training targets, seeded random data): each custom autograd function against the TorchSharp op
/// it replaces (forward + backward, median of repetitions), then whole-graph training epochs with and without them.
/// </summary>
internal static class GcnBenchmark
{
    internal static void Run(Func<string, string?> option, Action<string> line)
    {
        TorchRuntime.EnsureInitialized();
        int reps = int.Parse(option("--reps") ?? "30", CultureInfo.InvariantCulture);
        const int n = 2362, m = 1213, d = 18, k = 5, targets = 240_000, f = 4;
        var rng = new Random(1);
        var dense = new float[n * m];
        for (int i = 0; i < dense.Length; i++) if (rng.NextDouble() < 0.315) dense[i] = (float)(rng.NextDouble() * 5);
        var a = NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, n)
            .Select(i => Enumerable.Range(0, k).Select(_ => rng.Next(n)).Where(j => j != i).Distinct().ToArray()).ToArray());
        var x = CsrMatrix.FromDense(dense, n, m);
        var entries = Enumerable.Range(0, targets).Select(_ => (Cell: rng.Next(n), Gene: rng.Next(m))).OrderBy(t => t.Cell).ToArray();
        var cells = entries.Select(t => t.Cell).ToArray();
        var genes = entries.Select(t => t.Gene).ToArray();
        line($"- data: seeded random {n:N0} x {m:N0} at 31.5 % density, kNN k = {k} ({a.EdgeCount:N0} edges), hidden {d}, {targets:N0} targets, {f} skip features; torch threads {get_num_threads()}; median of {reps}");
        line("");
        line("| op | TorchSharp | custom autograd function | gain |");
        line("|---|---:|---:|---:|");

        var slice = GcnSubgraph.Whole(a).First;
        var h = randn(n, d).requires_grad_();
        double coo = Median(reps, () => { using var s = NewDisposeScope(); slice.Coo(CPU).mm(h).sum().backward(); h.grad!.zero_(); });
        double csr = Median(reps, () => { using var s = NewDisposeScope(); slice.Multiply(h).sum().backward(); h.grad!.zero_(); });
        line($"| `Â H` forward + backward (`AdjacencyProduct` vs sparse COO `mm`) | {coo:F2} ms | {csr:F2} ms | {coo / csr:F1}x |");

        var coef = randn(m, f).requires_grad_();
        var feats = rand(targets, f);
        var g = tensor(genes.Select(v => (long)v).ToArray());
        double sel = Median(reps, () => { using var s = NewDisposeScope(); (feats * coef.index_select(0, g)).sum(1).sum().backward(); coef.grad!.zero_(); });
        double skip = Median(reps, () => { using var s = NewDisposeScope(); SkipTerm.At(coef, feats, g, genes).sum().backward(); coef.grad!.zero_(); });
        line($"| skip term at the targets, forward + backward (`SkipTerm` vs `index_select`) | {sel:F2} ms | {skip:F2} ms | {sel / skip:F1}x |");

        var w2t = randn(m, d).requires_grad_();
        var z = randn(n, d).requires_grad_();
        var r = tensor(cells.Select(v => (long)v).ToArray());
        var flat = tensor(entries.Select(t => (long)t.Cell * m + t.Gene).ToArray());
        double gather = Median(reps, () => { using var s = NewDisposeScope(); (z.index_select(0, r) * w2t.index_select(0, g)).sum(1).sum().backward(); z.grad!.zero_(); w2t.grad!.zero_(); });
        double block = Median(reps, () => { using var s = NewDisposeScope(); z.mm(w2t.t()).flatten().index_select(0, flat).sum().backward(); z.grad!.zero_(); w2t.grad!.zero_(); });
        line($"| bottleneck output at the targets, forward + backward (dense block + gather vs per-entry rows; both TorchSharp) | {gather:F2} ms | {block:F2} ms | {gather / block:F1}x |");
        line("");

        var train = SkipStart.WithFeatures(a, x, 2, cells, genes, entries.Select(_ => 1f).ToArray());
        var start = SkipStart.Fit(a, x, 2, train, null);
        foreach (bool withSkip in new[] { false, true })
        {
            var t = withSkip ? train : train with { Features = null };
            var settings = new GcnTrainingSettings { Epochs = 100, Seed = 1 };
            var sw = Stopwatch.StartNew();
            GcnFitter.Fit(a, x, d, t, GcnTargets.Empty, withSkip ? start : null, settings);
            line($"- whole-graph training, {(withSkip ? "with" : "without")} the two-hop skip connection: {sw.Elapsed.TotalMilliseconds / 100:F2} ms per epoch (100 epochs, graph and skip start excluded)");
        }
        line($"- peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }

    private static double Median(int reps, Action f)
    {
        for (int i = 0; i < 3; i++) f();
        var times = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            f();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}

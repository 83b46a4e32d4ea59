using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
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
        // --clock thread: the calling thread's CPU time, for single-threaded runs on a loaded machine
        // (DOTNET_PROCESSOR_COUNT=1 and --threads 1, so that every kernel runs on the calling thread).
        bool threadClock = option("--clock") == "thread";
        if (option("--threads") is string threads) set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
        if (threadClock && (!OperatingSystem.IsLinux() || Environment.ProcessorCount != 1 || get_num_threads() != 1))
            throw new ArgumentException("--clock thread needs Linux, DOTNET_PROCESSOR_COUNT=1 and --threads 1.");
        Now = threadClock ? ThreadMilliseconds : () => Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        // --shape cells,genes,hidden,k,targets,density: another shape (default pbmc3k's).
        var shape = (option("--shape") ?? "2362,1213,18,5,240000,0.315").Split(',');
        int n = int.Parse(shape[0], CultureInfo.InvariantCulture), m = int.Parse(shape[1], CultureInfo.InvariantCulture);
        int d = int.Parse(shape[2], CultureInfo.InvariantCulture), k = int.Parse(shape[3], CultureInfo.InvariantCulture);
        int targets = int.Parse(shape[4], CultureInfo.InvariantCulture);
        double density = double.Parse(shape[5], CultureInfo.InvariantCulture);
        const int f = 4;
        var rng = new Random(1);
        var dense = new float[(long)n * m];
        for (long i = 0; i < dense.LongLength; i++) if (rng.NextDouble() < density) dense[i] = (float)(rng.NextDouble() * 5);
        var a = NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, n)
            .Select(i => Enumerable.Range(0, k).Select(_ => rng.Next(n)).Where(j => j != i).Distinct().ToArray()).ToArray());
        var x = CsrMatrix.FromDense(dense, n, m);
        var entries = Enumerable.Range(0, targets).Select(_ => (Cell: rng.Next(n), Gene: rng.Next(m))).OrderBy(t => t.Cell).ToArray();
        var cells = entries.Select(t => t.Cell).ToArray();
        var genes = entries.Select(t => t.Gene).ToArray();
        line($"- data: seeded random {n:N0} x {m:N0} at {density:P1} density, kNN k = {k} ({a.EdgeCount:N0} edges), hidden {d}, {targets:N0} targets, {f} skip features; torch threads {get_num_threads()}, .NET processors {Environment.ProcessorCount}; median of {reps}; {(threadClock ? "times are the calling thread's CPU time" : "wall-clock times")}");
        line("");
        line("| op | TorchSharp | custom autograd function | gain |");
        line("|---|---:|---:|---:|");

        var slice = GcnSubgraph.Whole(a).First;
        var h = randn(n, d).requires_grad_();
        double coo = Median(reps, () => { using var s = NewDisposeScope(); slice.Coo(CPU).mm(h).sum().backward(); h.grad!.zero_(); });
        double csr = Median(reps, () => { using var s = NewDisposeScope(); slice.Multiply(h).sum().backward(); h.grad!.zero_(); });
        line($"| `Â H` forward + backward (`AdjacencyProduct` vs sparse COO `mm`) | {coo:F2} ms | {csr:F2} ms | {coo / csr:F1}x |");

        var hd = new HiddenDropout(1);
        double torchDropout = Median(reps, () => { using var s = NewDisposeScope(); nn.functional.dropout(h, 0.5, training: true).sum().backward(); h.grad!.zero_(); });
        double hashDropout = Median(reps, () => { using var s = NewDisposeScope(); hd.Apply(h, 0.5).sum().backward(); h.grad!.zero_(); });
        line($"| hidden dropout 0.5 forward + backward (`HiddenDropout` hash mask vs `functional.dropout`) | {torchDropout:F2} ms | {hashDropout:F2} ms | {torchDropout / hashDropout:F1}x |");

        var w1 = randn(m, d).requires_grad_();
        var all = Enumerable.Range(0, n).ToArray();
        var denseX = GcnSubgraph.Block(x, all, false, CPU);
        var cooX = GcnSubgraph.Block(x, all, true, CPU);
        var input = GcnInput.Create(x, all, false, CPU);
        double blas = Median(reps, () => { using var s = NewDisposeScope(); denseX.mm(w1).sum().backward(); w1.grad!.zero_(); });
        double cooMm = Median(reps, () => { using var s = NewDisposeScope(); cooX.mm(w1).sum().backward(); w1.grad!.zero_(); });
        double sparse = Median(reps, () => { using var s = NewDisposeScope(); SparseInputProduct.apply(input, w1).sum().backward(); w1.grad!.zero_(); });
        line($"| `X W1` forward + backward (`SparseInputProduct` vs dense `mm`, BLAS) | {blas:F2} ms | {sparse:F2} ms | {blas / sparse:F1}x |");
        line($"| `X W1` forward + backward (`SparseInputProduct` vs sparse COO `mm`) | {cooMm:F2} ms | {sparse:F2} ms | {cooMm / sparse:F1}x |");

        var coef = randn(m, f).requires_grad_();
        var feats = rand(targets, f);
        var g = tensor(genes.Select(v => (long)v).ToArray());
        var w2t = randn(m, d).requires_grad_();
        var b2 = randn(m).requires_grad_();
        var z = randn(n, d).requires_grad_();
        var flat = tensor(entries.Select(t => (long)t.Cell * m + t.Gene).ToArray());
        var index = new TargetIndex(cells, genes);
        var grads = new[] { z, w2t, b2, coef };
        void Zero() { foreach (var p in grads) p.grad?.zero_(); }
        double block = Median(reps, () => { using var s = NewDisposeScope(); (z.mm(w2t.t()) + b2).flatten().index_select(0, flat).sum().backward(); Zero(); });
        double fused = Median(reps, () => { using var s = NewDisposeScope(); TargetOutput.apply(index, z, w2t, b2).sum().backward(); Zero(); });
        line($"| output at the targets, forward + backward (`TargetOutput` vs dense block `Z W2 + b2` + gather) | {block:F2} ms | {fused:F2} ms | {block / fused:F1}x |");
        double blockSkip = Median(reps, () => { using var s = NewDisposeScope(); ((z.mm(w2t.t()) + b2).flatten().index_select(0, flat) + (feats * coef.index_select(0, g)).sum(1)).sum().backward(); Zero(); });
        double fusedSkip = Median(reps, () => { using var s = NewDisposeScope(); TargetOutput.apply(index, z, w2t, b2, coef, feats).sum().backward(); Zero(); });
        line($"| output + {f}-feature skip term at the targets, forward + backward (`TargetOutput` vs dense block + gather + `index_select` skip term) | {blockSkip:F2} ms | {fusedSkip:F2} ms | {blockSkip / fusedSkip:F1}x |");
        line("");

        var (train, start) = SkipStart.FitWithTargets(a, x, 2, cells, genes, entries.Select(_ => 1f).ToArray(), null);
        foreach (bool withSkip in new[] { false, true })
        {
            var t = withSkip ? train : train with { Features = null };
            var settings = new GcnTrainingSettings { Epochs = 100, Seed = 1 };
            var gcs = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            var pause = GC.GetTotalPauseDuration();
            double t0 = Now();
            GcnFitter.Fit(a, x, d, t, GcnTargets.Empty, withSkip ? start : null, settings);
            double per = (Now() - t0) / 100;
            var after = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            line($"- whole-graph training, {(withSkip ? "with" : "without")} the two-hop skip connection: {per:F2} ms per epoch (100 epochs, graph and skip start excluded; " +
                 $"{after[0] - gcs[0]}/{after[1] - gcs[1]}/{after[2] - gcs[2]} gen0/1/2 collections, {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds / 100:F2} ms GC pause per epoch)");
        }
        Breakdown(a, x, d, cells, genes, reps, line);
        line($"- peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }

    // One paper step of the whole-graph trainer, phase by phase (GcnFitter's WholeGraphRunner, with every tenth
    // target held out for validation and no skip connection), median per phase over the repetitions.
    private static void Breakdown(NormalizedAdjacency a, CsrMatrix x, int d, int[] cells, int[] genes, int reps, Action<string> line)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(1);
        using var model = new BottleneckGcn(x.Columns, d, gen);
        using var optimizer = optim.Adam(model.parameters(), 0.003, 0.9, 0.999, 1e-8, 5e-4);
        var g = GcnSubgraph.Whole(a);
        var input = g.Input(x, false, CPU);
        (Tensor Rows, Tensor Genes, Tensor Values, TargetIndex Index) Entries(int parity)
        {
            var ids = Enumerable.Range(0, cells.Length).Where(e => (e % 10 == 0) == (parity == 1)).ToArray();
            var r = ids.Select(e => (long)cells[e]).ToArray();
            var gg = ids.Select(e => (long)genes[e]).ToArray();
            return (tensor(r), tensor(gg), rand(ids.Length) * 5, new TargetIndex(r, gg));
        }
        var train = Entries(0);
        var val = Entries(1);
        var names = new[] { "zero_grad", "`X W1`, `relu(Â U + b1)`", "validation (`Â H`, squared errors, mean)", "training `Â dropout(H)`", "squared errors + mean", "backward", "Adam step", "loss.item" };
        var times = names.Select(_ => new List<double>()).ToArray();
        for (int rep = 0; rep < reps + 3; rep++)
        {
            using var step = NewDisposeScope();
            var marks = new double[names.Length];
            int at = 0;
            double last = Now();
            void Mark() { double now = Now(); marks[at++] = now - last; last = now; }
            optimizer.zero_grad(); Mark();
            var hidden = model.HiddenLayer(g.First, model.InputProduct(input)); Mark();
            using (no_grad())
            {
                var zv = model.Propagate(g.First, hidden.detach(), 0, training: false);
                _ = model.SquaredErrorsAt(zv, val.Rows, val.Genes, null, val.Values, val.Index).mean().item<float>();
            }
            Mark();
            var z = model.Propagate(g.First, hidden, 0.5, training: true); Mark();
            var loss = model.SquaredErrorsAt(z, train.Rows, train.Genes, null, train.Values, train.Index).mean(); Mark();
            loss.backward(); Mark();
            optimizer.step(); Mark();
            _ = loss.item<float>(); Mark();
            if (rep >= 3) for (int i = 0; i < names.Length; i++) times[i].Add(marks[i]);
        }
        var medians = times.Select(t => { t.Sort(); return t[t.Count / 2]; }).ToArray();
        line("");
        line($"One whole-graph paper step by phase ({train.Index.Count:N0} training and {val.Index.Count:N0} validation targets, no skip connection; median of {reps}):");
        line("");
        line("| phase | ms |");
        line("|---|---:|");
        for (int i = 0; i < names.Length; i++) line($"| {names[i]} | {medians[i]:F2} |");
        line($"| sum | {medians.Sum():F2} |");
        line("");
    }

    private static Func<double> Now = () => 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    // CLOCK_THREAD_CPUTIME_ID (3) on Linux.
    private static double ThreadMilliseconds()
    {
        if (ClockGetTime(3, out var t) != 0) throw new InvalidOperationException("clock_gettime failed.");
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    private static double Median(int reps, Action f)
    {
        for (int i = 0; i < 3; i++) f();
        var times = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            double t0 = Now();
            f();
            times.Add(Now() - t0);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}

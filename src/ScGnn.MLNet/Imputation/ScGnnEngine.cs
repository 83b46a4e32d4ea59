using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Torch;
using TorchSharp;
using static TorchSharp.torch;
using Targets = (int[] Cells, int[] Genes, float[] Values);

namespace ScGnn.MLNet.Imputation;

/// <summary>Result of fitting: the model, the loss history, and in-sample predictions on the training input.</summary>
internal sealed record ScGnnFitResult(
    ScGnnNetworkState State,
    IReadOnlyList<ScGnnEpochProgress> History,
    int[] CellRoles,
    MaskedEntries TrainingTargets,
    MaskedEntries ValidationTargets,
    MaskedEntries TestTargets,
    Gcn.KernelTimings Timings);

/// <summary>
/// The numerical core of SCGNN on dense row-major cells x genes arrays: graph construction, training and inference.
/// ML.NET glue lives in <see cref="ScGnnTrainer"/> and <see cref="ScGnnImputationTransformer"/>.
/// </summary>
internal static class ScGnnEngine
{
    internal const int RoleTrain = 0, RoleValidation = 1, RoleTest = 2;

    /// <summary>Fits SCGNN. <paramref name="x"/> is the observed matrix (its zeros are what will be imputed).</summary>
    /// <remarks><c>x</c> is dense row-major cells x genes and is not modified; <c>givenMask</c> holds entries already
    /// masked to zero in <c>x</c> with their true values, or is null to draw a mask.</remarks>
    internal static ScGnnFitResult Fit(float[] x, int cells, int genes, MaskedEntries? givenMask, ScGnnOptions o, Action<string>? log = null)
    {
        o.Validate();
        if (cells < 3) throw new ArgumentException($"ScGnn needs at least 3 cells; got {cells}.");
        if (genes < 1) throw new ArgumentException("ScGnn needs at least one gene.");
        TorchRuntime.EnsureInitialized();
        if (o.ThreadCount is int t) set_num_threads(t);
        var device = ResolveDevice(o.Device);

        var rng = new Random(o.Seed);
        var roles = SplitCells(cells, o.ValidationFraction, o.TestFraction, rng);

        // The fixed mask: given (paper protocol) or drawn once from the non-zeros (paper: min(density, 0.3)).
        var input = (float[])x.Clone();
        long nnz = 0;
        foreach (float v in x) if (v != 0) nnz++;
        if (nnz == 0) throw new ArgumentException("The input has no non-zero entries to learn from.");
        double rate = o.MaskRate ?? Math.Min((double)nnz / ((double)cells * genes), 0.3);
        MaskedEntries mask;
        if (givenMask is not null) mask = givenMask;
        else
        {
            // With fresh masks the training cells are re-masked every epoch; only held-out cells keep a fixed mask.
            Func<int, bool> eligible = o.FreshMaskEachEpoch ? c => roles[c] != RoleTrain : _ => true;
            mask = DrawMask(x, cells, genes, rate, eligible, rng);
            foreach (var (c, g) in mask.Cells.Zip(mask.Genes)) input[(long)c * genes + g] = 0;
        }
        // Fresh masks add new targets every epoch (on top of a given mask's training targets, if any).
        bool fresh = o.FreshMaskEachEpoch;
        var trainTargets = mask.Where(c => roles[c] == RoleTrain);
        var valTargets = mask.Where(c => roles[c] == RoleValidation);
        var testTargets = mask.Where(c => roles[c] == RoleTest);
        if (!fresh && trainTargets.Count == 0)
            throw new ArgumentException($"ScGnn has no training targets: no masked entry falls in the training cells ({nnz} non-zero entries, " +
                $"mask rate {rate:F3}). Use more cells or genes, or a higher MaskRate.");

        // One log1p of the masked input serves the graph, the network and the skip features, whichever need it.
        var scaled = ScaledInputs.Of(input, o.GraphOnLog1p, o.InputScale);

        // Graph on the masked input (reference notebook): PCA(50) -> exact kNN -> D^-1/2 (A+I) D^-1/2.
        var pca = PcaProjection.Fit(scaled.Graph, cells, genes, o.PrincipalComponentCount);
        int k = o.NeighborCount;
        NormalizedAdjacency? adjacency = null;
        float[][]? skip = null;
        // Fresh masks already give the skip start every non-zero of the training cells.
        var observed = o.SkipConnection && o.SkipStartOnObservedValues && !fresh
            ? ObservedValues(input, cells, genes, c => roles[c] == RoleTrain, o.InputScale == ScGnnInputScale.Log1p)
            : default;
        if (o.SelectNeighborCount && o.SkipConnection && !fresh && valTargets.Count > 0)
            (k, adjacency, skip) = SelectNeighborCount(pca, scaled, cells, genes, trainTargets, observed, valTargets, o, log);
        adjacency ??= BuildAdjacency(pca, scaled.Graph, cells, k);
        // Every ensemble member starts its skip connection from the same features.
        if (o.SkipConnection) skip ??= NeighborFeatures.Compute(adjacency, scaled.Skip, cells, genes, o.SkipConnectionHops);
        int hidden = Math.Max(1, genes / o.BottleneckRatio);
        log?.Invoke($"ScGnn: {cells} cells x {genes} genes, PCA {pca.ComponentCount}, kNN k={k} ({adjacency.EdgeCount} edges), hidden {hidden}, " +
                    $"mask rate {rate:F4}, {trainTargets.Count} training / {valTargets.Count} validation targets, device {device.type}");

        var members = new List<float[][]>();
        var timings = new Gcn.KernelTimings();
        var history = new List<ScGnnEpochProgress>();
        for (int member = 0; member < o.EnsembleSize; member++)
        {
            int seed = unchecked(o.Seed + 7919 * member);
            members.Add(TrainOne(input, scaled.Network, skip, observed, cells, genes, adjacency, hidden, roles, trainTargets, valTargets, fresh, rate, o,
                seed, device, member == 0 ? history : null, timings));
        }
        var state = new ScGnnNetworkState(pca, k, hidden, o.InputScale, members, o.GraphOnLog1p, o.CapAtObservedMaximum);
        return new ScGnnFitResult(state, history, roles, trainTargets, valTargets, testTargets, timings);
    }

    /// <summary>Neighbour counts tried by <see cref="ScGnnOptions.SelectNeighborCount"/>: multiples of <c>NeighborCount</c>.</summary>
    internal static readonly int[] NeighborCountMultiples = { 1, 2, 3 };

    /// <summary>
    /// Picks k among NeighborCount x {1, 2, 3} by the validation MSE of the skip connection's least-squares start on
    /// that graph: a closed-form fit per candidate, so the choice costs a few kNN searches, not a training run.
    /// </summary>
    /// <returns>The chosen k with its graph and skip features, so that training reuses them.</returns>
    private static (int K, NormalizedAdjacency Adjacency, float[][] Features) SelectNeighborCount(PcaProjection pca, ScaledInputs scaled,
        int cells, int genes, MaskedEntries trainTargets, Targets observed, MaskedEntries valTargets, ScGnnOptions o, Action<string>? log)
    {
        bool log1p = o.InputScale == ScGnnInputScale.Log1p;
        var (tr, tg, tv) = Concat(Arrays(trainTargets, log1p), observed);
        var (vr, vg, vv) = Arrays(valTargets, log1p);
        (int K, NormalizedAdjacency Adjacency, float[][] Features) best = default;
        double bestLoss = double.PositiveInfinity;
        var tried = new List<string>();
        foreach (int k in NeighborCountMultiples.Select(m => Math.Min(m * o.NeighborCount, cells - 1)).Distinct())
        {
            var adjacency = BuildAdjacency(pca, scaled.Graph, cells, k);
            var features = NeighborFeatures.Compute(adjacency, scaled.Skip, cells, genes, o.SkipConnectionHops);
            var (coef, intercept) = NeighborFeatures.FitLeastSquares(features, genes, tr, tg, tv);
            double loss = 0;
            for (int e = 0; e < vr.Length; e++)
            {
                long at = (long)vr[e] * genes + vg[e];
                double p = intercept[vg[e]];
                for (int f = 0; f < features.Length; f++) p += coef[f][vg[e]] * features[f][at];
                loss += (p - vv[e]) * (p - vv[e]);
            }
            loss /= vr.Length;
            tried.Add($"k={k}: {loss:G4}");
            // Ties keep the smaller, paper-like neighbourhood.
            if (loss < bestLoss) { bestLoss = loss; best = (k, adjacency, features); }
        }
        log?.Invoke($"ScGnn: neighbour count by validation MSE of the skip start ({string.Join(", ", tried)}): k={best.K}");
        return best;
    }

    // input: the masked matrix (fresh masks draw from its non-zeros); features: what the network reads;
    // skip: the skip connection's neighbourhood features, or null without one; observed: extra targets for the skip start.
    private static float[][] TrainOne(float[] input, float[] features, float[][]? skip, Targets observed, int cells, int genes, NormalizedAdjacency adjacency,
        int hidden, int[] roles,
        MaskedEntries trainTargets, MaskedEntries valTargets, bool fresh, double rate, ScGnnOptions o, int seed, Device device,
        List<ScGnnEpochProgress>? history, Gcn.KernelTimings timings)
    {
        using var scope = NewDisposeScope();
        bool log1p = o.InputScale == ScGnnInputScale.Log1p;
        bool logInput = log1p || o.InputScale == ScGnnInputScale.Log1pInput;
        float[][] init;
        using (var generator = new Generator((ulong)seed))
        using (var module = new BottleneckGcn(genes, hidden, generator))
            init = module.ExportWeights();
        using var x = GcnInput.Create(features, cells, genes, device);
        var (vr, vg, vv) = Arrays(valTargets, log1p);
        var (tr, tg, tv) = Arrays(trainTargets, log1p);
        var (fixedR, fixedG, fixedV) = (tr, tg, tv);
        // Fresh masks: every epoch masks a Bernoulli(rate) subset of the training cells' non-zeros.
        int[] nzR = Array.Empty<int>(), nzG = Array.Empty<int>(); float[] nzV = Array.Empty<float>(), nzIn = Array.Empty<float>();
        if (fresh)
        {
            (nzR, nzG, nzV) = ObservedValues(input, cells, genes, c => roles[c] == RoleTrain, log1p);
            nzIn = logInput && !log1p ? Log1pOf(nzV) : nzV;
        }

        if (skip is not null)
        {
            // The skip starts at the per-gene least-squares fit on every entry training can target (and, by default,
            // on the training cells' observed values); the GCN learns the rest.
            var (lr, lg, lv) = Concat(Concat((fixedR, fixedG, fixedV), (nzR, nzG, nzV)), observed);
            var (coef, intercept) = NeighborFeatures.FitLeastSquares(skip, genes, lr, lg, lv);
            init = new[] { init[0], init[1], init[2], intercept }.Concat(coef).ToArray();
        }
        using var kernel = new GcnTrainingKernel(x, adjacency, hidden, init, o.DropoutRate, o.LearningRate, o.WeightDecay, (ulong)seed, skip);
        var maskRng = new Random(unchecked(seed * 31 + 17));
        if (fresh && fixedR.Length + nzR.Length * rate < 1)
            throw new ArgumentException($"ScGnn has no training targets: the training cells hold only {nzR.Length} non-zero entries " +
                $"(mask rate {rate:F3}). Use more cells or genes, or a higher MaskRate.");
        var er = new List<int>(); var eg = new List<int>(); var ev = new List<float>(); var ei = new List<float>();
        float[]? ti = null;

        bool hasVal = valTargets.Count > 0;
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        float[][] bestWeights = kernel.ExportWeights();
        double[]? startErrors = null;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            o.CancellationToken.ThrowIfCancellationRequested();
            if (fresh)
            {
                // Merge (by cell) the fixed targets, already zero in the input, with this epoch's fresh picks.
                er.Clear(); eg.Clear(); ev.Clear(); ei.Clear();
                int f = 0;
                for (int q = 0; q < nzR.Length; q++)
                {
                    if (maskRng.NextDouble() >= rate) continue;
                    for (; f < fixedR.Length && fixedR[f] <= nzR[q]; f++) { er.Add(fixedR[f]); eg.Add(fixedG[f]); ev.Add(fixedV[f]); ei.Add(0f); }
                    er.Add(nzR[q]); eg.Add(nzG[q]); ev.Add(nzV[q]); ei.Add(nzIn[q]);
                }
                for (; f < fixedR.Length; f++) { er.Add(fixedR[f]); eg.Add(fixedG[f]); ev.Add(fixedV[f]); ei.Add(0f); }
                (tr, tg, tv, ti) = (er.ToArray(), eg.ToArray(), ev.ToArray(), ei.ToArray());
            }
            if (tr.Length == 0)
            {
                // A rare empty draw on sparse data: train on one random non-zero instead of skipping the epoch.
                int q = maskRng.Next(nzR.Length);
                (tr, tg, tv, ti) = (new[] { nzR[q] }, new[] { nzG[q] }, new[] { nzV[q] }, new[] { nzIn[q] });
            }
            var before = hasVal ? kernel.ExportWeights() : null;
            var (trainLoss, valLoss) = kernel.Step(tr, tg, tv, fresh, vr, vg, vv, ti);
            // The validation loss belongs to the weights before this step; without validation, select on training loss.
            double selection = hasVal ? valLoss : trainLoss;
            if (hasVal && epoch == 1) startErrors = (double[])kernel.ValidationErrors.Clone();
            // Leaving the starting weights needs a validation gain beyond noise (paired over the same targets).
            if (selection < best && (!hasVal || epoch == 1 || o.EpochSelectionStandardErrors == 0 ||
                PairedGainInStandardErrors(startErrors!, kernel.ValidationErrors) > o.EpochSelectionStandardErrors))
            {
                best = selection;
                bestEpoch = hasVal ? epoch - 1 : epoch;
                bestWeights = hasVal ? before! : kernel.ExportWeights();
            }
            var progress = new ScGnnEpochProgress(epoch, o.Epochs, trainLoss, valLoss, bestEpoch);
            history?.Add(progress);
            o.Progress?.Invoke(progress);
        }
        timings.Add(kernel.Timings);
        return bestWeights;
    }

    /// <summary>
    /// The mean per-target drop in squared error from <paramref name="start"/> to <paramref name="now"/>, in standard
    /// errors of that mean (sample sd, n-1): a paired z. Positive when <paramref name="now"/> is better.
    /// </summary>
    internal static double PairedGainInStandardErrors(double[] start, double[] now)
    {
        int n = start.Length;
        if (n < 2) return 0;
        double sum = 0, sumSq = 0;
        for (int e = 0; e < n; e++) { double d = start[e] - now[e]; sum += d; sumSq += d * d; }
        double mean = sum / n, variance = Math.Max(0, (sumSq - n * mean * mean) / (n - 1));
        double se = Math.Sqrt(variance / n);
        return se > 0 ? mean / se : mean > 0 ? double.PositiveInfinity : mean < 0 ? double.NegativeInfinity : 0;
    }

    private static Targets Arrays(MaskedEntries m, bool log1p) =>
        (m.Cells, m.Genes, log1p ? Log1pOf(m.Values) : m.Values);

    private static Targets Concat(Targets a, Targets b) => b.Cells is null || b.Cells.Length == 0 ? a :
        (a.Cells.Concat(b.Cells).ToArray(), a.Genes.Concat(b.Genes).ToArray(), a.Values.Concat(b.Values).ToArray());

    /// <summary>The non-zero entries of the chosen cells of <paramref name="x"/>, values on log1p when asked.</summary>
    internal static Targets ObservedValues(float[] x, int cells, int genes, Func<int, bool> cellFilter, bool log1p)
    {
        var (r, g, v) = NonZerosOf(x, cells, genes, cellFilter);
        return (r, g, log1p ? Log1pOf(v) : v);
    }

    // The engine's one log1p (float, MathF), so every consumer reads identical values.
    private static float[] Log1pOf(float[] v) => v.Select(val => MathF.Log(1 + val)).ToArray();

    /// <summary>Runs a fitted model on a dense row-major matrix; returns the raw network output (cells x genes, input scale undone).</summary>
    internal static float[] Predict(ScGnnNetworkState state, float[] x, int cells, ScGnnDevice deviceOption = ScGnnDevice.Auto)
    {
        int genes = state.GeneCount;
        if (x.Length != (long)cells * genes) throw new ArgumentException("Input size does not match the model's genes.");
        if (cells < 2) throw new ArgumentException($"Imputation needs at least 2 cells to build a graph; got {cells}.");
        TorchRuntime.EnsureInitialized();
        var device = ResolveDevice(deviceOption);
        var scaled = ScaledInputs.Of(x, state.GraphOnLog1p, state.InputScale);
        var adjacency = BuildAdjacency(state.Pca, scaled.Graph, cells, state.NeighborCount);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var adj = ToTorch(adjacency, device);
        // The same log1p as in training (ScaledInputs), not torch's, so train and predict read identical features.
        var xt = tensor(scaled.Network, cells, genes).to(device);
        using var generator = new Generator(0);
        // Members share the feature count: NeighborFeatures.PerHop per hop after the four GCN arrays.
        int skipCount = state.Ensemble[0].Length - 4;
        float[][]? skip = skipCount > 0
            ? NeighborFeatures.Compute(adjacency, scaled.Skip, cells, genes, skipCount / NeighborFeatures.PerHop)
            : null;
        var skipTensors = skip?.Select(f => tensor(f, cells, genes).to(device)).ToArray();
        Tensor? sum = null;
        foreach (var weights in state.Ensemble)
        {
            var model = new BottleneckGcn(genes, state.Hidden, generator);
            model.ImportWeights(weights);
            model.to(device);
            model.eval();
            var output = model.Output(model.PropagatedHidden(adj, xt, 0, training: false));
            for (int f = 4; f < weights.Length; f++)
                output = output + skipTensors![f - 4] * tensor(weights[f]).to(device);
            if (state.InputScale == ScGnnInputScale.Log1p) output = output.expm1();
            sum = sum is null ? output : sum + output;
        }
        var mean = sum! / state.Ensemble.Count;
        var result = mean.cpu().contiguous().data<float>().ToArray();
        if (state.CapAtObservedMaximum) CapAtGeneMaximum(result, x, cells, genes);
        return result;
    }

    // A dropout hides a value the gene takes elsewhere; above the batch's largest observed value is extrapolation.
    internal static void CapAtGeneMaximum(float[] output, float[] x, int cells, int genes)
    {
        var max = new float[genes];
        for (int i = 0; i < cells; i++)
        {
            var row = x.AsSpan(i * genes, genes);
            for (int j = 0; j < genes; j++) if (row[j] > max[j]) max[j] = row[j];
        }
        for (int i = 0; i < cells; i++)
        {
            var row = output.AsSpan(i * genes, genes);
            for (int j = 0; j < genes; j++) if (row[j] > max[j]) row[j] = max[j];
        }
    }

    // The matrix each consumer reads: PCA/kNN (log1p with GraphOnLog1p, as scanpy), the network (log1p unless the
    // scale is Counts) and the skip features (log1p only on the Log1p scale). Shares one log1p array among them.
    private readonly record struct ScaledInputs(float[] Graph, float[] Network, float[] Skip)
    {
        internal static ScaledInputs Of(float[] x, bool graphOnLog1p, ScGnnInputScale scale)
        {
            bool networkLog = scale != ScGnnInputScale.Counts;
            var log = graphOnLog1p || networkLog ? Log1pOf(x) : x;
            return new(graphOnLog1p ? log : x, networkLog ? log : x, scale == ScGnnInputScale.Log1p ? log : x);
        }
    }

    internal static NormalizedAdjacency BuildAdjacency(PcaProjection pca, float[] x, int cells, int k)
    {
        var embedding = pca.Transform(x, cells);
        var neighbors = KnnGraph.NearestNeighbors(embedding, cells, pca.ComponentCount, k);
        return NormalizedAdjacency.FromNeighbors(neighbors);
    }

    internal static int[] SplitCells(int cells, double validationFraction, double testFraction, Random rng)
    {
        var order = Enumerable.Range(0, cells).ToArray();
        rng.Shuffle(order);
        int nVal = validationFraction > 0 ? Math.Max(1, (int)Math.Round(cells * validationFraction)) : 0;
        int nTest = testFraction > 0 ? Math.Max(1, (int)Math.Round(cells * testFraction)) : 0;
        if (nVal + nTest >= cells) throw new ArgumentException($"Too few cells ({cells}) for the validation and test fractions.");
        var roles = new int[cells];
        for (int i = 0; i < nVal; i++) roles[order[i]] = RoleValidation;
        for (int i = nVal; i < nVal + nTest; i++) roles[order[i]] = RoleTest;
        return roles;
    }

    /// <summary>Chooses floor(rate x eligible non-zeros) entries uniformly without replacement, sorted by cell then gene.</summary>
    internal static MaskedEntries DrawMask(float[] x, int cells, int genes, double rate, Func<int, bool> eligibleCell, Random rng)
    {
        var (r, g, v) = NonZerosOf(x, cells, genes, eligibleCell);
        int take = (int)Math.Floor(rate * r.Length);
        var idx = Enumerable.Range(0, r.Length).ToArray();
        for (int i = 0; i < take; i++)
        {
            int j = rng.Next(i, idx.Length);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        var chosen = idx.AsSpan(0, take).ToArray();
        Array.Sort(chosen);
        return new MaskedEntries(chosen.Select(k => r[k]).ToArray(), chosen.Select(k => g[k]).ToArray(), chosen.Select(k => v[k]).ToArray());
    }

    private static Targets NonZerosOf(float[] x, int cells, int genes, Func<int, bool> cellFilter)
    {
        var r = new List<int>(); var g = new List<int>(); var v = new List<float>();
        for (int c = 0; c < cells; c++)
        {
            if (!cellFilter(c)) continue;
            long off = (long)c * genes;
            for (int j = 0; j < genes; j++)
            {
                float val = x[off + j];
                if (val != 0) { r.Add(c); g.Add(j); v.Add(val); }
            }
        }
        return (r.ToArray(), g.ToArray(), v.ToArray());
    }

    private static Tensor ToTorch(NormalizedAdjacency a, Device device)
    {
        var rows = new long[a.Columns.Length];
        for (int i = 0; i < a.Count; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) rows[k] = i;
        var indices = stack(new[] { tensor(rows), tensor(a.Columns.Select(c => (long)c).ToArray()) });
        return sparse_coo_tensor(indices, tensor(a.Values), new long[] { a.Count, a.Count }).to(device);
    }

    private static (Tensor Rows, Tensor Genes, Tensor Values) ToTorch(MaskedEntries m, bool log1p, Device device)
    {
        var values = tensor(m.Values).to(device);
        if (log1p) values = values.log1p();
        return (tensor(m.Cells.Select(c => (long)c).ToArray()).to(device), tensor(m.Genes.Select(g => (long)g).ToArray()).to(device), values);
    }

    internal static Device ResolveDevice(ScGnnDevice option) => option switch
    {
        ScGnnDevice.Cpu => CPU,
        ScGnnDevice.Cuda => TorchRuntime.IsCudaAvailable ? CUDA : throw new InvalidOperationException(
            "ScGnn Device is Cuda but no CUDA device is usable: install a GPU driver and reference TorchSharp-cuda-linux, or use Auto/Cpu."),
        _ => TorchRuntime.DefaultDevice,
    };
}

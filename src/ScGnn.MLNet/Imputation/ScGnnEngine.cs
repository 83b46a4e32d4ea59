using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;
using Targets = (int[] Cells, int[] Genes, float[] Values);

namespace ScGnn.MLNet.Imputation;

/// <summary>Result of fitting: the model, the loss history, and the targets it trained and selected on.</summary>
internal sealed record ScGnnFitResult(
    ScGnnNetworkState State,
    IReadOnlyList<ScGnnEpochProgress> History,
    int[] CellRoles,
    MaskedEntries TrainingTargets,
    MaskedEntries ValidationTargets,
    MaskedEntries TestTargets,
    KernelTimings Timings);

/// <summary>
/// SCGNN's fit, stage by stage: training targets (<see cref="Imputation.TrainingTargets"/>), the cell graph
/// (<see cref="CellGraph"/>), the skip features, and the networks (<see cref="GcnFitter"/>). Prediction is
/// <see cref="ScGnnPredictor"/>. ML.NET glue lives in <see cref="ScGnnTrainer"/> and <see cref="ScGnnImputationTransformer"/>.
/// </summary>
internal static class ScGnnEngine
{
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
        var device = DeviceSelection.Resolve(o.Device);

        var targets = TrainingTargets.Create(x, cells, genes, givenMask, o, new Random(o.Seed));
        var input = targets.Input;
        var (roles, rate) = (targets.Roles, targets.Rate);
        var (trainTargets, valTargets) = (targets.Train, targets.Validation);
        bool fresh = o.FreshMaskEachEpoch;

        // One log1p of the masked input serves the graph, the network and the skip features, whichever need it.
        var scaled = ScaledInputs.Of(input, o.GraphOnLog1p, o.InputScale);

        // Graph on the masked input (reference notebook): PCA(50) -> exact kNN -> D^-1/2 (A+I) D^-1/2.
        var graphInput = CsrMatrix.FromDense(scaled.Graph, cells, genes);
        var (pca, adjacency) = CellGraph.Fit(graphInput, o.PrincipalComponentCount, o.NeighborCount, o.Seed);
        int k = o.NeighborCount;
        float[][]? skip = null;
        // Fresh masks already give the skip start every non-zero of the training cells.
        var observed = o.SkipConnection && o.SkipStartOnObservedValues && !fresh
            ? TrainingTargets.ObservedValues(input, cells, genes, c => roles[c] == TrainingTargets.RoleTrain, o.InputScale == ScGnnInputScale.Log1p)
            : default;
        if (o.SelectNeighborCount && o.SkipConnection && !fresh && valTargets.Count > 0)
            (k, adjacency, skip) = SelectNeighborCount(pca, graphInput, adjacency, scaled, cells, genes, trainTargets, observed, valTargets, o, log);
        // Every ensemble member starts its skip connection from the same features.
        if (o.SkipConnection) skip ??= NeighborFeatures.Compute(adjacency, scaled.Skip, cells, genes, o.SkipConnectionHops);
        int hidden = Math.Max(1, genes / o.BottleneckRatio);
        log?.Invoke($"ScGnn: {cells} cells x {genes} genes, PCA {pca.ComponentCount}, kNN k={k} ({adjacency.EdgeCount} edges), hidden {hidden}, " +
                    $"mask rate {rate:F4}, {trainTargets.Count} training / {valTargets.Count} validation targets, device {device.type}");

        var members = new List<float[][]>();
        var timings = new KernelTimings();
        IReadOnlyList<ScGnnEpochProgress> history = Array.Empty<ScGnnEpochProgress>();
        for (int member = 0; member < o.EnsembleSize; member++)
        {
            int seed = unchecked(o.Seed + 7919 * member);
            var fit = GcnFitter.Fit(input, scaled.Network, skip, observed, cells, genes, adjacency, hidden, roles, trainTargets, valTargets, fresh, rate, o,
                seed, device);
            members.Add(fit.Weights);
            timings.Add(fit.Timings);
            if (member == 0) history = fit.History;
        }
        var state = new ScGnnNetworkState(pca, k, hidden, o.InputScale, members, o.GraphOnLog1p, o.CapAtObservedMaximum);
        return new ScGnnFitResult(state, history, roles, trainTargets, valTargets, targets.Test, timings);
    }

    /// <summary>Neighbour counts tried by <see cref="ScGnnOptions.SelectNeighborCount"/>: multiples of <c>NeighborCount</c>.</summary>
    internal static readonly int[] NeighborCountMultiples = { 1, 2, 3 };

    /// <summary>
    /// Picks k among NeighborCount x {1, 2, 3} by the validation MSE of the skip connection's least-squares start on
    /// that graph: a closed-form fit per candidate, so the choice costs a few kNN searches, not a training run.
    /// </summary>
    /// <returns>The chosen k with its graph and skip features, so that training reuses them.</returns>
    private static (int K, NormalizedAdjacency Adjacency, float[][] Features) SelectNeighborCount(PcaProjection pca, CsrMatrix graphInput,
        NormalizedAdjacency first, ScaledInputs scaled, int cells, int genes, MaskedEntries trainTargets, Targets observed, MaskedEntries valTargets,
        ScGnnOptions o, Action<string>? log)
    {
        bool log1p = o.InputScale == ScGnnInputScale.Log1p;
        var (tr, tg, tv) = GcnFitter.Concat(GcnFitter.Arrays(trainTargets, log1p), observed);
        var (vr, vg, vv) = GcnFitter.Arrays(valTargets, log1p);
        (int K, NormalizedAdjacency Adjacency, float[][] Features) best = default;
        double bestLoss = double.PositiveInfinity;
        var tried = new List<string>();
        foreach (int k in NeighborCountMultiples.Select(m => Math.Min(m * o.NeighborCount, cells - 1)).Distinct())
        {
            // The first candidate is the graph already built (kNN clamps k at cells - 1 the same way).
            var adjacency = k == Math.Min(o.NeighborCount, cells - 1) ? first : CellGraph.Build(pca, graphInput, k, o.Seed);
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
}

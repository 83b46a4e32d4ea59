using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using TorchSharp;
using static TorchSharp.torch;
using Targets = (int[] Cells, int[] Genes, float[] Values);

namespace ScGnn.MLNet.Gcn;

/// <summary>The outcome of fitting one network: the kept weights, every epoch's losses and the epoch kept.</summary>
/// <param name="Weights">W1, b1, W2, b2 (<see cref="BottleneckGcn.ExportWeights"/> order), then the skip coefficients.</param>
/// <param name="History">One entry per epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (0: the starting weights).</param>
/// <param name="Timings">Where the epochs' time went.</param>
internal sealed record GcnFit(float[][] Weights, IReadOnlyList<ScGnnEpochProgress> History, int BestEpoch, KernelTimings Timings);

/// <summary>
/// Paper step 4, fitting the network: trains one <see cref="BottleneckGcn"/> on the masked targets of the training
/// cells and keeps the weights of the epoch selected on the validation targets.
/// </summary>
internal static class GcnFitter
{
    /// <summary>Fits one network.</summary>
    /// <param name="features">What the network reads: the masked input on the network's scale, dense cells x genes
    /// (the one whole-dataset dense array left in training; mini-batches replace it).</param>
    /// <param name="skip">The skip connection's neighbourhood features, or null without one.</param>
    /// <param name="observed">Extra targets for the skip start (the training cells' observed values), or default.</param>
    /// <param name="cells">Cells.</param>
    /// <param name="genes">Genes.</param>
    /// <param name="adjacency">The normalized adjacency of the cell graph.</param>
    /// <param name="hidden">Bottleneck units.</param>
    /// <param name="trainTargets">Masked entries of the training cells.</param>
    /// <param name="valTargets">Masked entries of the validation cells.</param>
    /// <param name="o">Settings.</param>
    /// <param name="seed">Seed of the initialization and dropout.</param>
    /// <param name="device">Device.</param>
    /// <param name="epochDone">Called after every epoch (progress, cancellation: it may throw to stop).</param>
    internal static GcnFit Fit(float[] features, float[][]? skip, Targets observed, int cells, int genes, NormalizedAdjacency adjacency,
        int hidden, MaskedEntries trainTargets, MaskedEntries valTargets, ScGnnOptions o, int seed, Device device,
        Action<ScGnnEpochProgress>? epochDone = null)
    {
        using var scope = NewDisposeScope();
        bool log1p = o.InputScale == ScGnnInputScale.Log1p;
        float[][] init;
        using (var generator = new Generator((ulong)seed))
        using (var module = new BottleneckGcn(genes, hidden, generator))
            init = module.ExportWeights();
        using var x = GcnInput.Create(features, cells, genes, device);
        var (vr, vg, vv) = Arrays(valTargets, log1p);
        var (tr, tg, tv) = Arrays(trainTargets, log1p);

        if (skip is not null)
        {
            // The skip starts at the per-gene least-squares fit on the training targets (and, by default, on the
            // training cells' observed values); the GCN learns the rest.
            var (lr, lg, lv) = Concat((tr, tg, tv), observed);
            var (coef, intercept) = NeighborFeatures.FitLeastSquares(skip, genes, lr, lg, lv);
            init = new[] { init[0], init[1], init[2], intercept }.Concat(coef).ToArray();
        }
        using var kernel = new GcnTrainingKernel(x, adjacency, hidden, init, o.DropoutRate, o.LearningRate, o.WeightDecay, (ulong)seed, skip);

        var history = new List<ScGnnEpochProgress>();
        bool hasVal = valTargets.Count > 0;
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        float[][] bestWeights = kernel.ExportWeights();
        double[]? startErrors = null;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var before = hasVal ? kernel.ExportWeights() : null;
            var (trainLoss, valLoss) = kernel.Step(tr, tg, tv, false, vr, vg, vv);
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
            history.Add(progress);
            epochDone?.Invoke(progress);
        }
        var timings = new KernelTimings();
        timings.Add(kernel.Timings);
        return new GcnFit(bestWeights, history, bestEpoch, timings);
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

    internal static Targets Arrays(MaskedEntries m, bool log1p) =>
        (m.Cells, m.Genes, log1p ? TrainingTargets.Log1pOf(m.Values) : m.Values);

    internal static Targets Concat(Targets a, Targets b) => b.Cells is null || b.Cells.Length == 0 ? a :
        (a.Cells.Concat(b.Cells).ToArray(), a.Genes.Concat(b.Genes).ToArray(), a.Values.Concat(b.Values).ToArray());
}

using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Imputation;

/// <summary>Result of fitting: the model, the loss history, the graph it trained on, and its targets.</summary>
internal sealed record ScGnnFitResult(
    ScGnnNetworkState State,
    IReadOnlyList<ScGnnEpochProgress> History,
    int BestEpoch,
    int[] CellRoles,
    MaskedEntries TrainingTargets,
    MaskedEntries ValidationTargets,
    MaskedEntries TestTargets,
    NormalizedAdjacency Graph,
    ulong InputFingerprint,
    double KeptFraction = 1);

/// <summary>
/// SCGNN's fit, stage by stage: training targets (<see cref="Imputation.TrainingTargets"/>), the cell graph
/// (<see cref="CellGraph"/>), the skip features, and the network (<see cref="GcnFitter"/>). Prediction is
/// <see cref="ScGnnPredictor"/>. ML.NET glue lives in <see cref="ScGnnTrainer"/> and <see cref="ScGnnImputationTransformer"/>.
/// </summary>
internal static class ScGnnEngine
{
    /// <summary>
    /// Seed of the graph stage (randomized PCA, approximate kNN), the same at fit and at Transform, so that the
    /// fitted cells' rebuilt graph is the fitted one whatever the training seed.
    /// </summary>
    internal const int GraphSeed = 0;

    /// <summary>Cells x genes up to which validation reads the rows imputation will (<see cref="ScGnnOptions.ValidateOnHeldOutInput"/>): 16 Mi entries.</summary>
    internal const long HeldOutValidationEntries = 1L << 24;

    /// <summary>Fits SCGNN. <paramref name="x"/> is the observed matrix (its zeros are what will be imputed); not modified.</summary>
    /// <param name="x">Cells x genes, observed values.</param>
    /// <param name="givenMask">Entries already masked to zero in <paramref name="x"/> with their true values, or null to draw a mask.</param>
    /// <param name="o">Settings.</param>
    /// <param name="monitor">Progress and cancellation; null reports nowhere.</param>
    internal static ScGnnFitResult Fit(CsrMatrix x, MaskedEntries? givenMask, ScGnnOptions o, FitMonitor? monitor = null)
    {
        monitor ??= FitMonitor.None;
        o.Validate();
        int cells = x.Rows, genes = x.Columns;
        RequireCells(cells);
        if (genes < 1) throw new ArgumentException("ScGnn needs at least one gene.");
        TorchRuntime.EnsureInitialized();
        if (o.ThreadCount is int t) set_num_threads(t);
        var device = DeviceSelection.Resolve(o.Device);

        TrainingTargets targets;
        ScaledInputs scaled;
        using (var stage = monitor.Stage("training targets"))
        {
            targets = TrainingTargets.Create(x, givenMask, o, new Random(o.Seed));
            // The graph, the network and the skip features read the masked input: a target is absent from its own and
            // its neighbours' inputs, as a dropout is. With a given mask (the paper's protocol) that is x itself.
            scaled = ScaledInputs.Of(targets.Input, o.GraphOnLog1p, o.InputScale);
            stage.Done();
        }
        var (trainTargets, valTargets) = (targets.Train, targets.Validation);

        // PCA(50) -> kNN -> D^-1/2 (A+I) D^-1/2 on the masked input, so that a target's neighbours are chosen without
        // its value, as a zero's are at Transform. A graph on every observed value chose each target's neighbours
        // with the target visible: the start fitted there filled the real zeros poorly for clustering (zeisel
        // ImputeZeros ARI 0.29 against 0.94; docs/BENCHMARKS.md). Transform reuses this graph only for this very
        // input (the given-mask protocol); the complete fitted cells get theirs in the fitted PCA basis.
        PcaProjection pca;
        NormalizedAdjacency adjacency;
        using (var stage = monitor.Stage($"cell graph (PCA {o.PrincipalComponentCount}, kNN k={o.NeighborCount}) of {cells} cells x {genes} genes"))
        {
            (pca, adjacency) = CellGraph.Fit(scaled.Graph, o.PrincipalComponentCount, o.NeighborCount, GraphSeed, log: monitor.Info, checkAlive: monitor.CheckAlive);
            stage.Done();
        }

        int hidden = Math.Max(1, genes / o.BottleneckRatio);
        monitor.Info($"ScGnn: {cells} cells x {genes} genes, PCA {pca.ComponentCount}, kNN k={o.NeighborCount} ({adjacency.EdgeCount} edges), " +
            $"hidden {hidden}, mask rate {targets.Rate:F4}, {trainTargets.Count} training / {valTargets.Count} validation targets, device {device.type}");

        GcnFit fit;
        using (var stage = monitor.Stage("training"))
        {
            bool log1p = o.InputScale == ScGnnInputScale.Log1p;
            int hops = o.SkipConnection ? o.SkipConnectionHops : 0;
            // Skip features at the target entries only, from the sparse masked input (NeighborFeatures). When the
            // trainer drew the mask, that input lacks a fraction Rate of the non-zeros imputation reads, so the means
            // (zeros included) are scaled by 1 / (1 - Rate) to the expectation they have there; unscaled they made
            // dense genes overshoot. Features from the observed input instead lost on zeisel and pbmc3k: the graph saw
            // every fitted entry but none of the imputed ones (docs/BENCHMARKS.md, black box).
            float meanScale = givenMask is null ? (float)(1 / (1 - targets.Rate)) : 1f;
            GcnTargets train, validation;
            (float[][], float[])? skipStart = null;
            ValidationRows? validationRows = null;
            using (var targetStage = monitor.Stage(o.SkipConnection ? "skip features at the targets and skip start" : "targets"))
            {
                // With its own mask the trainer hides a fraction of every cell's values; imputation reads them all. The
                // validation pass reads the rows imputation will (only the validation and test targets hidden, unscaled), so
                // that an epoch is judged on the input it will impute from. Up to HeldOutValidationEntries only: it costs a
                // product of the restored targets every epoch, and its measured gain fell with size (the black box's
                // pbmc3k 16.69 -> 16.51, the 10,000-cell simulation 9.39 -> 9.37) while that cost grew (+9 % of the
                // training time at 100,000 cells).
                if (o.ValidateOnHeldOutInput && targets.MaskDrawn && valTargets.Count > 0 && (long)cells * genes <= HeldOutValidationEntries &&
                    GcnFitter.UsesWholeGraph(cells, genes, o.BatchSize))
                {
                    var heldOut = targets.HeldOutInput();
                    validation = Targets(adjacency, log1p ? heldOut.Log1p() : heldOut, hops, valTargets, log1p, 1f);
                    bool networkLog = o.InputScale != ScGnnInputScale.Counts;
                    validationRows = new ValidationRows(Rows(trainTargets, cells, genes, networkLog),
                        o.ScaleNetworkInput ? meanScale : 1f);
                }
                else validation = Targets(adjacency, scaled.Skip, hops, valTargets, log1p, meanScale);
                if (o.SkipConnection)
                {
                    int[]? observedCells = o.SkipStartOnObservedValues
                        ? Enumerable.Range(0, cells).Where(c => targets.Roles[c] == TrainingTargets.RoleTrain).ToArray()
                        : null;
                    // One neighbourhood summary per training cell serves its targets' features and the start's fit.
                    var values = log1p ? TrainingTargets.Log1pOf(trainTargets.Values) : trainTargets.Values;
                    (train, var start) = SkipStart.FitWithTargets(adjacency, scaled.Skip, hops, trainTargets.Cells, trainTargets.Genes, values,
                        observedCells, meanScale);
                    skipStart = start;
                }
                else train = Targets(adjacency, scaled.Skip, hops, trainTargets, log1p, meanScale);
                targetStage.Done();
            }
            // The skip start's per-cell neighbourhood summaries are garbage now (about half of the 11 GB live at a million
            // cells); collected here, before the batches' arrays pile on, instead of in the first epoch (whose peak at a
            // million cells was 16.3 GB with them).
            if ((long)cells * genes >= GcnFitter.LargeBatchEntries)
                Torch.NativeHeap.ReleaseGarbage();
            using var epochs = monitor.Epochs(o.Epochs, o.Progress);
            var settings = new GcnTrainingSettings
            {
                Epochs = o.Epochs, LearningRate = o.LearningRate, WeightDecay = o.WeightDecay, DropoutRate = o.DropoutRate,
                Patience = o.EarlyStoppingPatience > 0 ? o.EarlyStoppingPatience : null,
                SelectionStandardErrors = o.EpochSelectionStandardErrors, BatchCells = o.BatchSize,
                ZeroOutputStart = o.ZeroOutputStart && o.SkipConnection,
                ShrinkTowardStart = o.ShrinkTowardStart && o.SkipConnection, Device = device, Seed = o.Seed,
                Progress = epochs.OnEpoch, CheckAlive = monitor.CheckAlive, Log = monitor.Info,
            };
            // The network's input, scaled as the skip features' means are (inverted dropout; see ScaleNetworkInput). The
            // graph and the skip features are built by now, so a log1p matrix is scaled in place; the masked input itself
            // (the counts scale) is copied, since the fingerprint below still reads it.
            var networkInput = o.ScaleNetworkInput
                ? NetworkInput(scaled.Network, meanScale, inPlace: !ReferenceEquals(scaled.Network.Values, targets.Input.Values))
                : scaled.Network;
            fit = GcnFitter.Fit(adjacency, networkInput, hidden, train, validation, skipStart, settings, validationRows);
            stage.Done();
        }
        string fraction = fit.KeptFraction < 1 ? $", its change of the start scaled by {fit.KeptFraction:F3}" : "";
        monitor.Info(fit.StoppedEarly
            ? $"ScGnn: kept epoch {fit.BestEpoch} of {fit.History.Count} run (stopped early){fraction}"
            : $"ScGnn: kept epoch {fit.BestEpoch} of {fit.History.Count}{fraction}");
        var state = new ScGnnNetworkState(pca, o.NeighborCount, hidden, o.InputScale, new[] { fit.Weights }, o.GraphOnLog1p, o.CapAtObservedMaximum);
        return new ScGnnFitResult(state, fit.History, fit.BestEpoch, targets.Roles, trainTargets, valTargets, targets.Test,
            adjacency, Fingerprint(targets.Input), fit.KeptFraction);
    }

    /// <summary>
    /// The network's training input: every stored value times <paramref name="scale"/> (1 / (1 - mask rate) with the
    /// trainer's own mask, so that a row's expected values are those of the complete row imputation reads), in
    /// <paramref name="network"/>'s own values array when <paramref name="inPlace"/> (at a million cells a copy is
    /// 0.76 GB), else in a new one; the matrix itself when the scale is 1.
    /// </summary>
    internal static CsrMatrix NetworkInput(CsrMatrix network, float scale, bool inPlace)
    {
        if (scale == 1) return network;
        var values = inPlace ? network.Values : new float[network.Values.Length];
        System.Numerics.Tensors.TensorPrimitives.Multiply(network.Values, scale, values);
        return inPlace ? network : new CsrMatrix(network.Rows, network.Columns, network.RowPointers, network.ColumnIndices, values);
    }

    /// <summary>Throws unless there are enough cells for a graph (3): every fit, with or without a network, checks this.</summary>
    internal static void RequireCells(int cells)
    {
        if (cells < 3) throw new ArgumentException($"ScGnn needs at least 3 cells; got {cells}.");
    }

    /// <summary>A 64-bit digest of a matrix's shape, pattern and values: recognizes the very cells a model was fitted on.</summary>
    internal static ulong Fingerprint(CsrMatrix x)
    {
        ulong h = 0xCBF29CE484222325UL ^ (ulong)x.Rows * 0x9E3779B97F4A7C15UL ^ (ulong)x.Columns;
        static ulong Mix(ulong h, ulong v) => (h ^ v) * 0x100000001B3UL ^ ((h ^ v) >> 29);
        foreach (int p in x.RowPointers) h = Mix(h, (uint)p);
        foreach (int c in x.ColumnIndices) h = Mix(h, (uint)c);
        foreach (float v in x.Values) h = Mix(h, BitConverter.SingleToUInt32Bits(v));
        return h;
    }

    /// <summary>Entries (sorted by cell then gene) as the sparse rows of a cells x genes matrix, log1p of their values when asked.</summary>
    internal static CsrMatrix Rows(MaskedEntries m, int cells, int genes, bool log1p)
    {
        return new CsrMatrix(cells, genes, CsrMatrix.RowPointersOf(m.Cells, cells), (int[])m.Genes.Clone(),
            log1p ? TrainingTargets.Log1pOf(m.Values) : (float[])m.Values.Clone());
    }

    // Masked entries as training targets on the loss's scale, with skip features when hops > 0.
    private static GcnTargets Targets(NormalizedAdjacency a, CsrMatrix skipInput, int hops, MaskedEntries m, bool log1p, float meanScale)
    {
        var values = log1p ? TrainingTargets.Log1pOf(m.Values) : m.Values;
        return hops > 0 ? SkipStart.WithFeatures(a, skipInput, hops, m.Cells, m.Genes, values, meanScale) : new GcnTargets(m.Cells, m.Genes, values, null);
    }
}

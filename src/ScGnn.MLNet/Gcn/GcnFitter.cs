using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Paper step 3, fitting the network: <see cref="BottleneckGcn"/> trained by TorchSharp autograd and
/// <c>torch.optim.Adam</c> on the masked entries, one dispose scope per step, tensors on the settings' device.
/// </summary>
/// <remarks>
/// <para>Small data trains on the whole graph, one Adam step per epoch, as the paper does. Above
/// <see cref="WholeGraphEntries"/> input entries it trains Cluster-GCN style (Chiang et al. 2019): the cells are cut
/// into balls of graph-local cells (<see cref="LocalityOrder(NormalizedAdjacency, int)"/>), each step draws
/// <see cref="BallsPerBatch"/> balls at random and trains on the subgraph they induce
/// (<see cref="GcnSubgraph.Induced"/>), so one step costs its batch, not the dataset. A whole-graph step and a
/// mini-batch step are both one Adam update: mini-batch training runs at most <see cref="GcnTrainingSettings.Epochs"/>
/// steps in all (<see cref="MiniBatchEpochs"/>).</para>
/// <para>Every epoch the weights entering it are scored on the validation targets by the whole-graph forward pass that
/// imputation uses. The kept epoch is the lowest validation loss whose paired gain over the
/// start exceeds <see cref="GcnTrainingSettings.SelectionStandardErrors"/>; training stops when the validation loss has
/// not reached a new low for <see cref="GcnTrainingSettings.Patience"/> steps (<see cref="PatienceEpochs"/>). Only the
/// per-epoch losses (and the significance test on a new low) leave the device. With
/// <see cref="GcnTrainingSettings.ShrinkTowardStart"/> the loss an epoch is chosen and stopped by is that of its change of
/// the start shrunk by the validation targets' least-squares fraction, cross-fitted (<see cref="StartShrinkage"/>), and
/// the kept weights are the shrunk ones.</para>
/// </remarks>
internal static class GcnFitter
{
    /// <summary>Cells x genes up to which training uses the whole graph (64 Mi entries: a 256 MiB float block).</summary>
    internal const long WholeGraphEntries = 1L << 26;

    /// <summary>Cells x genes one automatic mini-batch aims at (32 Mi entries: about 50,000 cells of 640 genes).</summary>
    internal const long BatchInputEntries = 1L << 25;

    /// <summary>Balls drawn for one mini-batch: several small clusters a step, redrawn every epoch, so that the edges
    /// between balls are trained too and the batches differ from epoch to epoch (Cluster-GCN's stochastic multiple
    /// partitions).</summary>
    internal const int BallsPerBatch = 4;

    /// <summary>Cells x genes of a batch whose step arrays are worth a full collection after each epoch (4 Mi: 16 MB arrays).</summary>
    internal const long LargeBatchEntries = 1L << 22;

    /// <summary>Fewest epochs of patience in mini-batch mode.</summary>
    internal const int MinPatienceEpochs = 2;

    /// <summary>
    /// Epochs without a new validation low before stopping when an epoch has <paramref name="batchesPerEpoch"/> Adam
    /// steps: <paramref name="patience"/> counts steps, so ceil(patience / batches), and at least
    /// <see cref="MinPatienceEpochs"/> with more than one batch. One batch per epoch (the whole graph) keeps it as is.
    /// </summary>
    internal static int PatienceEpochs(int patience, int batchesPerEpoch)
    {
        if (batchesPerEpoch <= 1) return patience;
        return Math.Max(MinPatienceEpochs, (patience + batchesPerEpoch - 1) / batchesPerEpoch);
    }

    /// <summary>
    /// Most epochs of mini-batch training: <paramref name="epochs"/> Adam steps in all, ceil(epochs / batches) passes, so
    /// that the step count, and so about the work, is the whole-graph fit's at the size of one batch.
    /// </summary>
    internal static int MiniBatchEpochs(int epochs, int batchesPerEpoch) =>
        batchesPerEpoch <= 1 ? epochs : Math.Max(1, (epochs + batchesPerEpoch - 1) / batchesPerEpoch);

    /// <summary>Cells per mini-batch: <paramref name="given"/>, or about <see cref="BatchInputEntries"/> / genes.</summary>
    internal static int BatchCellCount(int cells, int genes, int? given) =>
        given ?? (int)Math.Clamp(BatchInputEntries / Math.Max(1, genes), Math.Min(cells, BallsPerBatch), cells);

    /// <summary>Whether training with these settings uses the whole graph (one step per epoch).</summary>
    internal static bool UsesWholeGraph(int cells, int genes, int? batchCells) =>
        batchCells is int b ? b >= cells : (long)cells * genes <= WholeGraphEntries;

    /// <summary>
    /// Trains one network.
    /// </summary>
    /// <param name="adjacency">The cell graph.</param>
    /// <param name="x">The network's input (training targets already zero), cells x genes, on the network's scale.</param>
    /// <param name="hidden">Bottleneck width.</param>
    /// <param name="train">Training targets (sorted by cell), with skip features when <paramref name="skipStart"/> is given.</param>
    /// <param name="validation">Validation targets, possibly empty: without them the last epoch is kept and nothing stops early.</param>
    /// <param name="skipStart">The skip connection's per-gene start (coefficients per feature, intercept), or null without one.</param>
    /// <param name="s">Training settings.</param>
    /// <param name="validationRows">The rows the validation pass reads, or null for <paramref name="x"/>: the rows imputation
    /// will read (the training targets back in place, unscaled), so that an epoch is judged on the input it will impute from.</param>
    internal static GcnFit Fit(NormalizedAdjacency adjacency, CsrMatrix x, int hidden, GcnTargets train, GcnTargets validation,
        (float[][] Coefficients, float[] Intercept)? skipStart, GcnTrainingSettings s, ValidationRows? validationRows = null)
    {
        if (validationRows is { } vr && (vr.Restored.Rows != x.Rows || vr.Restored.Columns != x.Columns || !(vr.InputScale > 0)))
            throw new ArgumentException("The validation rows' shape differs from the training input's, or their scale is not positive.");
        if (train.Count == 0) throw new ArgumentException("No training targets.");
        int cells = x.Rows, genes = x.Columns;
        int features = skipStart?.Coefficients.Length ?? 0;
        if (train.FeatureCount != features || (validation.Count > 0 && validation.FeatureCount != features))
            throw new ArgumentException($"Targets carry {train.FeatureCount} skip features; the start has {features}.");
        var device = s.Device;
        using var scope = NewDisposeScope();
        random.manual_seed(s.Seed);
        using var generator = new Generator((ulong)s.Seed);
        var model = new BottleneckGcn(genes, hidden, generator, features) { Dropout = new HiddenDropout(s.Seed) };
        if (skipStart is { } start)
        {
            var init = model.ExportWeights();
            init[3] = start.Intercept;
            for (int f = 0; f < features; f++) init[4 + f] = start.Coefficients[f];
            model.ImportWeights(init);
        }
        // The shrinkage is exact only from a zero output layer (StartShrinkage), so it implies that start.
        if (s.ZeroOutputStart || s.ShrinkTowardStart) model.ZeroOutputWeights();
        model.to(device);
        var optimizer = optim.Adam(model.parameters(), s.LearningRate, 0.9, 0.999, 1e-8, s.WeightDecay);

        EpochRunner run;
        if (UsesWholeGraph(cells, genes, s.BatchCells)) run = new WholeGraphRunner(adjacency, x, validationRows, train, validation, model, optimizer, s);
        else
        {
            int batchCells = BatchCellCount(cells, genes, s.BatchCells);
            int ball = Math.Max(1, batchCells / BallsPerBatch);
            run = new ClusterBatchRunner(adjacency, x, validationRows, train, validation, model, optimizer, s, LocalityOrder(adjacency, ball), ball);
        }
        int maxEpochs = MiniBatchEpochs(s.Epochs, run.BatchCount);
        int? patience = s.Patience is int steps ? PatienceEpochs(steps, run.BatchCount) : null;
        if (run.BatchCount > 1)
            s.Log?.Invoke($"ScGnn: mini-batch training (Cluster-GCN), {run.BatchCount} batches of about {run.BatchCellCount} cells " +
                $"({BallsPerBatch} balls of {run.BallCellCount} graph-local cells each) per epoch; up to {maxEpochs} epochs " +
                $"({s.Epochs} steps); " + (patience is int pe ? $"patience {pe} epochs ({s.Patience} steps)" : "no early stop"));

        var history = new List<ScGnnEpochProgress>();
        bool hasVal = validation.Count > 0;
        Tensor? startErrors = null, startOutput = null, firstHalf = null;
        Tensor[]? kept = null, startWeights = null;
        bool shrink = s.ShrinkTowardStart && hasVal;
        double keptAlpha = 1;
        double keptLoss = double.PositiveInfinity, lowest = double.PositiveInfinity;
        int keptEpoch = 0, lowestEpoch = 0;
        bool stopped = false;
        // On the CPU the step's heavy products are the custom functions' C# kernels (on .NET threads) and its TorchSharp
        // ops act on rows x hidden tensors, too small to gain from intra-op threads: the epochs run torch single-threaded.
        var torchThreads = device.type == TorchSharp.DeviceType.CPU ? TorchThreadScope.SingleThreaded() : null;
        try
        {
            for (int epoch = 1; epoch <= maxEpochs; epoch++)
            {
                s.CheckAlive?.Invoke();
                // The weights entering this epoch are those of epoch - 1.
                int t = epoch - 1;
                double valLoss = double.NaN, selLoss = double.NaN;
                var trainLoss = run.Epoch(scored =>
                {
                    Tensor errors, output = null!;
                    if (shrink)
                    {
                        output = scored.Output();
                        errors = (output - scored.Values).square();
                    }
                    else errors = scored.Errors();
                    valLoss = errors.mean().item<float>();
                    // The loss an epoch is chosen and stopped by: its own, or its cross-fitted shrunk one.
                    double selectionLoss = valLoss, alpha = 1;
                    Tensor selectionErrors = errors;
                    if (t == 0)
                    {
                        startErrors = errors.detach().clone().DetachFromDisposeScope();
                        Keep(ref kept, model);
                        keptLoss = valLoss;
                        if (shrink)
                        {
                            startOutput = output.detach().clone().DetachFromDisposeScope();
                            firstHalf = scored.Rows.remainder(2).eq(0).DetachFromDisposeScope();
                            startWeights = model.Snapshot();
                        }
                    }
                    else
                    {
                        if (shrink)
                        {
                            (alpha, selectionErrors) = StartShrinkage.Fit(startOutput!, output, scored.Values, firstHalf!);
                            selectionLoss = selectionErrors.mean().item<float>();
                        }
                        if (selectionLoss < keptLoss && (s.SelectionStandardErrors == 0 ||
                            PairedGainInStandardErrors(startErrors!, selectionErrors) > s.SelectionStandardErrors))
                        {
                            Keep(ref kept, model);
                            keptLoss = selectionLoss;
                            keptEpoch = t;
                            keptAlpha = alpha;
                        }
                    }
                    selLoss = selectionLoss;
                    if (selectionLoss < lowest) { lowest = selectionLoss; lowestEpoch = t; }
                    // Stop before stepping: the weights entering this epoch are the last ones scored.
                    return patience is int p && t - lowestEpoch >= p;
                });
                if (trainLoss is null)
                {
                    stopped = true;
                    s.Log?.Invoke($"ScGnn: early stop at epoch {t}: validation loss has not improved for {patience} epochs " +
                                  $"(lowest {lowest:G5} at epoch {lowestEpoch}); keeping epoch {keptEpoch}");
                    break;
                }
                if (!hasVal) keptEpoch = epoch;
                var progress = new ScGnnEpochProgress(epoch, maxEpochs, trainLoss.Value, valLoss, keptEpoch) { SelectionLoss = selLoss };
                history.Add(progress);
                s.Progress?.Invoke(progress);
            }
            if (kept is not null) model.Restore(kept);
            if (shrink && keptEpoch > 0)
            {
                model.ShrinkOutputLayerTowards(startWeights!, keptAlpha);
                s.Log?.Invoke($"ScGnn: epoch {keptEpoch}'s change of the start kept at {keptAlpha:F3} of its size (cross-fitted validation loss {keptLoss:G5})");
            }
            return new GcnFit(model.ExportWeights(), history, keptEpoch, stopped, run.BatchCount, shrink && keptEpoch > 0 ? keptAlpha : 1);
        }
        finally
        {
            torchThreads?.Dispose();
            startErrors?.Dispose();
            startOutput?.Dispose();
            firstHalf?.Dispose();
            if (startWeights is not null) foreach (var k in startWeights) k.Dispose();
            if (kept is not null) foreach (var k in kept) k.Dispose();
            run.Dispose();
            optimizer.Dispose();
            model.Dispose();
        }
    }

    private static void Keep(ref Tensor[]? kept, BottleneckGcn model)
    {
        if (kept is not null) foreach (var k in kept) k.Dispose();
        kept = model.Snapshot();
    }

    /// <summary>
    /// The mean per-target drop in squared error from <paramref name="start"/> to <paramref name="now"/>, in standard
    /// errors of that mean (sample sd, n-1): a paired z. Positive when <paramref name="now"/> is better.
    /// </summary>
    internal static double PairedGainInStandardErrors(Tensor start, Tensor now)
    {
        using var scope = NewDisposeScope();
        long n = start.numel();
        if (n < 2) return 0;
        var d = (start - now).to_type(ScalarType.Float64);
        double mean = d.mean().item<double>();
        double sd = d.std().item<double>();
        double se = sd / Math.Sqrt(n);
        return se > 0 ? mean / se : mean > 0 ? double.PositiveInfinity : mean < 0 ? double.NegativeInfinity : 0;
    }

    /// <summary>
    /// Cells in balls of <paramref name="ball"/> cells: breadth-first searches each stopped at that many cells, each from
    /// the lowest cell not yet placed (and continued from the next one when its component runs out). A ball is compact,
    /// every cell a few hops from its root, so a batch cut from it has a small two-hop neighbourhood; runs of one global
    /// breadth-first order are thin shells whose neighbourhoods reach far. Without a limit: one breadth-first order,
    /// each component from its lowest cell.
    /// </summary>
    internal static int[] LocalityOrder(NormalizedAdjacency a, int ball = int.MaxValue)
    {
        int n = a.Count;
        var order = new int[n];
        var seen = new bool[n];
        int tail = 0, root = 0;
        while (tail < n)
        {
            int end = (int)Math.Min(n, (long)tail + Math.Max(1, ball));
            int head = tail;
            while (tail < end)
            {
                if (head == tail)
                {
                    while (seen[root]) root++;
                    seen[root] = true;
                    order[tail++] = root;
                    continue;
                }
                int i = order[head++];
                for (int q = a.RowPointers[i]; q < a.RowPointers[i + 1] && tail < end; q++)
                {
                    int k = a.Columns[q];
                    if (!seen[k]) { seen[k] = true; order[tail++] = k; }
                }
            }
        }
        return order;
    }

    // One epoch of steps. Epoch(validate) scores the weights entering the epoch through validate (when there are
    // validation targets; it returns true to stop before stepping), then steps; returns the epoch's training loss or
    // null when stopped.
    private abstract class EpochRunner : IDisposable
    {
        protected EpochRunner(BottleneckGcn model, optim.Optimizer optimizer, GcnTrainingSettings s)
        {
            Model = model; Optimizer = optimizer; Settings = s;
        }

        protected BottleneckGcn Model { get; }
        protected optim.Optimizer Optimizer { get; }
        protected GcnTrainingSettings Settings { get; }
        internal abstract int BatchCount { get; }
        internal virtual int BatchCellCount => 0;
        internal virtual int BallCellCount => 0;
        internal abstract double? Epoch(Func<Scored, bool> validate);
        public virtual void Dispose() { }

        // The restored training targets as an input block of the whole graph, and the training input's scale, when
        // validation reads the rows imputation will; else (null, 1).
        protected static (GcnInput? Restored, float Scale) RestoredInput(GcnSubgraph whole, ValidationRows? rows, GcnTargets val, GcnTrainingSettings s) =>
            rows is { } r && val.Count > 0 ? (whole.Input(r.Restored, s.SparseInput, s.Device).Detached(), r.InputScale) : (null, 1f);

        // Squared errors of the model's output at the entries.
        protected Tensor SquaredErrors(Tensor z, EntryTensors e) => Model.SquaredErrorsAt(z, e.Rows, e.Genes, e.Features, e.Values, e.Index);
    }

    // The validation entries under the weights entering an epoch: their squared errors, or the outputs themselves.
    private sealed class Scored(BottleneckGcn model, Tensor z, EntryTensors e)
    {
        internal Tensor Errors() => model.SquaredErrorsAt(z, e.Rows, e.Genes, e.Features, e.Values, e.Index);
        internal Tensor Output() => model.OutputAt(z, e.Rows, e.Genes, e.Features, e.Index);
        internal Tensor Values => e.Values;
        internal Tensor Rows => e.Rows;
    }

    // Target entries of one step as device tensors.
    private sealed class EntryTensors : IDisposable
    {
        internal EntryTensors((long[] Rows, long[] Genes, float[] Values, float[]? Features) e, int featureCount, Device device)
        {
            Count = e.Rows.Length;
            Rows = GcnSubgraph.OnDevice(tensor(e.Rows), device);
            Genes = GcnSubgraph.OnDevice(tensor(e.Genes), device);
            Values = GcnSubgraph.OnDevice(tensor(e.Values), device);
            Features = e.Features is null ? null : GcnSubgraph.OnDevice(tensor(e.Features, e.Rows.Length, featureCount), device);
            Index = device.type == TorchSharp.DeviceType.CPU ? new TargetIndex(e.Rows, e.Genes) : null;
        }

        internal long Count { get; }
        internal Tensor Rows { get; }
        internal Tensor Genes { get; }
        internal Tensor Values { get; }
        internal Tensor? Features { get; }
        internal TargetIndex? Index { get; }

        internal EntryTensors Detached()
        {
            Rows.DetachFromDisposeScope(); Genes.DetachFromDisposeScope(); Values.DetachFromDisposeScope(); Features?.DetachFromDisposeScope();
            return this;
        }

        public void Dispose() { Rows.Dispose(); Genes.Dispose(); Values.Dispose(); Features?.Dispose(); }
    }

    // The paper's full batch: Â, X and the targets live on the device for the whole fit; validation reuses X W1 unless
    // it reads its own input.
    private sealed class WholeGraphRunner : EpochRunner
    {
        private readonly AdjacencySlice _a;
        private readonly GcnInput _x;
        // The restored training targets and the input's scale, when validation reads the rows imputation will.
        private readonly GcnInput? _restored;
        private readonly float _scale;
        private readonly EntryTensors _train;
        private readonly EntryTensors? _val;

        internal WholeGraphRunner(NormalizedAdjacency a, CsrMatrix x, ValidationRows? rows, GcnTargets train, GcnTargets val, BottleneckGcn model,
            optim.Optimizer optimizer, GcnTrainingSettings s) : base(model, optimizer, s)
        {
            var g = GcnSubgraph.Whole(a);
            var all = g.OutputCells;
            _a = g.First;
            _x = g.Input(x, s.SparseInput, s.Device).Detached();
            (_restored, _scale) = RestoredInput(g, rows, val, s);
            _train = new EntryTensors(train.Select(all, train.CellStarts(x.Rows)), train.FeatureCount, s.Device).Detached();
            _val = val.Count == 0 ? null : new EntryTensors(val.Select(all, val.CellStarts(x.Rows)), val.FeatureCount, s.Device).Detached();
        }

        internal override int BatchCount => 1;

        internal override double? Epoch(Func<Scored, bool> validate)
        {
            using var scope = NewDisposeScope();
            Optimizer.zero_grad();
            // X W1 is computed once: validation reuses the hidden layer, or X W1 itself when it reads the restored rows.
            var u = Model.InputProduct(_x);
            var h = Model.HiddenLayer(_a, u);
            if (_val is not null)
            {
                bool stop;
                using (no_grad())
                {
                    var hv = _restored is null ? h.detach() : Model.HiddenLayer(_a, u.detach() / _scale + Model.InputProduct(_restored));
                    stop = validate(new Scored(Model, Model.Propagate(_a, hv, 0, training: false), _val));
                }
                if (stop) return null;
            }
            var z = Model.Propagate(_a, h, Settings.DropoutRate, training: true);
            var loss = SquaredErrors(z, _train).mean();
            loss.backward();
            Optimizer.step();
            return loss.item<float>();
        }

        public override void Dispose()
        {
            _a.Dispose(); _x.Dispose(); _restored?.Dispose(); _train.Dispose(); _val?.Dispose();
        }
    }

    // Cluster-GCN: each step trains on the subgraph induced by a few graph-local balls drawn at random; validation
    // runs the whole-graph forward pass without gradients, as imputation does.
    private sealed class ClusterBatchRunner : EpochRunner
    {
        private readonly NormalizedAdjacency _a;
        private readonly CsrMatrix _x;
        private readonly GcnTargets _train;
        private readonly int[] _trainStarts;
        private readonly int[][] _balls;
        private readonly int[] _local;
        private readonly Random _order;
        private readonly int _ball;
        private readonly AdjacencySlice _whole;
        private readonly GcnInput _wholeInput;
        private readonly EntryTensors? _val;
        private readonly GcnInput? _restored;
        private readonly float _scale;

        internal ClusterBatchRunner(NormalizedAdjacency a, CsrMatrix x, ValidationRows? rows, GcnTargets train, GcnTargets val, BottleneckGcn model,
            optim.Optimizer optimizer, GcnTrainingSettings s, int[] order, int ball) : base(model, optimizer, s)
        {
            _a = a; _x = x; _train = train; _ball = ball;
            _trainStarts = train.CellStarts(x.Rows);
            // Balls holding no training entry would be steps without a loss.
            _balls = order.Chunk(ball).Where(b => b.Any(c => _trainStarts[c + 1] > _trainStarts[c])).ToArray();
            _local = Enumerable.Repeat(-1, x.Rows).ToArray();
            _order = new Random(s.Seed);
            var g = GcnSubgraph.Whole(a);
            _whole = g.First;
            _wholeInput = g.Input(x, s.SparseInput, s.Device).Detached();
            (_restored, _scale) = RestoredInput(g, rows, val, s);
            _val = val.Count == 0 ? null : new EntryTensors(val.Select(g.OutputCells, val.CellStarts(x.Rows)), val.FeatureCount, s.Device).Detached();
        }

        internal override int BatchCount => (_balls.Length + BallsPerBatch - 1) / BallsPerBatch;
        internal override int BatchCellCount => _ball * BallsPerBatch;
        internal override int BallCellCount => _ball;

        internal override double? Epoch(Func<Scored, bool> validate)
        {
            if (_val is not null)
            {
                using var scope = NewDisposeScope();
                bool stop;
                using (no_grad())
                {
                    var u = Model.InputProduct(_wholeInput);
                    if (_restored is not null) u = u / _scale + Model.InputProduct(_restored);
                    var h = Model.HiddenLayer(_whole, u);
                    stop = validate(new Scored(Model, Model.Propagate(_whole, h, 0, training: false), _val));
                }
                if (stop) return null;
            }
            long count = 0;
            using var epochScope = NewDisposeScope();
            // The epoch's summed squared error stays on the device until the epoch ends.
            var total = zeros(1, device: Settings.Device);
            var drawn = Enumerable.Range(0, _balls.Length).OrderBy(_ => _order.Next()).ToArray();
            for (int first = 0; first < drawn.Length; first += BallsPerBatch)
            {
                Settings.CheckAlive?.Invoke();
                using var scope = NewDisposeScope();
                var cells = drawn.Skip(first).Take(BallsPerBatch).SelectMany(b => _balls[b]).Order().ToArray();
                var g = GcnSubgraph.Induced(_a, cells, _local);
                try
                {
                    Optimizer.zero_grad();
                    using var x = g.Input(_x, Settings.SparseInput, Settings.Device);
                    using var entries = new EntryTensors(_train.Select(cells, _trainStarts), _train.FeatureCount, Settings.Device);
                    var z = Model.PropagatedHidden(g.First, g.Second, Model.InputProduct(x), Settings.DropoutRate, training: true);
                    var loss = SquaredErrors(z, entries).mean();
                    loss.backward();
                    Optimizer.step();
                    using (no_grad()) total.add_(loss.detach() * entries.Count);
                    count += entries.Count;
                }
                finally { g.First.Dispose(); }
            }
            // Every step allocates batch-sized arrays (the batch's input rows, targets and their index, tens of MB) on the
            // large-object heap, which only a full collection frees: without one per epoch the committed heap grew to
            // three times the live data (9.6 GB for 2.9 GB at 300,000 cells). Small batches leave it to the GC.
            if ((long)BatchCellCount * _x.Columns >= LargeBatchEntries) GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            Torch.NativeHeap.Trim();
            return total.item<float>() / count;
        }

        public override void Dispose()
        {
            _whole.Dispose(); _wholeInput.Dispose(); _restored?.Dispose(); _val?.Dispose();
        }
    }
}

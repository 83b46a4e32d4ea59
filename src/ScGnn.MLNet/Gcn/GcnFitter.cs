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
/// <see cref="WholeGraphEntries"/> input entries the cells are cut into balls of
/// graph-local cells (<see cref="LocalityOrder(NormalizedAdjacency, int)"/>), and each batch of training cells is trained
/// on its exact two-hop neighbourhood (<see cref="GcnSubgraph"/>), so one step's memory is bounded by the batch.</para>
/// <para>Every epoch the weights entering it are scored on the validation targets: on the whole graph from the
/// step's own hidden layer; in mini-batch mode by a pass over at most <see cref="MaxValidationCells"/> validation cells
/// (a seeded sample, the same every epoch). The kept epoch is the lowest validation loss whose paired gain over the
/// start exceeds <see cref="GcnTrainingSettings.SelectionStandardErrors"/>; training stops when the validation loss has
/// not reached a new low for <see cref="GcnTrainingSettings.Patience"/> steps (<see cref="PatienceEpochs"/>). Only the
/// per-epoch losses (and the significance test on a new low) leave the device.</para>
/// </remarks>
internal static class GcnFitter
{
    /// <summary>Cells x genes up to which training uses the whole graph (64 Mi entries: a 256 MiB float block).</summary>
    internal const long WholeGraphEntries = 1L << 26;

    /// <summary>Input entries (rows of the two-hop neighbourhood x genes) one automatic mini-batch aims at: a 128 MiB float block.</summary>
    internal const long BatchInputEntries = 1L << 25;

    /// <summary>Validation cells scored per epoch in mini-batch mode, a seeded sample when there are more.</summary>
    internal const int MaxValidationCells = 2048;

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

    /// <summary>Whether training with these settings uses the whole graph (one step per epoch).</summary>
    /// <remarks>
    /// Not by cell count: on a kNN graph the exact two-hop neighbourhood of even a compact batch of a thousand cells
    /// covers most of 100,000 cells (measured on the scale simulation), so below the memory limit a mini-batch step
    /// costs about as much as a whole-graph step.
    /// </remarks>
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
    internal static GcnFit Fit(NormalizedAdjacency adjacency, CsrMatrix x, int hidden, GcnTargets train, GcnTargets validation,
        (float[][] Coefficients, float[] Intercept)? skipStart, GcnTrainingSettings s)
    {
        if (train.Count == 0) throw new ArgumentException("No training targets.");
        int cells = x.Rows, genes = x.Columns;
        int features = skipStart?.Coefficients.Length ?? 0;
        if (train.FeatureCount != features || (validation.Count > 0 && validation.FeatureCount != features))
            throw new ArgumentException($"Targets carry {train.FeatureCount} skip features; the start has {features}.");
        var device = s.Device;
        using var scope = NewDisposeScope();
        random.manual_seed(s.Seed);
        using var generator = new Generator((ulong)s.Seed);
        var model = new BottleneckGcn(genes, hidden, generator, features);
        if (skipStart is { } start)
        {
            var init = model.ExportWeights();
            init[3] = start.Intercept;
            for (int f = 0; f < features; f++) init[4 + f] = start.Coefficients[f];
            model.ImportWeights(init);
        }
        if (s.ZeroOutputStart) model.ZeroOutputWeights();
        model.to(device);
        var optimizer = optim.Adam(model.parameters(), s.LearningRate, 0.9, 0.999, 1e-8, s.WeightDecay);

        EpochRunner run;
        if (UsesWholeGraph(cells, genes, s.BatchCells)) run = new WholeGraphRunner(adjacency, x, train, validation, model, optimizer, s);
        else
        {
            var trainStarts = train.CellStarts(cells);
            int ball, batchCells;
            if (s.BatchCells is int given)
            {
                // Balls spanning about one batch of training cells.
                int withEntries = Enumerable.Range(0, cells).Count(c => trainStarts[c + 1] > trainStarts[c]);
                (ball, batchCells) = ((int)Math.Min(cells, (long)given * cells / Math.Max(1, withEntries)), given);
            }
            else (ball, batchCells) = AutomaticBatch(adjacency, trainStarts, genes);
            run = new MiniBatchRunner(adjacency, x, train, validation, model, optimizer, s, batchCells, LocalityOrder(adjacency, ball));
        }
        int? patience = s.Patience is int steps ? PatienceEpochs(steps, run.BatchCount) : null;
        if (run.BatchCount > 1)
            s.Log?.Invoke($"ScGnn: mini-batch training, {run.BatchCount} batches of up to {run.BatchCellCount} training cells per epoch " +
                $"(exact two-hop neighbourhoods, up to {run.LargestInput} input cells); validation on {run.ValidationCellCount} cells; " +
                (patience is int pe ? $"patience {pe} epochs ({s.Patience} steps)" : "no early stop"));

        var history = new List<ScGnnEpochProgress>();
        bool hasVal = validation.Count > 0;
        Tensor? startErrors = null;
        Tensor[]? kept = null;
        double keptLoss = double.PositiveInfinity, lowest = double.PositiveInfinity;
        int keptEpoch = 0, lowestEpoch = 0;
        bool stopped = false;
        // On the CPU the step's heavy products are the custom functions' C# kernels (on .NET threads) and its TorchSharp
        // ops act on rows x hidden tensors, too small to gain from intra-op threads: the epochs run torch single-threaded.
        var torchThreads = device.type == TorchSharp.DeviceType.CPU ? TorchThreadScope.SingleThreaded() : null;
        try
        {
            for (int epoch = 1; epoch <= s.Epochs; epoch++)
            {
                s.CheckAlive?.Invoke();
                // The weights entering this epoch are those of epoch - 1.
                int t = epoch - 1;
                double valLoss = double.NaN;
                var trainLoss = run.Epoch(errors =>
                {
                    valLoss = errors.mean().item<float>();
                    if (t == 0)
                    {
                        startErrors = errors.detach().clone().DetachFromDisposeScope();
                        Keep(ref kept, model);
                        keptLoss = valLoss;
                    }
                    else if (valLoss < keptLoss && (s.SelectionStandardErrors == 0 ||
                        PairedGainInStandardErrors(startErrors!, errors) > s.SelectionStandardErrors))
                    {
                        Keep(ref kept, model);
                        keptLoss = valLoss;
                        keptEpoch = t;
                    }
                    if (valLoss < lowest) { lowest = valLoss; lowestEpoch = t; }
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
                var progress = new ScGnnEpochProgress(epoch, s.Epochs, trainLoss.Value, valLoss, keptEpoch);
                history.Add(progress);
                s.Progress?.Invoke(progress);
            }
            if (kept is not null) model.Restore(kept);
            return new GcnFit(model.ExportWeights(), history, keptEpoch, stopped, run.BatchCount);
        }
        finally
        {
            torchThreads?.Dispose();
            startErrors?.Dispose();
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
    /// The automatic mini-batch: about <see cref="BatchInputEntries"/> input entries per step. The first ball of
    /// <see cref="LocalityOrder(NormalizedAdjacency, int)"/> is measured (its training cells' exact two-hop
    /// neighbourhood) and the ball rescaled until the input is within a quarter of the aim (at most five tries): how
    /// much the neighbourhood outgrows its batch depends on the graph and the ball, so no degree rule guesses it well.
    /// </summary>
    /// <returns>Cells per ball (all cells) and training cells per batch (those of the first ball).</returns>
    internal static (int Ball, int BatchCells) AutomaticBatch(NormalizedAdjacency a, int[] trainStarts, int genes)
    {
        long aim = Math.Max(1, BatchInputEntries / Math.Max(1, genes));
        int n = a.Count;
        int ball = (int)Math.Clamp(aim / 4, Math.Min(256, n), n);
        var local = Enumerable.Repeat(-1, n).ToArray();
        int batchCells = 1;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var first = LocalityOrder(a, ball).Take(ball).Where(c => trainStarts[c + 1] > trainStarts[c]).Order().ToArray();
            batchCells = Math.Max(1, first.Length);
            long input = first.Length == 0 ? 0 : TwoHopCells(a, first, local);
            double ratio = aim / (double)Math.Max(1, input);
            if (ratio is > 0.8 and < 1.25) break;
            int next = (int)Math.Clamp(ball * ratio, Math.Min(256, n), n);
            if (next == ball) break;
            ball = next;
        }
        return (ball, batchCells);
    }

    // Rows of the input block of a batch's exact two-hop neighbourhood.
    private static int TwoHopCells(NormalizedAdjacency a, int[] batch, int[] local)
    {
        var g = GcnSubgraph.Around(a, batch, local);
        g.First.Dispose(); g.Second.Dispose();
        return g.InputCells.Length;
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
        internal virtual int LargestInput => 0;
        internal virtual int ValidationCellCount => 0;
        internal abstract double? Epoch(Func<Tensor, bool> validate);
        public virtual void Dispose() { }

        // Squared errors of the model's output at the entries.
        protected Tensor SquaredErrors(Tensor z, EntryTensors e) => Model.SquaredErrorsAt(z, e.Rows, e.Genes, e.Features, e.Values, e.Index);
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

    // The paper's full batch: Â, X and the targets live on the device for the whole fit; validation reuses X W1.
    private sealed class WholeGraphRunner : EpochRunner
    {
        private readonly AdjacencySlice _a;
        private readonly GcnInput _x;
        private readonly EntryTensors _train;
        private readonly EntryTensors? _val;

        internal WholeGraphRunner(NormalizedAdjacency a, CsrMatrix x, GcnTargets train, GcnTargets val, BottleneckGcn model,
            optim.Optimizer optimizer, GcnTrainingSettings s) : base(model, optimizer, s)
        {
            var g = GcnSubgraph.Whole(a);
            var all = g.OutputCells;
            _a = g.First;
            _x = g.Input(x, s.SparseInput, s.Device).Detached();
            _train = new EntryTensors(train.Select(all, train.CellStarts(x.Rows)), train.FeatureCount, s.Device).Detached();
            _val = val.Count == 0 ? null : new EntryTensors(val.Select(all, val.CellStarts(x.Rows)), val.FeatureCount, s.Device).Detached();
        }

        internal override int BatchCount => 1;

        internal override double? Epoch(Func<Tensor, bool> validate)
        {
            using var scope = NewDisposeScope();
            Optimizer.zero_grad();
            // The hidden layer before dropout is the same for validation and training: computed once.
            var h = Model.HiddenLayer(_a, Model.InputProduct(_x));
            if (_val is not null)
            {
                bool stop;
                using (no_grad())
                    stop = validate(SquaredErrors(Model.Propagate(_a, h.detach(), 0, training: false), _val));
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
            _a.Dispose(); _x.Dispose(); _train.Dispose(); _val?.Dispose();
        }
    }

    // Graph-local mini-batches of training cells, each on its exact two-hop neighbourhood, in a seeded random order.
    private sealed class MiniBatchRunner : EpochRunner
    {
        private readonly NormalizedAdjacency _a;
        private readonly CsrMatrix _x;
        private readonly GcnTargets _train, _val;
        private readonly int[] _trainStarts, _valStarts;
        private readonly int[][] _trainBatches, _valBatches;
        private readonly int[] _local;
        private readonly Random _order;

        private readonly int _batchCells, _largestInput, _validationCells;

        internal MiniBatchRunner(NormalizedAdjacency a, CsrMatrix x, GcnTargets train, GcnTargets val, BottleneckGcn model,
            optim.Optimizer optimizer, GcnTrainingSettings s, int batchCells, int[] order) : base(model, optimizer, s)
        {
            _a = a; _x = x; _train = train; _val = val;
            _trainStarts = train.CellStarts(x.Rows);
            _valStarts = val.CellStarts(x.Rows);
            _batchCells = batchCells;
            _trainBatches = Batches(order, _trainStarts, batchCells);
            _local = Enumerable.Repeat(-1, x.Rows).ToArray();
            _largestInput = _trainBatches.Length == 0 ? 0 : TwoHopCells(a, _trainBatches[0], _local);
            _valBatches = val.Count == 0 ? Array.Empty<int[]>()
                : ValidationBatches(a, order, _valStarts, batchCells, _largestInput, s.Seed, _local, out _validationCells);
            _order = new Random(s.Seed);
        }

        // The cells holding entries, in locality order, cut into batches of batchCells (each ascending).
        private static int[][] Batches(int[] order, int[] starts, int batchCells)
        {
            var withEntries = order.Where(c => starts[c + 1] > starts[c]).ToArray();
            return withEntries.Chunk(batchCells).Select(b => { Array.Sort(b); return b; }).ToArray();
        }

        // At most MaxValidationCells validation cells (a seeded sample, the same every epoch, so that epochs compare
        // on the same targets), in locality order, cut so that each batch's two-hop neighbourhood stays about as
        // large as a training batch's: scattered cells each bring their own neighbourhood.
        private static int[][] ValidationBatches(NormalizedAdjacency a, int[] order, int[] starts, int batchCells, int trainInput, int seed,
            int[] local, out int count)
        {
            var cells = order.Where(c => starts[c + 1] > starts[c]).ToArray();
            if (cells.Length > MaxValidationCells)
            {
                var pick = cells.Order().ToArray();
                new Random(seed ^ 0x5EED).Shuffle(pick);
                var chosen = new HashSet<int>(pick.Take(MaxValidationCells));
                cells = cells.Where(chosen.Contains).ToArray();
            }
            count = cells.Length;
            // Cells per validation batch: halved until the first batch's input is within a quarter over a training batch's.
            int per = Math.Max(1, Math.Min(batchCells, cells.Length));
            while (per > 16 && TwoHopCells(a, cells.Take(per).Order().ToArray(), local) > trainInput * 1.25)
                per /= 2;
            return cells.Chunk(per).Select(b => { Array.Sort(b); return b; }).ToArray();
        }

        internal override int BatchCount => _trainBatches.Length;
        internal override int BatchCellCount => _batchCells;
        internal override int LargestInput => _largestInput;
        internal override int ValidationCellCount => _validationCells;

        internal override double? Epoch(Func<Tensor, bool> validate)
        {
            if (_valBatches.Length > 0)
            {
                using var scope = NewDisposeScope();
                var errors = new List<Tensor>();
                using (no_grad())
                    foreach (var batch in _valBatches)
                    {
                        Settings.CheckAlive?.Invoke();
                        var (z, entries) = Forward(batch, _val, _valStarts, training: false);
                        errors.Add(SquaredErrors(z, entries));
                    }
                if (validate(cat(errors)))
                    return null;
            }
            long count = 0;
            using var epochScope = NewDisposeScope();
            // The epoch's summed squared error stays on the device until the epoch ends.
            var total = zeros(1, device: Settings.Device);
            foreach (int b in Enumerable.Range(0, _trainBatches.Length).OrderBy(_ => _order.Next()).ToArray())
            {
                Settings.CheckAlive?.Invoke();
                using var scope = NewDisposeScope();
                Optimizer.zero_grad();
                var (z, entries) = Forward(_trainBatches[b], _train, _trainStarts, training: true);
                var loss = SquaredErrors(z, entries).mean();
                loss.backward();
                Optimizer.step();
                using (no_grad()) total.add_(loss.detach() * entries.Count);
                count += entries.Count;
            }
            return total.item<float>() / count;
        }

        private (Tensor Z, EntryTensors Entries) Forward(int[] batch, GcnTargets targets, int[] starts, bool training)
        {
            var g = GcnSubgraph.Around(_a, batch, _local);
            var device = Settings.Device;
            var x = g.Input(_x, Settings.SparseInput, device);
            var entries = new EntryTensors(targets.Select(batch, starts), targets.FeatureCount, device);
            var z = Model.PropagatedHidden(g.First, g.Second, Model.InputProduct(x), Settings.DropoutRate, training);
            g.First.Dispose(); g.Second.Dispose();
            return (z, entries);
        }
    }
}

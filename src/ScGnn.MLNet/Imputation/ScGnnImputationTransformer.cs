using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Persistence;

[assembly: LoadableClass(typeof(ScGnnImputationTransformer), null, typeof(SignatureLoadModel),
    "ScGnn Imputation Transformer", ScGnnImputationTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// A fitted SCGNN imputer. <see cref="Transform"/> adds a vector column (same genes and slot names as the input) in
/// which zero entries hold the network's predictions (never negative) and observed non-zero values are kept, or
/// every entry holds the network's output when the mode is <see cref="ImputationOutputMode.Denoise"/>, or the batch's
/// input diffused over its kNN graph when it is <see cref="ImputationOutputMode.Smoothed"/> (for clustering).
/// </summary>
/// <remarks>
/// The PCA basis and the network weights are kept, so any batch of cells can be imputed: the batch gets its own
/// kNN graph in the fitted PCA space, except the very matrix the fitted graph was built on (the masked input, which
/// is the input itself only with a given mask), which reuses it. Rows are computed lazily, one block of cells at a time. Because the
/// graph needs all cells of a batch at once, this transformer cannot back a <c>PredictionEngine</c>: creating one
/// fails with an explanation; use <see cref="Transform"/> on a batch. Genes are matched by slot name; a batch whose
/// genes differ fails with the missing and extra genes listed unless <see cref="WithGeneAlignment"/> is used.
/// Saved and loaded with <c>mlContext.Model.Save/Load</c> (format in docs/persistence.md). A model fitted for
/// <see cref="ImputationOutputMode.Smoothed"/> keeps neither basis nor weights (<see cref="HasNetwork"/>).
/// </remarks>
public sealed class ScGnnImputationTransformer : ITransformer, ICanSaveModel
{
    internal const string LoaderSignature = "ScGnnImputation";
    // 0x00010002 added the skip-connection coefficients after each member's weights; 0x00010003 the flag saying the
    // graph is built on log1p of the input; 0x00010004 the output cap flag; 0x00010005 the kept epoch and the loss history;
    // 0x00010006 a flag saying whether a network follows (a model for the Smoothed output holds only its component count);
    // 0x00010007 after that, a flag saying the Smoothed output's graph scales genes to unit variance; 0x00010008 after
    // the loss history, each epoch's selection loss and the kept fraction of the kept epoch's change.
    private const uint VersionCurrent = 0x00010008;
    private const uint VersionWithSmoothingScale = 0x00010007;
    private const uint VersionWithNetworkFlag = 0x00010006;
    private const uint VersionWithHistory = 0x00010005;
    private const uint VersionWithCap = 0x00010004;
    private const uint VersionWithGraphScale = 0x00010003;
    private const uint VersionWithSkip = 0x00010002;
    private const uint VersionWithoutSkip = 0x00010001;

    /// <summary>Largest magnitude a stored weight may have; anything beyond is damage or forgery, not training.</summary>
    internal const float MaxWeight = 1e7f;

    private readonly IHost _host;
    private readonly ScGnnNetworkState _state;
    private readonly string[] _geneIds;
    private readonly Dictionary<string, int> _geneIndex;
    private readonly ScGnnDevice _device;
    private readonly bool _alignGenes;
    private readonly ScGnnFitResult? _fit;

    internal ScGnnImputationTransformer(IHostEnvironment env, ScGnnNetworkState state, string[] geneIds, string inputColumnName,
        string outputColumnName, ImputationOutputMode mode, ScGnnDevice device, ScGnnFitResult? fit, bool alignGenes = false,
        IReadOnlyList<ScGnnEpochProgress>? history = null, int bestEpoch = 0, double keptFraction = 1)
    {
        _host = env.Register(nameof(ScGnnImputationTransformer));
        if (!state.HasNetwork && mode != ImputationOutputMode.Smoothed) throw NoNetwork(mode);
        _state = state;
        _geneIds = geneIds;
        _geneIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < geneIds.Length; j++) _geneIndex[geneIds[j]] = j;
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        OutputMode = mode;
        _device = device;
        _alignGenes = alignGenes;
        // The targets are not needed after the fit; keep the graph (for Transform on these cells) and the summaries.
        _fit = fit is null ? null : fit with { TrainingTargets = MaskedEntries.Empty, ValidationTargets = MaskedEntries.Empty, TestTargets = MaskedEntries.Empty };
        // Without the elapsed times of the fit: the same history whether fitted or loaded.
        TrainingHistory = (fit?.History ?? history ?? Array.Empty<ScGnnEpochProgress>())
            .Select(p => p with { Elapsed = TimeSpan.Zero, Remaining = TimeSpan.Zero }).ToArray();
        BestEpoch = fit?.BestEpoch ?? bestEpoch;
        KeptFraction = fit?.KeptFraction ?? keptFraction;
        TestCells = fit is null ? Array.Empty<int>()
            : Enumerable.Range(0, fit.CellRoles.Length).Where(i => fit.CellRoles[i] == TrainingTargets.RoleTest).ToArray();
    }

    /// <summary>The input column this model reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The column this model adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>What the output column holds.</summary>
    public ImputationOutputMode OutputMode { get; }

    /// <summary>The genes (slot names) the model was trained on, in order.</summary>
    public IReadOnlyList<string> GeneIds => _geneIds;

    /// <summary>Train and validation loss of every epoch run (saved with the model since format 1.5; empty for older files).</summary>
    public IReadOnlyList<ScGnnEpochProgress> TrainingHistory { get; }

    /// <summary>
    /// The epoch whose weights were kept: 0 means the starting weights (with the skip connection, its per-gene
    /// least-squares fit). The library default keeps that epoch's change of the start shrunk by
    /// <see cref="KeptFraction"/>, chosen by <see cref="ScGnnEpochProgress.SelectionLoss"/>; its
    /// <see cref="ScGnnEpochProgress.ValidationLoss"/> in <see cref="TrainingHistory"/> is the unshrunk network's. The one
    /// definition used by the progress reports, logs and plots; see <see cref="ScGnnEpochProgress.BestEpoch"/>. 0 for
    /// models saved before format 1.5.
    /// </summary>
    public int BestEpoch { get; }

    /// <summary>
    /// The fraction of <see cref="BestEpoch"/>'s change of the starting weights' output that the model keeps, in [0, 1]:
    /// the output layer's weights, bias and skip coefficients moved that fraction of the way from the start, its least-squares
    /// fraction on the validation targets. 1 when the epoch is kept whole (the paper configuration, the start itself, or a
    /// change the validation targets support in full), and for models saved before format 1.8.
    /// </summary>
    public double KeptFraction { get; }

    /// <summary>
    /// Rows of the fitted input held out from the loss as test cells (<c>TestFraction</c> of the paper's protocol),
    /// ascending; empty for a loaded model or without test cells. Evaluation scores those cells' masked entries.
    /// </summary>
    public IReadOnlyList<int> TestCells { get; }

    /// <summary>Neighbours per cell in the kNN graph the model was trained with and builds for new batches.</summary>
    public int NeighborCount => _state.NeighborCount;

    /// <summary>Number of hidden (bottleneck) units; 0 without a network.</summary>
    public int HiddenUnits => _state.Hidden;

    /// <summary>
    /// Whether the model holds a PCA basis and a trained network, which <see cref="ImputationOutputMode.ImputeZeros"/> and
    /// <see cref="ImputationOutputMode.Denoise"/> read. False for a model fitted with <see cref="ImputationOutputMode.Smoothed"/>:
    /// that output builds each batch's graph in the batch's own PCA and reads no network, so none is fitted.
    /// </summary>
    public bool HasNetwork => _state.HasNetwork;

    internal ScGnnNetworkState State => _state;

    internal ScGnnFitResult? FitResult => _fit;

    /// <summary>Cells per output block; 0 picks by <see cref="ScGnnPredictor.BlockBudget"/> (tests set it small).</summary>
    internal int PredictionBlockRows { get; set; }

    /// <summary>
    /// True, though imputing a cell needs its neighbours in the same batch: so that ML.NET asks
    /// <see cref="GetRowToRowMapper"/>, which explains that and points to <see cref="Transform"/>, instead of failing
    /// with a generic "must be a row to row mapper" when a <c>PredictionEngine</c> is created on a chain holding this.
    /// </summary>
    public bool IsRowToRowMapper => true;

    /// <summary>
    /// A copy that accepts batches whose genes differ from the model's: genes are matched by slot name, genes the model
    /// lacks are passed through unchanged, and model genes absent from the batch are treated as zero.
    /// </summary>
    public ScGnnImputationTransformer WithGeneAlignment() =>
        new(_host, _state, _geneIds, InputColumnName, OutputColumnName, OutputMode, _device, _fit, alignGenes: true, TrainingHistory, BestEpoch, KeptFraction);

    /// <summary>
    /// A copy of the same fitted model that writes another output: for example the entry values
    /// (<see cref="ImputationOutputMode.ImputeZeros"/>) for analysis and <see cref="ImputationOutputMode.Smoothed"/>
    /// for clustering, from one fit. Chain both, with different column names, to get the two columns.
    /// </summary>
    /// <param name="mode">What the copy writes.</param>
    /// <param name="outputColumnName">The copy's output column; <c>null</c> keeps this model's.</param>
    /// <exception cref="InvalidOperationException">The mode reads a network and this model has none (<see cref="HasNetwork"/>).</exception>
    public ScGnnImputationTransformer WithOutputMode(ImputationOutputMode mode, string? outputColumnName = null)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown output mode.");
        if (!HasNetwork && mode != ImputationOutputMode.Smoothed) throw NoNetwork(mode);
        if (outputColumnName is not null) ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        return new(_host, _state, _geneIds, InputColumnName, outputColumnName ?? OutputColumnName, mode, _device, _fit, _alignGenes,
            TrainingHistory, BestEpoch, KeptFraction);
    }

    private static InvalidOperationException NoNetwork(ImputationOutputMode mode) => new(
        $"This ScGnn model was fitted for the Smoothed output and holds no network, which the {mode} output reads. " +
        "Fit with OutputMode ImputeZeros (the default) and call WithOutputMode(ImputationOutputMode.Smoothed) to get both outputs from one fit.");

    /// <summary>The input schema plus the output column; checks the input column and its genes first.</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var col = ExpressionSchema.GetExpressionColumn(inputSchema, InputColumnName, nameof(inputSchema));
        MapGenes(col);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(OutputColumnName, col.Type, col.Annotations);
        return builder.ToSchema();
    }

    /// <summary>Imputes a batch of cells (lazily: the graph on first read, then one block of rows at a time); see <see cref="ScGnnImputationTransformer"/>.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        return new ImputedDataView(input, schema, () => Prepare(input));
    }

    /// <summary>Not supported: the graph needs the whole batch. Use <see cref="Transform"/>.</summary>
    /// <exception cref="InvalidOperationException">Always, naming this imputer and what to do instead.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new InvalidOperationException(
            $"The ScGnn imputer (column '{InputColumnName}' -> '{OutputColumnName}') cannot back a PredictionEngine: each cell is imputed from " +
            "its neighbours in the same batch, so one row alone has no graph. Call Transform on an IDataView holding the batch of cells instead " +
            "(model.Transform(data)).");

    /// <summary>Maps input slot j to model gene index (or -1); throws listing differences unless aligning.</summary>
    private int[] MapGenes(DataViewSchema.Column col)
    {
        int size = ((VectorDataViewType)col.Type).Size;
        var names = ExpressionSchema.GetGeneIds(col);
        if (names is null)
        {
            if (size == _geneIds.Length) return Enumerable.Range(0, size).ToArray();
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Column '{col.Name}' has {size} slots without gene names; the model expects {_geneIds.Length} genes.");
        }
        var map = new int[size];
        var seen = new HashSet<int>();
        var extra = new List<string>();
        for (int j = 0; j < size; j++)
        {
            map[j] = _geneIndex.TryGetValue(names[j] ?? "", out int g) ? g : -1;
            if (map[j] < 0) extra.Add(names[j]);
            else seen.Add(map[j]);
        }
        var missing = _geneIds.Where((_, g) => !seen.Contains(g)).ToList();
        bool identical = size == _geneIds.Length && map.Select((g, j) => g == j).All(b => b);
        if (!identical && !_alignGenes && (missing.Count > 0 || extra.Count > 0))
            throw new ArgumentOutOfRangeException("inputSchema",
                $"Column '{col.Name}' genes differ from the model's: {missing.Count} missing ({Preview(missing)}), {extra.Count} extra ({Preview(extra)}). " +
                "Select the model's genes, or call WithGeneAlignment() to align by name.");
        return map;
    }

    private static string Preview(List<string> genes) =>
        genes.Count == 0 ? "none" : string.Join(", ", genes.Take(10)) + (genes.Count > 10 ? ", ..." : "");

    // Reads the batch (sparse), checks it, and prepares the graph and the hidden layers; rows follow block by block.
    private ImputationBatch Prepare(IDataView input)
    {
        var col = input.Schema[InputColumnName];
        var map = MapGenes(col);
        using var ch = _host.Start("Imputing with ScGnn");
        var monitor = new FitMonitor(_host, ch);
        ExpressionMatrix batch;
        using (var stage = monitor.Stage("reading the batch"))
        {
            batch = ExpressionMatrix.FromDataView(input, InputColumnName, null);
            stage.Done();
        }
        int cells = batch.CellCount, genes = _geneIds.Length;
        CheckValues(batch, col.Name);
        var modelInput = ToModelGenes(batch, map, genes);
        // A Transform right after Fit in the same process starts with the fit's garbage on the heap (its masked input,
        // targets and skip summaries: about 5 GB at a million cells), which the workstation GC had not collected by the
        // end of the graph below; collected here, before the batch's own graph piles on.
        if ((long)cells * genes >= GcnFitter.LargeBatchEntries)
            Torch.NativeHeap.ReleaseGarbage();
        if (cells <= _state.NeighborCount)
            monitor.Warning($"ScGnn: a batch of {cells} cells is too small for the model's graph (k = {_state.NeighborCount} neighbours needs at " +
                $"least {_state.NeighborCount + 1} cells): every cell's neighbourhood is (nearly) the whole batch. Impute it together with more cells.");
        if (OutputMode == ImputationOutputMode.Smoothed)
        {
            ClusteringOutput smoothed;
            using (var stage = monitor.Stage($"smoothing {cells} cells x {genes} genes over the cell graph (k, t and weight by molecular cross-validation)"))
            {
                smoothed = ClusteringOutput.Prepare(_state, modelInput, monitor.Info, _host.CheckAlive);
                stage.Done();
            }
            monitor.Info($"ScGnn: smoothed output with k = {smoothed.NeighborCount}, t = {smoothed.Steps}, weight {smoothed.Weight:0.0#}, graph on {smoothed.Components} PCs");
            return new ImputationBatch(batch, map, null, OutputMode, _host, smoothed);
        }
        NormalizedAdjacency? graph = _fit is { } fit && fit.Graph.Count == cells && ScGnnEngine.Fingerprint(modelInput) == fit.InputFingerprint
            ? fit.Graph : null;
        ScGnnPredictor predictor;
        using (var stage = monitor.Stage(graph is null ? $"graph and hidden layer of {cells} cells x {genes} genes" : $"hidden layer of the {cells} fitted cells (fitted graph reused)"))
        {
            predictor = ScGnnPredictor.Prepare(_state, modelInput, _device, graph, PredictionBlockRows, _host.CheckAlive);
            stage.Done();
        }
        return new ImputationBatch(batch, map, predictor, OutputMode, _host);
    }

    private static void CheckValues(ExpressionMatrix batch, string column)
    {
        for (int i = 0; i < batch.CellCount; i++)
        {
            var idx = batch.RowIndices(i); var val = batch.RowValues(i);
            for (int k = 0; k < val.Length; k++)
                if (!(val[k] >= 0) || float.IsInfinity(val[k]))
                    throw new ArgumentOutOfRangeException("input",
                        $"Column '{column}' holds {val[k]} for cell '{batch.CellIds[i]}' (row {i}), gene '{batch.GeneIds[idx[k]]}' (slot {idx[k]}): " +
                        "ScGnn imputes finite, non-negative expression values.");
        }
    }

    // The batch in the model's gene order (genes the model lacks dropped), sparse. In the model's very genes the
    // batch's arrays are shared, not copied: at a million cells each copy of the non-zeros is over a gigabyte.
    internal static CsrMatrix ToModelGenes(ExpressionMatrix batch, int[] map, int genes)
    {
        bool identity = map.Length == genes;
        for (int j = 0; identity && j < map.Length; j++) identity = map[j] == j;
        if (identity) return CsrMatrix.From(batch);
        int cells = batch.CellCount;
        var ptr = new int[cells + 1];
        for (int i = 0; i < cells; i++)
        {
            int kept = 0;
            foreach (int j in batch.RowIndices(i)) if (map[j] >= 0) kept++;
            ptr[i + 1] = ptr[i] + kept;
        }
        var cols = new int[ptr[cells]];
        var vals = new float[ptr[cells]];
        for (int i = 0; i < cells; i++)
        {
            var idx = batch.RowIndices(i); var val = batch.RowValues(i);
            int at = ptr[i];
            for (int k = 0; k < idx.Length; k++)
                if (map[idx[k]] >= 0) { cols[at] = map[idx[k]]; vals[at] = val[k]; at++; }
            // The reader stores no zeros and increasing genes; a reordering map needs each row re-sorted.
            cols.AsSpan(ptr[i], at - ptr[i]).Sort(vals.AsSpan(ptr[i], at - ptr[i]));
        }
        return new CsrMatrix(cells, genes, ptr, cols, vals);
    }

    // ---- persistence ----

    internal static readonly ModelComponentInfo Component = new("SCGNN imputation", "SCGNNIMP", LoaderSignature,
        versionWritten: VersionCurrent, versionReadable: VersionCurrent, versionWeCanReadBack: VersionWithoutSkip,
        typeof(ScGnnImputationTransformer));

    // Only what imputation needs, in float32: gene ids, the PCA basis, each network's weights; then the kept epoch
    // and the loss history (float64). Layout: docs/persistence.md.
    void ICanSaveModel.Save(ModelSaveContext ctx)
        => SavePayload(ctx);

    private void SavePayload(ModelSaveContext ctx) => ModelPayload.Save(ctx, Component, w =>
    {
        w.Write(InputColumnName);
        w.Write(OutputColumnName);
        w.Write((int)OutputMode);
        w.Write((int)_device);
        w.Write(_alignGenes);
        w.Write((int)_state.InputScale);
        w.Write(_state.GraphOnLog1p);
        w.Write(_state.CapAtObservedMaximum);
        w.Write(_state.NeighborCount);
        w.Write(_state.Hidden);
        w.WriteStringArray(_geneIds);
        w.Write(_state.HasNetwork);
        w.Write(_state.SmoothingOnScaledGenes);
        if (_state.Pca is not { } pca)
        {
            w.Write(_state.ComponentCount);
            return;
        }
        w.WriteFloatArray(pca.Mean);
        w.WriteFloatMatrix(_geneIds.Length, pca.ComponentCount, pca.Components);
        w.WriteFloatArray(pca.ExplainedVariance);
        w.Write(_state.Ensemble.Count);
        foreach (var member in _state.Ensemble)
        {
            w.WriteFloatMatrix(_geneIds.Length, _state.Hidden, member[0]);
            w.WriteFloatArray(member[1]);
            w.WriteFloatMatrix(_state.Hidden, _geneIds.Length, member[2]);
            w.WriteFloatArray(member[3]);
            w.Write(member.Length - 4);
            for (int f = 4; f < member.Length; f++) w.WriteFloatArray(member[f]);
        }
        w.Write(BestEpoch);
        w.Write(TrainingHistory.Count > 0 ? TrainingHistory[0].Epochs : 0);
        w.WriteDoubleArray(TrainingHistory.Select(p => p.TrainLoss).ToArray());
        w.WriteDoubleArray(TrainingHistory.Select(p => p.ValidationLoss).ToArray());
        w.WriteInt32Array(TrainingHistory.Select(p => p.BestEpoch).ToArray());
        w.WriteDoubleArray(TrainingHistory.Select(p => p.SelectionLoss).ToArray());
        w.Write(KeptFraction);
    });

    private static ScGnnImputationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        ModelPayload.Load(ctx, Component, (r, version) =>
        {
            string input = r.ReadNonEmptyString("input column"), output = r.ReadNonEmptyString("output column");
            var mode = (ImputationOutputMode)r.ReadInt32("output mode", 0, 2);
            var device = (ScGnnDevice)r.ReadInt32("device", 0, 2);
            bool align = r.ReadFlag("gene alignment");
            var scale = (ScGnnInputScale)r.ReadInt32("input scale", 0, 2);
            bool graphOnLog1p = version >= VersionWithGraphScale && r.ReadFlag("graph on log1p");
            bool cap = version >= VersionWithCap && r.ReadFlag("cap at observed maximum");
            int k = r.ReadInt32("neighbour count", 1, int.MaxValue);
            int hidden = r.ReadInt32("hidden units", version >= VersionWithNetworkFlag ? 0 : 1, int.MaxValue);
            var geneIds = r.ReadStringArray("gene ids");
            int genes = geneIds.Length;
            if (genes == 0) throw new InvalidDataException("the model has no genes");
            bool network = version < VersionWithNetworkFlag || r.ReadFlag("network");
            bool smoothingScaled = version >= VersionWithSmoothingScale && r.ReadFlag("smoothing on genes at unit variance");
            if (network != (hidden > 0))
                throw new InvalidDataException($"the model has {hidden} hidden units but {(network ? "a" : "no")} network");
            if (!network)
            {
                if (mode != ImputationOutputMode.Smoothed)
                    throw new InvalidDataException($"the model has no network, which its output mode {mode} reads");
                int componentCount = r.ReadInt32("PCA components", 1, int.MaxValue);
                var smoothing = ScGnnNetworkState.SmoothingOnly(genes, componentCount, k, scale, graphOnLog1p, cap, smoothingScaled);
                return new ScGnnImputationTransformer(env, smoothing, geneIds, input, output, mode, device, null, align);
            }
            var mean = Finite(r.ReadFloatArray("PCA mean", genes), "PCA mean", float.MaxValue);
            var components = Finite(r.ReadFloatMatrix("PCA basis", out _, out int comps, expectedRows: genes), "PCA basis", 1.001f);
            if (comps < 1) throw new InvalidDataException("the PCA basis has no components");
            var variance = Finite(r.ReadFloatArray("PCA variance", comps), "PCA variance", float.MaxValue);
            if (variance.Any(v => v < 0)) throw new InvalidDataException("the PCA variance has a negative entry");
            int members = r.ReadInt32("ensemble size", 1, 1000);
            bool hasSkip = version >= VersionWithSkip;
            var ensemble = new List<float[][]>();
            for (int m = 0; m < members; m++)
            {
                var weights = new List<float[]>
                {
                    Finite(r.ReadFloatMatrix("GCN weight W1", out _, out _, expectedRows: genes, expectedColumns: hidden), "GCN weight W1", MaxWeight),
                    Finite(r.ReadFloatArray("GCN bias b1", hidden), "GCN bias b1", MaxWeight),
                    Finite(r.ReadFloatMatrix("GCN weight W2", out _, out _, expectedRows: hidden, expectedColumns: genes), "GCN weight W2", MaxWeight),
                    Finite(r.ReadFloatArray("GCN bias b2", genes), "GCN bias b2", MaxWeight),
                };
                int maxSkip = Gcn.NeighborFeatures.PerHop * Gcn.NeighborFeatures.MaxHops;
                int skip = hasSkip ? r.ReadInt32("skip-connection features", 0, maxSkip) : 0;
                if (skip % Gcn.NeighborFeatures.PerHop != 0 || (m > 0 && skip != ensemble[0].Length - 4))
                    throw new InvalidDataException($"Skip connection with {skip} features in ensemble member {m}; " +
                        $"expected a multiple of {Gcn.NeighborFeatures.PerHop} up to {maxSkip}, the same for every member.");
                for (int f = 0; f < skip; f++)
                    weights.Add(Finite(r.ReadFloatArray("skip-connection coefficients", genes), "skip-connection coefficients", MaxWeight));
                ensemble.Add(weights.ToArray());
            }
            var history = new List<ScGnnEpochProgress>();
            int best = 0;
            double fraction = 1;
            if (version >= VersionWithHistory)
            {
                best = r.ReadInt32("kept epoch", 0, int.MaxValue);
                int planned = r.ReadInt32("planned epochs", 0, int.MaxValue);
                var train = r.ReadDoubleArray("training losses");
                var validation = r.ReadDoubleArray("validation losses", train.Length);
                var kept = r.ReadInt32Array("kept epochs", train.Length);
                if (train.Length > planned || best > train.Length || (train.Length > 0 && kept[^1] != best))
                    throw new InvalidDataException($"the loss history has {train.Length} epochs of {planned} planned and keeps epoch {best}");
                var selection = version >= VersionCurrent ? r.ReadDoubleArray("selection losses", train.Length) : null;
                if (version >= VersionCurrent) fraction = r.ReadDouble("kept fraction", 0, 1);
                for (int e = 0; e < train.Length; e++)
                {
                    if (kept[e] < 0 || kept[e] > e + 1) throw new InvalidDataException($"epoch {e + 1} of the loss history keeps epoch {kept[e]}");
                    history.Add(new ScGnnEpochProgress(e + 1, planned, train[e], validation[e], kept[e]) { SelectionLoss = selection?[e] ?? double.NaN });
                }
            }
            var state = new ScGnnNetworkState(new PcaProjection(mean, components, comps, variance), k, hidden, scale, ensemble, graphOnLog1p, cap)
                { SmoothingOnScaledGenes = smoothingScaled };
            return new ScGnnImputationTransformer(env, state, geneIds, input, output, mode, device, null, align, history, best, fraction);
        });

    // A stored array must hold finite values within the magnitude a fitted model can have; the checksum only says
    // the bytes are the ones saved, not that they came from training.
    private static float[] Finite(float[] values, string what, float maxMagnitude)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]) || Math.Abs(values[i]) > maxMagnitude)
                throw new InvalidDataException(string.Format(System.Globalization.CultureInfo.InvariantCulture,
                    "{0} entry {1} is {2}, not a finite value{3}", what, i, values[i],
                    maxMagnitude < float.MaxValue ? $" of magnitude at most {maxMagnitude:G3}" : ""));
        return values;
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Persistence;

[assembly: LoadableClass(typeof(ScGnnImputationTransformer), null, typeof(SignatureLoadModel),
    "ScGnn Imputation Transformer", ScGnnImputationTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// A fitted SCGNN imputer. <see cref="Transform"/> adds a vector column (same genes and slot names as the input) in
/// which zero entries hold the network's predictions (never negative) and observed non-zero values are kept, or
/// every entry holds the network's output when the mode is <see cref="ImputationOutputMode.Denoise"/>.
/// </summary>
/// <remarks>
/// The PCA basis and the network weights are kept, so any batch of cells can be imputed: the batch gets its own
/// kNN graph in the fitted PCA space. Because the graph needs all cells of a batch at once, this transformer is not
/// row-to-row: it cannot back a <c>PredictionEngine</c>; use <see cref="Transform"/> on a batch. Genes are matched
/// by slot name; a batch whose genes differ fails with the missing and extra genes listed unless
/// <see cref="WithGeneAlignment"/> is used. Saved and loaded with <c>mlContext.Model.Save/Load</c>.
/// </remarks>
public sealed class ScGnnImputationTransformer : ITransformer, ICanSaveModel
{
    internal const string LoaderSignature = "ScGnnImputation";
    // 0x00010002 added the skip-connection coefficients after each member's weights;
    // 0x00010003 the flag saying the graph is built on log1p of the input; 0x00010004 the output cap flag.
    private const uint VersionCurrent = 0x00010004;
    private const uint VersionWithGraphScale = 0x00010003;
    private const uint VersionWithSkip = 0x00010002;
    private const uint VersionWithoutSkip = 0x00010001;

    private readonly IHost _host;
    private readonly ScGnnNetworkState _state;
    private readonly string[] _geneIds;
    private readonly Dictionary<string, int> _geneIndex;
    private readonly ScGnnDevice _device;
    private readonly bool _alignGenes;

    internal ScGnnImputationTransformer(IHostEnvironment env, ScGnnNetworkState state, string[] geneIds, string inputColumnName,
        string outputColumnName, ImputationOutputMode mode, ScGnnDevice device, ScGnnFitResult? fit, bool alignGenes = false)
    {
        _host = env.Register(nameof(ScGnnImputationTransformer));
        _state = state;
        _geneIds = geneIds;
        _geneIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < geneIds.Length; j++) _geneIndex[geneIds[j]] = j;
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        OutputMode = mode;
        _device = device;
        _alignGenes = alignGenes;
        TrainingHistory = fit?.History ?? Array.Empty<ScGnnEpochProgress>();
        FitResult = fit;
    }

    /// <summary>The input column this model reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The column this model adds.</summary>
    public string OutputColumnName { get; }

    /// <summary>What the output column holds.</summary>
    public ImputationOutputMode OutputMode { get; }

    /// <summary>The genes (slot names) the model was trained on, in order.</summary>
    public IReadOnlyList<string> GeneIds => _geneIds;

    /// <summary>Train and validation loss of every epoch of the first ensemble member (empty for a loaded model).</summary>
    public IReadOnlyList<ScGnnEpochProgress> TrainingHistory { get; }

    /// <summary>The epoch whose weights were kept (lowest validation loss), or 0 for a loaded model.</summary>
    public int BestEpoch => TrainingHistory.Count == 0 ? 0 : TrainingHistory[^1].BestEpoch;

    /// <summary>Neighbours per cell in the kNN graph the model was trained with and builds for new batches (after
    /// <see cref="ScGnnOptions.SelectNeighborCount"/>, if that was on).</summary>
    public int NeighborCount => _state.NeighborCount;

    /// <summary>Number of hidden (bottleneck) units.</summary>
    public int HiddenUnits => _state.Hidden;

    internal ScGnnNetworkState State => _state;

    internal ScGnnFitResult? FitResult { get; }

    /// <summary>Always false: imputing a cell needs its neighbours in the same batch.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>
    /// A copy that accepts batches whose genes differ from the model's: genes are matched by slot name, genes the model
    /// lacks are passed through unchanged, and model genes absent from the batch are treated as zero.
    /// </summary>
    public ScGnnImputationTransformer WithGeneAlignment() =>
        new(_host, _state, _geneIds, InputColumnName, OutputColumnName, OutputMode, _device, FitResult, alignGenes: true);

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

    /// <summary>Imputes a batch of cells (lazily, on first read); see <see cref="ScGnnImputationTransformer"/>.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        return new ImputedDataView(input, schema, () => Impute(input));
    }

    /// <summary>Not supported: the graph needs the whole batch. Use <see cref="Transform"/>.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        throw new InvalidOperationException(
            "ScGnn imputation is not row-to-row: each cell is imputed from its neighbours in the same batch, so it cannot back a " +
            "PredictionEngine. Call Transform on an IDataView holding the batch of cells instead.");

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

    private float[] Impute(IDataView input)
    {
        var col = input.Schema[InputColumnName];
        var map = MapGenes(col);
        var batch = ExpressionMatrix.FromDataView(input, InputColumnName, null);
        int cells = batch.CellCount, genes = _geneIds.Length, size = batch.GeneCount;
        var modelInput = new float[(long)cells * genes];
        for (int i = 0; i < cells; i++)
        {
            var idx = batch.RowIndices(i); var val = batch.RowValues(i);
            for (int k = 0; k < idx.Length; k++)
                if (map[idx[k]] >= 0) modelInput[(long)i * genes + map[idx[k]]] = val[k];
        }
        using var ch = _host.Start("Imputing with ScGnn");
        ch.Info("Imputing {0} cells x {1} genes", cells, genes);
        var predicted = ScGnnPredictor.Predict(_state, modelInput, cells, _device);

        var output = new float[(long)cells * size];
        for (int i = 0; i < cells; i++)
        {
            var idx = batch.RowIndices(i); var val = batch.RowValues(i);
            var row = output.AsSpan((int)((long)i * size), size);
            for (int j = 0; j < size; j++)
                if (map[j] >= 0) row[j] = Math.Max(0f, predicted[(long)i * genes + map[j]]);
            // Observed values are kept (ImputeZeros), and genes the model lacks always pass through unchanged.
            for (int k = 0; k < idx.Length; k++)
                if (map[idx[k]] < 0 || (OutputMode == ImputationOutputMode.ImputeZeros && val[k] != 0)) row[idx[k]] = val[k];
        }
        return output;
    }

    // ---- persistence ----

    internal static readonly ModelComponentInfo Component = new("SCGNN imputation", "SCGNNIMP", LoaderSignature,
        versionWritten: VersionCurrent, versionReadable: VersionCurrent, versionWeCanReadBack: VersionWithoutSkip,
        typeof(ScGnnImputationTransformer));

    // Only what imputation needs, in float32: gene ids, the PCA basis, and each ensemble member's weights.
    void ICanSaveModel.Save(ModelSaveContext ctx) => ModelPayload.Save(ctx, Component, w =>
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
        var pca = _state.Pca;
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
    });

    private static ScGnnImputationTransformer Create(IHostEnvironment env, ModelLoadContext ctx) =>
        ModelPayload.Load(ctx, Component, r =>
        {
            string input = r.ReadNonEmptyString("input column"), output = r.ReadNonEmptyString("output column");
            var mode = (ImputationOutputMode)r.ReadInt32("output mode", 0, 1);
            var device = (ScGnnDevice)r.ReadInt32("device", 0, 2);
            bool align = r.ReadFlag("gene alignment");
            var scale = (ScGnnInputScale)r.ReadInt32("input scale", 0, 2);
            bool graphOnLog1p = ctx.Header.ModelVerWritten >= VersionWithGraphScale && r.ReadFlag("graph on log1p");
            bool cap = ctx.Header.ModelVerWritten >= VersionCurrent && r.ReadFlag("cap at observed maximum");
            int k = r.ReadInt32("neighbour count", 1, int.MaxValue);
            int hidden = r.ReadInt32("hidden units", 1, int.MaxValue);
            var geneIds = r.ReadStringArray("gene ids");
            int genes = geneIds.Length;
            var mean = r.ReadFloatArray("PCA mean", genes);
            var components = r.ReadFloatMatrix("PCA basis", out _, out int comps, expectedRows: genes);
            var variance = r.ReadFloatArray("PCA variance", comps);
            int members = r.ReadInt32("ensemble size", 1, 1000);
            bool hasSkip = ctx.Header.ModelVerWritten >= VersionWithSkip;
            var ensemble = new List<float[][]>();
            for (int m = 0; m < members; m++)
            {
                var weights = new List<float[]>
                {
                    r.ReadFloatMatrix("GCN weight W1", out _, out _, expectedRows: genes, expectedColumns: hidden),
                    r.ReadFloatArray("GCN bias b1", hidden),
                    r.ReadFloatMatrix("GCN weight W2", out _, out _, expectedRows: hidden, expectedColumns: genes),
                    r.ReadFloatArray("GCN bias b2", genes),
                };
                int maxSkip = Gcn.NeighborFeatures.PerHop * Gcn.NeighborFeatures.MaxHops;
                int skip = hasSkip ? r.ReadInt32("skip-connection features", 0, maxSkip) : 0;
                if (skip % Gcn.NeighborFeatures.PerHop != 0 || (m > 0 && skip != ensemble[0].Length - 4))
                    throw new InvalidDataException($"Skip connection with {skip} features in ensemble member {m}; " +
                        $"expected a multiple of {Gcn.NeighborFeatures.PerHop} up to {maxSkip}, the same for every member.");
                for (int f = 0; f < skip; f++) weights.Add(r.ReadFloatArray("skip-connection coefficients", genes));
                ensemble.Add(weights.ToArray());
            }
            var state = new ScGnnNetworkState(new PcaProjection(mean, components, comps, variance), k, hidden, scale, ensemble, graphOnLog1p, cap);
            return new ScGnnImputationTransformer(env, state, geneIds, input, output, mode, device, null, align);
        });
}

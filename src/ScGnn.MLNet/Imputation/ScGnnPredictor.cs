using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Paper step 5, prediction, for one batch of cells: the batch's graph in the fitted PCA space (or the fitted graph
/// itself, for the cells the model was fitted on), each network's hidden layer for every cell, and then the output
/// one block of cells at a time (<see cref="PredictRows"/>), capped at each gene's largest observed value in the
/// batch when the model says so. Holds the batch sparse; dense arrays are one block in size.
/// </summary>
internal sealed class ScGnnPredictor
{
    /// <summary>Dense floats per block (block rows x genes): 4 M, 16 MB per array.</summary>
    internal const long BlockBudget = 1L << 22;

    private readonly ScGnnNetworkState _state;
    private readonly Device _device;
    private readonly NormalizedAdjacency _adjacency;
    private readonly CsrMatrix _skipInput;
    private readonly float[][] _z;
    private readonly float[]? _geneMax;

    private ScGnnPredictor(ScGnnNetworkState state, Device device, NormalizedAdjacency adjacency, CsrMatrix skipInput, float[][] z,
        float[]? geneMax, int blockRows)
    {
        _state = state;
        _device = device;
        _adjacency = adjacency;
        _skipInput = skipInput;
        _z = z;
        _geneMax = geneMax;
        BlockRows = blockRows;
        Cells = adjacency.Count;
    }

    /// <summary>Cells of the batch.</summary>
    internal int Cells { get; }

    /// <summary>Genes of the model.</summary>
    internal int Genes => _state.GeneCount;

    /// <summary>Cells per block of <see cref="PredictRows"/> calls that keep dense arrays within <see cref="BlockBudget"/>.</summary>
    internal int BlockRows { get; }

    /// <summary>
    /// Prepares a batch: its graph (unless <paramref name="graph"/> is given: the fitted graph of these very cells),
    /// and every network's hidden layer.
    /// </summary>
    /// <param name="state">The fitted model.</param>
    /// <param name="x">The batch in the model's genes (observed values, not log-scaled).</param>
    /// <param name="deviceOption">Device.</param>
    /// <param name="graph">The fitted graph to reuse, or null to build the batch's own.</param>
    /// <param name="blockRows">Cells per block; 0 picks by <see cref="BlockBudget"/>.</param>
    /// <param name="checkAlive">Called inside the graph's neighbour search (throws to cancel).</param>
    internal static ScGnnPredictor Prepare(ScGnnNetworkState state, CsrMatrix x, ScGnnDevice deviceOption, NormalizedAdjacency? graph = null,
        int blockRows = 0, Action? checkAlive = null)
    {
        int cells = x.Rows, genes = state.GeneCount;
        if (x.Columns != genes) throw new ArgumentException($"Input has {x.Columns} genes; the model has {genes}.");
        if (cells < 2) throw new ArgumentException($"Imputation needs at least 2 cells to build a graph; got {cells}.");
        if (graph is not null && graph.Count != cells) throw new ArgumentException("The fitted graph does not match the batch.");
        TorchRuntime.EnsureInitialized();
        var device = DeviceSelection.Resolve(deviceOption);
        if (blockRows <= 0) blockRows = (int)Math.Clamp(BlockBudget / Math.Max(1, genes), 1, cells);
        var scaled = ScaledInputs.Of(x, state.GraphOnLog1p, state.InputScale);
        var pca = state.Pca ?? throw new InvalidOperationException("The model holds no network (it was fitted for the Smoothed output only).");
        var adjacency = graph ?? CellGraph.Build(pca, scaled.Graph, state.NeighborCount, ScGnnEngine.GraphSeed, checkAlive: checkAlive);
        // The same log1p as in training (ScaledInputs), not torch's, so train and predict read identical features.
        var z = state.Ensemble.Select(w => GcnForward.PropagatedHidden(w, state.Hidden, adjacency, scaled.Network, blockRows, device)).ToArray();
        return new ScGnnPredictor(state, device, adjacency, scaled.Skip, z, state.CapAtObservedMaximum ? GeneMaxima(x) : null, blockRows);
    }

    /// <summary>The raw network output (input scale undone, capped when the model caps) for rows <c>[start, start + count)</c>.</summary>
    internal float[] PredictRows(int start, int count)
    {
        int genes = _state.GeneCount;
        // Members share the feature count: NeighborFeatures.PerHop per hop after the four GCN arrays.
        int skipCount = _state.Ensemble[0].Length - 4;
        var skip = skipCount > 0 ? NeighborFeatures.ComputeRows(_adjacency, _skipInput, start, count, skipCount / NeighborFeatures.PerHop) : null;
        var result = GcnForward.OutputRows(_state.Ensemble, _z, _state.Hidden, genes, start, count, skip,
            expm1: _state.InputScale == ScGnnInputScale.Log1p, _device);
        if (_geneMax is not null) CapAtGeneMaximum(result, _geneMax, count, genes);
        return result;
    }

    /// <summary>The whole batch's output (cells x genes): small batches and tests only.</summary>
    internal static float[] Predict(ScGnnNetworkState state, CsrMatrix x, ScGnnDevice deviceOption = ScGnnDevice.Auto)
    {
        var p = Prepare(state, x, deviceOption);
        return p.PredictRows(0, p.Cells);
    }

    /// <summary>Each gene's largest value in <paramref name="x"/> (0 for genes it never expresses).</summary>
    internal static float[] GeneMaxima(CsrMatrix x)
    {
        var max = new float[x.Columns];
        for (int k = 0; k < x.Values.Length; k++)
            if (x.Values[k] > max[x.ColumnIndices[k]]) max[x.ColumnIndices[k]] = x.Values[k];
        return max;
    }

    // A dropout hides a value the gene takes elsewhere; above the batch's largest observed value is extrapolation.
    internal static void CapAtGeneMaximum(float[] output, float[] max, int rows, int genes)
    {
        for (int i = 0; i < rows; i++)
        {
            var row = output.AsSpan(i * genes, genes);
            for (int j = 0; j < genes; j++) if (row[j] > max[j]) row[j] = max[j];
        }
    }
}

using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Paper step 5, prediction: a batch's graph in the fitted PCA space, its skip features, and the fitted networks'
/// output on it, capped at each gene's largest observed value when the model says so.
/// </summary>
internal static class ScGnnPredictor
{
    /// <summary>Runs a fitted model on a dense row-major matrix; returns the raw network output (cells x genes, input scale undone).</summary>
    internal static float[] Predict(ScGnnNetworkState state, float[] x, int cells, ScGnnDevice deviceOption = ScGnnDevice.Auto)
    {
        int genes = state.GeneCount;
        if (x.Length != (long)cells * genes) throw new ArgumentException("Input size does not match the model's genes.");
        if (cells < 2) throw new ArgumentException($"Imputation needs at least 2 cells to build a graph; got {cells}.");
        TorchRuntime.EnsureInitialized();
        var device = DeviceSelection.Resolve(deviceOption);
        var scaled = ScaledInputs.Of(x, state.GraphOnLog1p, state.InputScale);
        var adjacency = CellGraph.Build(state.Pca, CsrMatrix.FromDense(scaled.Graph, cells, genes), state.NeighborCount, seed: 0);
        // Members share the feature count: NeighborFeatures.PerHop per hop after the four GCN arrays.
        int skipCount = state.Ensemble[0].Length - 4;
        float[][]? skip = skipCount > 0
            ? NeighborFeatures.Compute(adjacency, scaled.Skip, cells, genes, skipCount / NeighborFeatures.PerHop)
            : null;
        // The same log1p as in training (ScaledInputs), not torch's, so train and predict read identical features.
        var result = GcnForward.Predict(state.Ensemble, state.Hidden, adjacency, scaled.Network, skip, cells, genes,
            expm1: state.InputScale == ScGnnInputScale.Log1p, device);
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
}

using ScGnn.MLNet.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Paper step 5, the network's forward pass for imputation: the fitted networks' full output on one batch of cells,
/// averaged over the ensemble members, with the skip connection's terms added.
/// </summary>
internal static class GcnForward
{
    /// <summary>The mean output of <paramref name="ensemble"/> (cells x genes, row-major).</summary>
    /// <param name="ensemble">Weight sets in <see cref="GcnFit.Weights"/> order.</param>
    /// <param name="hidden">Bottleneck units.</param>
    /// <param name="adjacency">The batch's normalized adjacency.</param>
    /// <param name="features">The network's input on its scale (cells x genes).</param>
    /// <param name="skip">The skip features (cells x genes each), or null when the members have no skip coefficients.</param>
    /// <param name="cells">Cells.</param>
    /// <param name="genes">Genes.</param>
    /// <param name="expm1">Map each member's output back from log1p (the <c>Log1p</c> scale).</param>
    /// <param name="device">Device.</param>
    internal static float[] Predict(IReadOnlyList<float[][]> ensemble, int hidden, NormalizedAdjacency adjacency, float[] features,
        float[][]? skip, int cells, int genes, bool expm1, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var adj = ToTorch(adjacency, device);
        var xt = tensor(features, cells, genes).to(device);
        using var generator = new Generator(0);
        var skipTensors = skip?.Select(f => tensor(f, cells, genes).to(device)).ToArray();
        Tensor? sum = null;
        foreach (var weights in ensemble)
        {
            var model = new BottleneckGcn(genes, hidden, generator);
            model.ImportWeights(weights);
            model.to(device);
            model.eval();
            var output = model.Output(model.PropagatedHidden(adj, xt, 0, training: false));
            for (int f = 4; f < weights.Length; f++)
                output = output + skipTensors![f - 4] * tensor(weights[f]).to(device);
            if (expm1) output = output.expm1();
            sum = sum is null ? output : sum + output;
        }
        var mean = sum! / ensemble.Count;
        return mean.cpu().contiguous().data<float>().ToArray();
    }

    private static Tensor ToTorch(NormalizedAdjacency a, Device device)
    {
        var rows = new long[a.Columns.Length];
        for (int i = 0; i < a.Count; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) rows[k] = i;
        var indices = stack(new[] { tensor(rows), tensor(a.Columns.Select(c => (long)c).ToArray()) });
        return sparse_coo_tensor(indices, tensor(a.Values), new long[] { a.Count, a.Count }).to(device);
    }
}

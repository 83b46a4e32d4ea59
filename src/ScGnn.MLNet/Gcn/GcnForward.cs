using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Paper step 5, the network's forward pass for imputation, in row blocks: the propagated hidden layer
/// <c>Z = Â relu(Â X W1 + b1)</c> of every cell (cells x hidden, small), then the output
/// <c>Z W2 + b2</c> plus the skip connection's terms one block of cells at a time, so that no dense cells x genes
/// array of the whole batch exists. With one block the arithmetic is that of the whole-batch product.
/// </summary>
internal static class GcnForward
{
    /// <summary>
    /// Z of one network (row-major cells x hidden). X is read in
    /// dense row blocks of <paramref name="blockRows"/>.
    /// </summary>
    /// <param name="weights">W1, b1, W2, b2, then skip coefficients (<see cref="GcnFit.Weights"/> order).</param>
    /// <param name="hidden">Bottleneck units.</param>
    /// <param name="adjacency">The batch's normalized adjacency.</param>
    /// <param name="x">The network's input on its scale (cells x genes).</param>
    /// <param name="blockRows">Rows of X densified at a time.</param>
    /// <param name="device">Device.</param>
    internal static float[] PropagatedHidden(float[][] weights, int hidden, NormalizedAdjacency adjacency, CsrMatrix x, int blockRows, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int cells = x.Rows, genes = x.Columns;
        var w1 = tensor(weights[0], genes, hidden).to(device);
        var parts = new List<Tensor>();
        for (int start = 0; start < cells; start += blockRows)
        {
            int count = Math.Min(blockRows, cells - start);
            parts.Add(tensor(x.ToDense(start, count), count, genes).to(device).mm(w1));
        }
        var u = parts.Count == 1 ? parts[0] : cat(parts, 0);
        var adj = ToTorch(adjacency, device);
        var b1 = tensor(weights[1]).to(device);
        return adj.mm(nn.functional.relu(adj.mm(u) + b1)).cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>
    /// The mean over <paramref name="ensemble"/> of each network's output for rows <c>[start, start + count)</c>
    /// (count x genes, row-major).
    /// </summary>
    /// <param name="ensemble">Weight sets in <see cref="GcnFit.Weights"/> order.</param>
    /// <param name="z">Each member's <see cref="PropagatedHidden"/>.</param>
    /// <param name="hidden">Columns of each member's Z: the bottleneck units.</param>
    /// <param name="genes">Genes.</param>
    /// <param name="start">First row.</param>
    /// <param name="count">Rows.</param>
    /// <param name="skip">The skip features of these rows (count x genes each), or null when the members have none.</param>
    /// <param name="expm1">Map each member's output back from log1p (the <c>Log1p</c> scale).</param>
    /// <param name="device">Device.</param>
    internal static float[] OutputRows(IReadOnlyList<float[][]> ensemble, IReadOnlyList<float[]> z, int hidden, int genes, int start, int count,
        float[][]? skip, bool expm1, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var skipTensors = skip?.Select(f => tensor(f, count, genes).to(device)).ToArray();
        Tensor? sum = null;
        for (int m = 0; m < ensemble.Count; m++)
        {
            var weights = ensemble[m];
            var zt = tensor(z[m].AsSpan(start * hidden, count * hidden).ToArray(), count, hidden).to(device);
            var output = zt.mm(tensor(weights[2], hidden, genes).to(device)) + tensor(weights[3]).to(device);
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

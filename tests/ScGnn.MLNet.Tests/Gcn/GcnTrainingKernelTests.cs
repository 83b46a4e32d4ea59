using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The hand-derived gradients of the training kernel equal TorchSharp autograd on the same network.</summary>
[Collection(TorchCollection.Name)]
public sealed class GcnTrainingKernelTests
{
    private const int Cells = 9, Genes = 7, Hidden = 3;

    private static (float[] X, NormalizedAdjacency A) Problem()
    {
        var rng = new Random(3);
        var x = new float[Cells * Genes];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() < 0.4 ? 0f : (float)(rng.NextDouble() * 5);
        var neighbors = Enumerable.Range(0, Cells).Select(i => new[] { (i + 1) % Cells, (i + 3) % Cells }).ToArray();
        return (x, NormalizedAdjacency.FromNeighbors(neighbors));
    }

    private static Tensor Dense(NormalizedAdjacency a)
    {
        var d = new float[a.Count * a.Count];
        for (int i = 0; i < a.Count; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) d[i * a.Count + a.Columns[k]] = a.Values[k];
        return tensor(d, a.Count, a.Count);
    }

    private static GcnInput Input(float[] x, string kind) => kind switch
    {
        "sparse" => new SparseGcnInput(x, Cells, Genes),
        "blocked" when BlockedGcnInput.IsSupported => new BlockedGcnInput(x, Cells, Genes),
        _ => new DenseGcnInput(x, Cells, Genes, CPU),
    };

    [Theory]
    [InlineData(false, "dense", false)]
    [InlineData(true, "dense", false)]
    [InlineData(false, "sparse", false)]
    [InlineData(true, "sparse", false)]
    [InlineData(false, "blocked", false)]
    [InlineData(true, "blocked", false)]
    [InlineData(false, "blocked", true)]
    [InlineData(true, "sparse", true)]
    public void Gradients_match_autograd(bool maskedInput, string kind, bool skipConnection)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, a) = Problem();
        int[] cells = { 0, 0, 2, 4, 5, 8 };
        int[] genes = { 1, 3, 0, 6, 2, 4 };
        // Targets take the input's values (fresh-mask case) or arbitrary values (fixed-mask case).
        var values = cells.Select((c, e) => maskedInput ? x[c * Genes + genes[e]] : 1.5f + e).ToArray();
        if (maskedInput)
            for (int e = 0; e < cells.Length; e++)
                if (values[e] == 0) { values[e] = 2f; x[cells[e] * Genes + genes[e]] = 2f; }

        using var gen = new Generator(11);
        using var model = new BottleneckGcn(Genes, Hidden, gen);
        var init = model.ExportWeights();
        using var input = Input(x, kind);
        // Skip features: fixed arbitrary cells x genes arrays with non-zero starting coefficients.
        var rng = new Random(9);
        float[][]? features = skipConnection
            ? Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, Cells * Genes).Select(_ => (float)rng.NextDouble() * 3).ToArray()).ToArray()
            : null;
        var coefficients = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, Genes).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray()).ToArray();
        var kernelInit = skipConnection ? init.Concat(coefficients).ToArray() : init;
        using var kernel = new GcnTrainingKernel(input, a, Hidden, kernelInit, dropout: 0, learningRate: 0.01, weightDecay: 0, seed: 1, features);
        kernel.Step(cells, genes, values, maskedInput, Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>());

        // Autograd reference: the input with the targets zeroed when they are masked for this epoch.
        var xin = (float[])x.Clone();
        if (maskedInput) for (int e = 0; e < cells.Length; e++) xin[cells[e] * Genes + genes[e]] = 0;
        var z = model.PropagatedHidden(Dense(a), tensor(xin, Cells, Genes), 0, training: false);
        var ct = tensor(cells.Select(c => (long)c).ToArray()); var gt = tensor(genes.Select(g => (long)g).ToArray());
        var pred = model.OutputAt(z, ct, gt);
        var skip = coefficients.Select(c => tensor(c).requires_grad_()).ToArray();
        if (skipConnection)
            for (int f = 0; f < 2; f++)
                pred = pred + skip[f].index_select(0, gt) * tensor(features![f], Cells, Genes).index_select(0, ct).gather(1, gt.unsqueeze(1)).squeeze(1);
        var loss = nn.functional.mse_loss(pred, tensor(values));
        loss.backward();
        var grads = model.parameters().Select(p => p.grad!.contiguous().data<float>().ToArray()).ToArray();
        if (skipConnection)
            for (int f = 0; f < 2; f++) AssertClose(skip[f].grad!.data<float>().ToArray(), kernel.GradSkip[f]);
        else Assert.Empty(kernel.GradSkip);

        AssertClose(grads[0], kernel.GradW1);
        AssertClose(grads[1], kernel.GradB1);
        AssertClose(grads[2], GcnTrainingKernel.Transpose(kernel.GradW2t, Genes, Hidden));
        AssertClose(grads[3], kernel.GradB2);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("sparse")]
    [InlineData("blocked")]
    public void Adam_step_matches_TorchSharp_Adam_with_weight_decay(string kind)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, a) = Problem();
        int[] cells = { 1, 3, 7 }; int[] genes = { 2, 5, 0 }; float[] values = { 3f, 1f, 4f };
        using var gen = new Generator(5);
        using var model = new BottleneckGcn(Genes, Hidden, gen);
        using var input = Input(x, kind);
        using var kernel = new GcnTrainingKernel(input, a, Hidden, model.ExportWeights(), 0, 0.003, 5e-4, 1);
        var opt = optim.Adam(model.parameters(), lr: 0.003, weight_decay: 5e-4);
        var adj = Dense(a);
        var ct = tensor(cells.Select(c => (long)c).ToArray()); var gt = tensor(genes.Select(g => (long)g).ToArray());
        for (int step = 0; step < 5; step++)
        {
            kernel.Step(cells, genes, values, false, Array.Empty<int>(), Array.Empty<int>(), Array.Empty<float>());
            opt.zero_grad();
            var loss = nn.functional.mse_loss(model.OutputAt(model.PropagatedHidden(adj, tensor(x, Cells, Genes), 0, false), ct, gt), tensor(values));
            loss.backward();
            opt.step();
        }
        var expected = model.ExportWeights();
        var actual = kernel.ExportWeights();
        for (int p = 0; p < 4; p++) AssertClose(expected[p], actual[p], 1e-5);
    }

    private static void AssertClose(float[] expected, float[] actual, double tol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"index {i}: expected {expected[i]}, got {actual[i]}");
    }
}

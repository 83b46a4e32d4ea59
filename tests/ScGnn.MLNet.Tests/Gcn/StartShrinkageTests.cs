using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>Shrinking a trained epoch toward the start: the fraction, its cross-fitting, and the network it gives.</summary>
[Collection(TorchCollection.Name)]
public sealed class StartShrinkageTests
{
    public StartShrinkageTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(10, 20, 0.5)]
    [InlineData(-3, 20, 0)]
    [InlineData(30, 20, 1)]
    [InlineData(5, 0, 0)]
    public void Alpha_is_the_clipped_least_squares_fraction(double sumRd, double sumDd, double expected) =>
        Assert.Equal(expected, StartShrinkage.Alpha(sumRd, sumDd), 12);

    [Fact]
    public void Each_half_is_scored_with_the_other_halfs_fraction()
    {
        using var scope = NewDisposeScope();
        // Start 0, epoch 2 everywhere. First half: targets 1, 1, so alpha 4 / 8 = 0.5; second half: targets 3, 3, alpha
        // 12 / 8 = 1.5, clipped to 1; all four: 16 / 16 = 1.
        var start = zeros(4);
        var now = full(4, 2f);
        var values = tensor(new float[] { 1, 1, 3, 3 });
        var first = tensor(new[] { true, true, false, false });
        var (alpha, errors) = StartShrinkage.Fit(start, now, values, first);
        Assert.Equal(1, alpha, 12);
        // First half with alpha 1: (1 - 2)² = 1; second half with alpha 0.5: (3 - 1)² = 4.
        Assert.Equal(new float[] { 1, 1, 4, 4 }, errors.data<float>().ToArray());
    }

    [Fact]
    public void The_shrunk_network_outputs_the_start_plus_alpha_times_its_change()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p = new GcnProblem(features: true);
        using var gen = new Generator(7);
        using var model = new BottleneckGcn(p.Genes, 3, gen, 2);
        model.ZeroOutputWeights();
        var startWeights = model.Snapshot();
        var start = Outputs(model, p);
        // Every parameter moves, W1 and b1 included.
        foreach (var w in model.parameters()) w.add_(randn(w.shape, generator: gen) * 0.3);
        var moved = Outputs(model, p);
        model.ShrinkOutputLayerTowards(startWeights, 0.3);
        var shrunk = Outputs(model, p);
        var expected = start + 0.3 * (moved - start);
        Assert.True((shrunk - expected).abs().max().item<float>() < 1e-4f);
        Assert.True((moved - start).abs().max().item<float>() > 0.1f);
        foreach (var k in startWeights) k.Dispose();
    }

    private static Tensor Outputs(BottleneckGcn model, GcnProblem p)
    {
        var g = GcnSubgraph.Whole(p.Adjacency);
        var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(p.Input, false, CPU)), 0, training: false);
        var e = p.Validation.Select(g.OutputCells, p.Validation.CellStarts(p.Cells));
        return model.OutputAt(z, tensor(e.Rows), tensor(e.Genes), tensor(e.Features!, e.Rows.Length, 2));
    }
}

using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Tests.Imputation;
using ScGnn.MLNet.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>Root weights: each layer also reads the cell's own row, <c>relu(Â X W1 + X W1r + b1)</c> and <c>Â H W2 + H W2r + b2</c>.</summary>
[Collection(TorchCollection.Name)]
public sealed class RootWeightsTests
{
    public RootWeightsTests() => TorchRuntime.EnsureInitialized();

    // Two cells joined by one edge: Â = D^-1/2 (A + I) D^-1/2 is 0.5 everywhere. X = [[1, 0], [0, 2]], D = 1,
    // W1 = [1, 1]ᵀ, W1r = [2, 0]ᵀ, W2 = [1, 1], W2r = [3, 0], biases 0:
    // X W1 = [1, 2]ᵀ, Â X W1 = [1.5, 1.5]ᵀ, X W1r = [2, 0]ᵀ, H = [3.5, 1.5]ᵀ, Â H = [2.5, 2.5]ᵀ,
    // output = Â H W2 + H W2r = [[2.5 + 10.5, 2.5], [2.5 + 4.5, 2.5]] = [[13, 2.5], [7, 2.5]].
    private static readonly float[][] Weights =
    {
        new float[] { 1, 2, 1, 0 }, // [W1 | W1r], genes x 2D
        new float[] { 0 },
        new float[] { 1, 1, 3, 0 }, // [W2; W2r], 2D x genes
        new float[] { 0, 0 },
    };

    private static readonly float[] Expected = { 13, 2.5f, 7, 2.5f };

    private static NormalizedAdjacency Pair() => NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0 } });

    private static CsrMatrix Input() => CsrMatrix.FromDense(new float[] { 1, 0, 0, 2 }, 2, 2);

    [Fact]
    public void The_training_module_reads_each_cell_s_own_row_at_full_weight()
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(0);
        using var model = new BottleneckGcn(2, 1, gen, rootWeights: true);
        model.ImportWeights(Weights);
        var g = GcnSubgraph.Whole(Pair());
        var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.Input(Input(), false, CPU)), 0, training: false);
        Assert.Equal(new long[] { 2, 2 }, z.shape);
        var output = model.OutputAt(z, tensor(new long[] { 0, 0, 1, 1 }), tensor(new long[] { 0, 1, 0, 1 }), null).data<float>().ToArray();
        for (int e = 0; e < 4; e++) Assert.Equal(Expected[e], output[e], 4);
        // The exported weights are the imported ones.
        var exported = model.ExportWeights();
        for (int i = 0; i < 4; i++) Assert.Equal(Weights[i], exported[i]);
    }

    [Fact]
    public void Imputation_computes_the_same_output()
    {
        var z = GcnForward.PropagatedHidden(Weights, 1, Pair(), Input(), blockRows: 1, CPU, rootWeights: true);
        Assert.Equal(new[] { 2.5f, 3.5f, 2.5f, 1.5f }, z);
        var output = GcnForward.OutputRows(new[] { Weights }, new[] { z }, 2, 2, 0, 2, null, expm1: false, CPU);
        for (int e = 0; e < 4; e++) Assert.Equal(Expected[e], output[e], 4);
    }

    [Fact]
    public void Zero_root_weights_start_as_the_network_without_them()
    {
        using var scope = NewDisposeScope();
        var g = GcnSubgraph.Whole(Pair());
        float[] Output(bool root)
        {
            using var gen = new Generator(7);
            using var model = new BottleneckGcn(2, 1, gen, rootWeights: root);
            var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.Input(Input(), false, CPU)), 0, training: false);
            return model.OutputAt(z, tensor(new long[] { 0, 0, 1, 1 }), tensor(new long[] { 0, 1, 0, 1 }), null).data<float>().ToArray();
        }
        Assert.Equal(Output(false), Output(true));
    }

    [Fact]
    public void A_mini_batch_step_with_root_weights_matches_the_whole_graph()
    {
        // The batch's exact two-hop neighbourhood gives the whole graph's output and gradients at the batch's entries.
        var p = new GcnProblem();
        var batch = new[] { 1, 4, 5 };
        (float[] Output, float[] Grad) Run(bool whole)
        {
            using var scope = NewDisposeScope();
            using var gen = new Generator(3);
            using var model = new BottleneckGcn(p.Genes, 3, gen, rootWeights: true);
            using (no_grad())
                foreach (var q in model.parameters()) q.uniform_(-0.5, 0.5, gen);
            var g = whole ? GcnSubgraph.Whole(p.Adjacency) : GcnSubgraph.Around(p.Adjacency, batch, Enumerable.Repeat(-1, p.Cells).ToArray());
            Tensor? hi = whole ? null : tensor(GcnSubgraph.PositionsIn(g.HiddenCells, g.InputCells));
            Tensor? oh = whole ? null : tensor(GcnSubgraph.PositionsIn(g.OutputCells, g.HiddenCells));
            var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.Input(p.Input, false, CPU)), 0, training: false, hi, oh);
            var rows = batch.SelectMany(c => Enumerable.Repeat((long)(whole ? c : Array.IndexOf(batch, c)), p.Genes)).ToArray();
            var genes = batch.SelectMany(_ => Enumerable.Range(0, p.Genes).Select(j => (long)j)).ToArray();
            var output = model.OutputAt(z, tensor(rows), tensor(genes), null);
            output.sum().backward();
            return (output.data<float>().ToArray(), model.parameters().First().grad!.data<float>().ToArray());
        }
        var (wo, wg) = Run(true);
        var (bo, bg) = Run(false);
        for (int i = 0; i < wo.Length; i++) Assert.Equal(wo[i], bo[i], 4);
        for (int i = 0; i < wg.Length; i++) Assert.Equal(wg[i], bg[i], 4);
    }
}

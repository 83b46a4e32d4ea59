using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The sparse <c>X W1</c> custom autograd function equals the dense and sparse COO <c>mm</c> it replaces, forward and backward.</summary>
[Collection(TorchCollection.Name)]
public sealed class SparseInputProductTests
{
    public SparseInputProductTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Hand_checked_product_and_gradient()
    {
        using var scope = NewDisposeScope();
        // X = [[1, 0, 2], [0, 0, 0], [0, 3, 0]], W1 = [[1, 2], [3, 4], [5, 6]].
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 2, 0, 0, 0, 0, 3, 0 }, 3, 3);
        var w = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2).requires_grad_();
        var u = SparseInputProduct.apply(GcnInput.Create(x, new[] { 0, 1, 2 }, false, CPU), w);
        Assert.Equal(new[] { 11f, 14, 0, 0, 9, 12 }, u.data<float>().ToArray());
        (u * tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2)).sum().backward();
        // dW1 = Xᵀ G with G = [[1, 2], [3, 4], [5, 6]]: rows (1, 2), (15, 18), (2, 4).
        Assert.Equal(new[] { 1f, 2, 15, 18, 2, 4 }, w.grad!.data<float>().ToArray());
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(18, true)]
    [InlineData(31, false)]
    public void Matches_dense_and_sparse_mm(int d, bool whole)
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(11);
        var p = new GcnProblem(cells: 30, genes: 12);
        var rows = whole ? Enumerable.Range(0, p.Cells).ToArray() : new[] { 1, 4, 5, 17, 29 };
        var w1 = randn(p.Genes, d, generator: gen).requires_grad_();
        var w2 = w1.detach().clone().requires_grad_();
        var w3 = w1.detach().clone().requires_grad_();
        var custom = SparseInputProduct.apply(GcnInput.Create(p.Input, rows, false, CPU), w1);
        var dense = GcnSubgraph.Block(p.Input, rows, false, CPU).mm(w2);
        var coo = GcnSubgraph.Block(p.Input, rows, true, CPU).mm(w3);
        Assert.True(allclose(custom, dense, rtol: 1e-5, atol: 1e-5));
        Assert.True(allclose(custom, coo, rtol: 1e-5, atol: 1e-5));
        var g = randn(rows.Length, d, generator: gen);
        (custom * g).sum().backward();
        (dense * g).sum().backward();
        (coo * g).sum().backward();
        Assert.True(w2.grad!.abs().sum().item<float>() > 0);
        Assert.True(allclose(w1.grad!, w2.grad!, rtol: 1e-5, atol: 1e-5));
        Assert.True(allclose(w1.grad!, w3.grad!, rtol: 1e-5, atol: 1e-5));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(18)]
    public void Gradient_summed_over_several_parts_of_the_cells_matches_mm(int d)
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(5);
        // 2,000 cells x 700 genes at 60 %: about 840,000 non-zeros, three parts of the backward's cell range.
        const int cells = 2000, genes = 700;
        var rng = new Random(3);
        var values = new float[cells * genes];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble() < 0.4 ? 0 : (float)rng.NextDouble();
        var x = CsrMatrix.FromDense(values, cells, genes);
        Assert.True(x.Values.Length > 3 * (1 << 18));
        var rows = Enumerable.Range(0, cells).ToArray();
        var w1 = randn(genes, d, generator: gen).requires_grad_();
        var w2 = w1.detach().clone().requires_grad_();
        var custom = SparseInputProduct.apply(GcnInput.Create(x, rows, false, CPU), w1);
        var dense = tensor(values, cells, genes).mm(w2);
        var g = randn(cells, d, generator: gen);
        (custom * g).sum().backward();
        (dense * g).sum().backward();
        Assert.True(allclose(w1.grad!, w2.grad!, rtol: 1e-4, atol: 1e-3));
        // Every gene's row of the gradient is filled: a part left out would leave sums of a third of the cells.
        var diff = (w1.grad! - w2.grad!).abs().max().item<float>();
        Assert.True(diff < 1e-3f, $"largest difference {diff}");
    }

    [Fact]
    public void Empty_block_gives_an_empty_product_and_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var x = CsrMatrix.FromDense(new float[6], 2, 3);
        var w = ones(3, 4).requires_grad_();
        var none = SparseInputProduct.apply(GcnInput.Create(x, Array.Empty<int>(), false, CPU), w);
        Assert.Equal(new long[] { 0, 4 }, none.shape);
        var zero = SparseInputProduct.apply(GcnInput.Create(x, new[] { 0, 1 }, false, CPU), w);
        Assert.Equal(0f, zero.abs().sum().item<float>());
        (none.sum() + zero.sum()).backward();
        Assert.Equal(0f, w.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void Module_input_product_uses_it_on_the_cpu_and_matches_mm()
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(4);
        var p = new GcnProblem();
        using var model = new BottleneckGcn(p.Genes, 5, gen);
        var g = GcnSubgraph.Whole(p.Adjacency);
        var input = g.Input(p.Input, false, CPU);
        Assert.Null(input.Tensor);
        Assert.Same(p.Input, input.Rows);
        Assert.True(allclose(model.InputProduct(input), model.InputProduct(g.InputBlock(p.Input, false, CPU)), rtol: 1e-5, atol: 1e-5));
    }
}

using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The CSR custom autograd function equals torch's sparse COO <c>mm</c>, forward and backward.</summary>
[Collection(TorchCollection.Name)]
public sealed class AdjacencyProductTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Csr_product_matches_sparse_mm_forward_and_backward(bool whole)
    {
        TorchRuntime.EnsureInitialized();
        var p = new GcnProblem();
        var g = whole ? GcnSubgraph.Whole(p.Adjacency) : GcnSubgraph.Around(p.Adjacency, new[] { 2, 3, 9, 17 }, Enumerable.Repeat(-1, p.Cells).ToArray());
        var slice = g.First;
        Assert.Equal(whole, slice.Rows == slice.Columns);
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(3);
        var h1 = rand(slice.Columns, 5, generator: gen).requires_grad_();
        var h2 = h1.detach().clone().requires_grad_();
        var weights = rand(slice.Rows, 5, generator: gen);
        var csr = slice.Multiply(h1);
        var coo = slice.Coo(CPU).mm(h2);
        Assert.True(allclose(csr, coo, rtol: 1e-5, atol: 1e-6));
        (csr * weights).sum().backward();
        (coo * weights).sum().backward();
        Assert.True(h1.grad!.abs().sum().item<float>() > 0);
        Assert.True(allclose(h1.grad!, h2.grad!, rtol: 1e-5, atol: 1e-6));
        slice.Dispose();
    }
}

using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The CSR custom autograd function equals torch's sparse COO <c>mm</c>, forward and backward.</summary>
[Collection(TorchCollection.Name)]
public sealed class AdjacencyProductTests
{
    // Widths below, at and above one SIMD vector, padded or not (8 lanes with AVX2, 4 with SSE, 16 with AVX-512).
    [Theory]
    [InlineData(true, 5)]
    [InlineData(false, 5)]
    [InlineData(true, 8)]
    [InlineData(false, 10)]
    [InlineData(true, 16)]
    [InlineData(true, 18)]
    public void Csr_product_matches_sparse_mm_forward_and_backward(bool whole, int width)
    {
        TorchRuntime.EnsureInitialized();
        var p = new GcnProblem();
        var g = whole ? GcnSubgraph.Whole(p.Adjacency) : GcnSubgraph.Around(p.Adjacency, new[] { 2, 3, 9, 17 }, Enumerable.Repeat(-1, p.Cells).ToArray());
        var slice = g.First;
        Assert.Equal(whole, slice.Rows == slice.Columns);
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(3);
        var h1 = rand(slice.Columns, width, generator: gen).requires_grad_();
        var h2 = h1.detach().clone().requires_grad_();
        var weights = rand(slice.Rows, width, generator: gen);
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

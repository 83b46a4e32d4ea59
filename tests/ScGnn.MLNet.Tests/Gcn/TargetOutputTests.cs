using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>
/// The output-at-targets custom autograd function equals the TorchSharp expression it replaces (dense block, gather,
/// skip term by <c>index_select</c>), forward and backward, including duplicate entries and empty sets.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class TargetOutputTests
{
    public TargetOutputTests() => TorchRuntime.EnsureInitialized();

    // The replaced op: (Z W2 + b2) at (row, gene), plus sum_f S[gene, f] F[e, f].
    private static Tensor Reference(Tensor z, Tensor w2t, Tensor b2, Tensor? s, Tensor? f, long[] rows, long[] genes)
    {
        var flat = tensor(rows.Zip(genes, (r, g) => r * w2t.shape[0] + g).ToArray());
        var output = (z.mm(w2t.t()) + b2).flatten().index_select(0, flat);
        if (s is not null) output = output + (f! * s.index_select(0, tensor(genes))).sum(1);
        return output;
    }

    [Fact]
    public void Hand_checked_values_and_gradients()
    {
        using var scope = NewDisposeScope();
        // Z rows (1, 2) and (3, -1); W2t rows per gene (1, 0), (0, 1), (2, 2); b2 = (0.5, -0.5, 0).
        var z = tensor(new float[] { 1, 2, 3, -1 }, 2, 2).requires_grad_();
        var w = tensor(new float[] { 1, 0, 0, 1, 2, 2 }, 3, 2).requires_grad_();
        var b = tensor(new float[] { 0.5f, -0.5f, 0 }).requires_grad_();
        // Entries (row, gene): (0, 2), (1, 0), (1, 0) again, (0, 1).
        var index = new TargetIndex(new[] { 0, 1, 1, 0 }, new[] { 2, 0, 0, 1 });
        var output = TargetOutput.apply(index, z, w, b);
        Assert.Equal(new[] { 6f, 3.5f, 3.5f, 1.5f }, output.data<float>().ToArray());
        (output * tensor(new float[] { 1, 2, 3, 4 })).sum().backward();
        // dZ[0] = 1 * W2t[2] + 4 * W2t[1] = (2, 6); dZ[1] = (2 + 3) * W2t[0] = (5, 0).
        Assert.Equal(new[] { 2f, 6, 5, 0 }, z.grad!.data<float>().ToArray());
        // dW2t[0] = 5 Z[1] = (15, -5); dW2t[1] = 4 Z[0]; dW2t[2] = 1 Z[0]; db2 = (5, 4, 1).
        Assert.Equal(new[] { 15f, -5, 4, 8, 1, 2 }, w.grad!.data<float>().ToArray());
        Assert.Equal(new[] { 5f, 4, 1 }, b.grad!.data<float>().ToArray());
    }

    [Theory]
    [InlineData(3, 0, false, false)]
    [InlineData(18, 0, true, false)]
    [InlineData(10, 4, false, false)]
    [InlineData(31, 2, true, false)]
    [InlineData(18, 0, false, true)]
    [InlineData(10, 2, true, true)]
    public void Matches_the_dense_block_and_gather(int d, int f, bool unsorted, bool squared)
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(7);
        int rowCount = 9, geneCount = 13, n = 200;
        var rng = new Random(d * 10 + f);
        var entries = Enumerable.Range(0, n).Select(_ => (R: (long)rng.Next(rowCount - 1), G: (long)rng.Next(geneCount - 2))).ToArray();
        // Row rowCount - 1 and the last two genes have no entries; duplicates occur at this density.
        if (!unsorted) entries = entries.OrderBy(e => e.R).ToArray();
        var rows = entries.Select(e => e.R).ToArray();
        var genes = entries.Select(e => e.G).ToArray();
        var (z1, w1, b1, s1) = Parameters(rowCount, geneCount, d, f, gen);
        var (z2, w2, b2, s2) = (Clone(z1), Clone(w1), Clone(b1), s1 is null ? null : Clone(s1));
        var features = f > 0 ? rand(n, f, generator: gen) : null;
        var y = squared ? randn(n, generator: gen) : null;
        var custom = TargetOutput.apply(new TargetIndex(rows, genes), z1, w1, b1, s1!, features!, y!);
        var reference = Reference(z2, w2, b2, s2, features, rows, genes);
        if (y is not null) reference = (reference - y).square();
        Assert.True(allclose(custom, reference, rtol: 1e-5, atol: 1e-6));
        var weights = randn(n, generator: gen);
        (custom * weights).sum().backward();
        (reference * weights).sum().backward();
        AssertClose(z2.grad!, z1.grad!);
        AssertClose(w2.grad!, w1.grad!);
        AssertClose(b2.grad!, b1.grad!);
        if (f > 0) AssertClose(s2!.grad!, s1!.grad!);
        Assert.Equal(0f, z1.grad![rowCount - 1].abs().sum().item<float>());
        Assert.Equal(0f, w1.grad![geneCount - 1].abs().sum().item<float>());
    }

    [Fact]
    public void Squared_errors_hand_checked()
    {
        using var scope = NewDisposeScope();
        // Output 6 at (0, 2) as above, target 4: error 4, gradient through the square 2 (6 - 4) = 4 times W2t[2] = (8, 8).
        var z = tensor(new float[] { 1, 2, 3, -1 }, 2, 2).requires_grad_();
        var w = tensor(new float[] { 1, 0, 0, 1, 2, 2 }, 3, 2).requires_grad_();
        var b = tensor(new float[] { 0.5f, -0.5f, 0 }).requires_grad_();
        var errors = TargetOutput.apply(new TargetIndex(new[] { 0 }, new[] { 2 }), z, w, b, null!, null!, tensor(new float[] { 4 }));
        Assert.Equal(new[] { 4f }, errors.data<float>().ToArray());
        errors.sum().backward();
        Assert.Equal(new[] { 8f, 8, 0, 0 }, z.grad!.data<float>().ToArray());
        Assert.Equal(new[] { 0f, 0, 0, 0, 4, 8 }, w.grad!.data<float>().ToArray());
        Assert.Equal(new[] { 0f, 0, 4 }, b.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Empty_entries_give_an_empty_output_and_zero_gradients()
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(1);
        var (z, w, b, s) = Parameters(4, 5, 3, 2, gen);
        var output = TargetOutput.apply(new TargetIndex(Array.Empty<int>(), Array.Empty<int>()), z, w, b, s!, zeros(0, 2));
        Assert.Equal(0, output.numel());
        output.sum().backward();
        Assert.Equal(0f, z.grad!.abs().sum().item<float>());
        Assert.Equal(0f, w.grad!.abs().sum().item<float>());
        Assert.Equal(0f, b.grad!.abs().sum().item<float>());
        Assert.Equal(0f, s!.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void Module_output_without_gradients_matches_with_them()
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator(2);
        using var model = new BottleneckGcn(7, 5, gen, skipFeatures: 1);
        var z = rand(6, 5, generator: gen);
        var rows = tensor(new long[] { 0, 0, 3, 5, 5, 5 });
        var genes = tensor(new long[] { 6, 1, 1, 0, 0, 2 });
        var features = rand(6, 1, generator: gen);
        var withGrad = model.OutputAt(z, rows, genes, features);
        Tensor without;
        using (no_grad()) without = model.OutputAt(z, rows, genes, features);
        Assert.Equal(withGrad.detach().data<float>().ToArray(), without.data<float>().ToArray());
        var y = rand(6, generator: gen);
        var errors = model.SquaredErrorsAt(z, rows, genes, features, y);
        Assert.True(allclose(errors, (withGrad - y).square(), rtol: 1e-5, atol: 1e-6));
        var reference = (z.mm(model.parameters().ElementAt(2).t()) + model.parameters().ElementAt(3)).flatten()
            .index_select(0, rows * 7 + genes);
        // Skip coefficients start at zero, so the skip term adds nothing here.
        Assert.True(allclose(withGrad, reference, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Index_rejects_out_of_range_entries()
    {
        using var scope = NewDisposeScope();
        var z = zeros(2, 3); var w = zeros(4, 3); var b = zeros(4);
        Assert.Throws<ArgumentException>(() => TargetOutput.apply(new TargetIndex(new[] { 2 }, new[] { 0 }), z, w, b));
        Assert.Throws<ArgumentException>(() => TargetOutput.apply(new TargetIndex(new[] { 0 }, new[] { 4 }), z, w, b));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TargetIndex(new[] { -1 }, new[] { 0 }));
    }

    private static (Tensor Z, Tensor W, Tensor B, Tensor? S) Parameters(int rows, int genes, int d, int f, TorchSharp.torch.Generator gen) =>
        (randn(rows, d, generator: gen).requires_grad_(), randn(genes, d, generator: gen).requires_grad_(),
         randn(genes, generator: gen).requires_grad_(), f > 0 ? randn(genes, f, generator: gen).requires_grad_() : null);

    private static Tensor Clone(Tensor t) => t.detach().clone().requires_grad_();

    // Within 1e-5 of the gradient's largest magnitude: sums in another order differ by rounding, and a squared error's
    // residual (output - target) can cancel, so an elementwise relative bound would test rounding, not the function.
    private static void AssertClose(Tensor expected, Tensor actual)
    {
        float scale = expected.abs().max().item<float>();
        Assert.True(scale > 0);
        float difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference <= 1e-5f * Math.Max(1, scale), $"max difference {difference} at scale {scale}");
    }
}

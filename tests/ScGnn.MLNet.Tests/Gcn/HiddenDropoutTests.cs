using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The hidden layer's CPU dropout keeps 1 - rate of the values scaled by 1 / (1 - rate), as <c>functional.dropout</c>.</summary>
[Collection(TorchCollection.Name)]
public sealed class HiddenDropoutTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)]
    public void Keeps_one_minus_rate_of_the_values_scaled_to_keep_the_mean(double rate)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        const int n = 200_000;
        var mask = new HiddenDropout(1).Mask(n, rate).data<float>().ToArray();
        float kept = (float)(1 / (1 - rate));
        Assert.All(mask, v => Assert.True(v == 0 || v == kept));
        // Binomial sd of the kept fraction: sqrt(rate (1 - rate) / n) ~ 0.0011; 5 sd.
        double fraction = mask.Count(v => v != 0) / (double)n;
        Assert.InRange(fraction, 1 - rate - 0.0056, 1 - rate + 0.0056);
        // Neighbouring elements are independent: pairs kept together at (1 - rate)^2.
        double both = Enumerable.Range(0, n - 1).Count(i => mask[i] != 0 && mask[i + 1] != 0) / (double)(n - 1);
        Assert.InRange(both, Math.Pow(1 - rate, 2) - 0.006, Math.Pow(1 - rate, 2) + 0.006);
    }

    [Fact]
    public void The_same_seed_draws_the_same_masks_and_every_draw_is_new()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var a = new HiddenDropout(7);
        var b = new HiddenDropout(7);
        var a1 = a.Mask(5000, 0.5).data<float>().ToArray();
        var a2 = a.Mask(5000, 0.5).data<float>().ToArray();
        Assert.Equal(a1, b.Mask(5000, 0.5).data<float>().ToArray());
        Assert.Equal(a2, b.Mask(5000, 0.5).data<float>().ToArray());
        Assert.True(a1.Zip(a2).Count(p => p.First != p.Second) > 2000);
        Assert.True(a1.Zip(new HiddenDropout(8).Mask(5000, 0.5).data<float>().ToArray()).Count(p => p.First != p.Second) > 2000);
    }

    [Fact]
    public void Backward_passes_the_gradient_through_the_kept_values_only()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        using var gen = new Generator(2);
        var h = (rand(300, 10, generator: gen) + 0.5f).requires_grad_();
        var weights = rand(300, 10, generator: gen);
        var output = new HiddenDropout(3).Apply(h, 0.5);
        (output * weights).sum().backward();
        var o = output.detach().data<float>().ToArray();
        var x = h.detach().data<float>().ToArray();
        var w = weights.data<float>().ToArray();
        var g = h.grad!.data<float>().ToArray();
        for (int i = 0; i < o.Length; i++)
        {
            bool kept = o[i] != 0;
            Assert.Equal(kept ? 2 * x[i] : 0, o[i], 5);
            Assert.Equal(kept ? 2 * w[i] : 0, g[i], 5);
        }
        Assert.Same(h, new HiddenDropout(3).Apply(h, 0));
    }
}

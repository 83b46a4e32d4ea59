using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Torch;

[Collection(TorchCollection.Name)]
public sealed class TorchRuntimeTests
{
    [Fact]
    public void EnsureInitialized_loads_the_backend_and_runs_a_matmul()
    {
        TorchRuntime.EnsureInitialized();
        TorchRuntime.EnsureInitialized(); // idempotent
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        var c = a.matmul(b).data<float>().ToArray();
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c);
    }

    [Fact]
    public void ManualSeed_makes_random_draws_repeatable()
    {
        using var scope = NewDisposeScope();
        TorchRuntime.ManualSeed(42);
        var first = rand(5).data<float>().ToArray();
        TorchRuntime.ManualSeed(42);
        var second = rand(5).data<float>().ToArray();
        Assert.Equal(first, second);
        Assert.All(first, v => Assert.InRange(v, 0f, 1f));
    }
}

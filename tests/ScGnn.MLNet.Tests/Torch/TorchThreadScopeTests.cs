using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Torch;

[Collection(TorchCollection.Name)]
public sealed class TorchThreadScopeTests
{
    [Fact]
    public void SingleThreaded_runs_torch_on_one_thread_and_restores_the_count()
    {
        TorchRuntime.EnsureInitialized();
        int before = get_num_threads();
        try
        {
            set_num_threads(2);
            using (var scope = TorchThreadScope.SingleThreaded())
            {
                Assert.NotNull(scope);
                Assert.Equal(1, get_num_threads());
            }
            Assert.Equal(2, get_num_threads());

            set_num_threads(1);
            Assert.Null(TorchThreadScope.SingleThreaded());
            Assert.Equal(1, get_num_threads());
        }
        finally
        {
            set_num_threads(before);
        }
    }
}

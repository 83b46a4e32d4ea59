using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Numerics;

public sealed class CancellationTests
{
    private static readonly ParallelOptions Two = new() { MaxDegreeOfParallelism = 2 };

    [Fact]
    public void A_cancellation_in_a_parallel_loop_comes_out_as_itself()
    {
        var error = Record.Exception(() => Cancellation.Unwrapped(() => Parallel.For(0, 8, Two, i =>
        {
            if (i == 5) throw new OperationCanceledException("stop");
            if (i == 6) throw new InvalidOperationException("beside it");
        })));
        Assert.IsType<OperationCanceledException>(error);
        Assert.Equal("stop", error.Message);
    }

    [Fact]
    public void Errors_of_one_type_come_out_as_the_first_and_mixed_errors_stay_aggregated()
    {
        var full = Record.Exception(() => Cancellation.Unwrapped(() => Parallel.For(0, 8, Two, i => throw new IOException("disk full"))));
        Assert.IsType<IOException>(full);
        Assert.Equal("disk full", full.Message);
        var mixed = Record.Exception(() => Cancellation.Unwrapped(() => Parallel.Invoke(
            () => throw new IOException("a"), () => throw new ArgumentException("b"))));
        var aggregate = Assert.IsType<AggregateException>(mixed);
        Assert.Equal(2, aggregate.InnerExceptions.Count);
        // Nothing thrown: nothing changes.
        int ran = 0;
        Cancellation.Unwrapped(() => Parallel.For(0, 8, Two, _ => Interlocked.Increment(ref ran)));
        Assert.Equal(8, ran);
    }
}

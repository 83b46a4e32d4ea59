using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Numerics;

public class ChunkedBuilderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1 << 20)]            // exactly one chunk
    [InlineData((1 << 20) + 1)]      // one entry into the second
    [InlineData(2_500_000)]
    public void Returns_every_entry_in_order(int count)
    {
        var b = new ChunkedBuilder<int>();
        for (int i = 0; i < count; i++) b.Add(i * 3);
        Assert.Equal(count, b.Count);
        var a = b.ToArray();
        Assert.Equal(count, a.Length);
        for (int i = 0; i < count; i++)
            if (a[i] != i * 3) Assert.Fail($"entry {i} is {a[i]}, not {i * 3}");
    }
}

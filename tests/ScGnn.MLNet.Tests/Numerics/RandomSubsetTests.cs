using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Numerics;

public sealed class RandomSubsetTests
{
    [Fact]
    public void A_subset_is_distinct_ascending_and_the_same_for_the_same_seed()
    {
        var s = RandomSubset.Ascending(50, 20, new Random(3));
        Assert.Equal(20, s.Length);
        Assert.True(s.Zip(s.Skip(1)).All(p => p.First < p.Second), "ascending and distinct");
        Assert.All(s, i => Assert.InRange(i, 0, 49));
        Assert.Equal(s, RandomSubset.Ascending(50, 20, new Random(3)));
        Assert.NotEqual(s, RandomSubset.Ascending(50, 20, new Random(4)));
        Assert.Equal(Enumerable.Range(0, 7), RandomSubset.Ascending(7, 7, new Random(1)));
        Assert.Empty(RandomSubset.Ascending(7, 0, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RandomSubset.Ascending(5, 6, new Random(1)));
    }
}

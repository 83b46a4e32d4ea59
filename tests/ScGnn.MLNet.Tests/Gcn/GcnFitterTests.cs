using ScGnn.MLNet.Gcn;

namespace ScGnn.MLNet.Tests.Gcn;

public sealed class GcnFitterTests
{
    [Fact]
    public void Paired_gain_is_the_mean_drop_in_standard_errors()
    {
        // Drops 3, 2, 1, 2: mean 2, sample sd sqrt(2/3), standard error sqrt(2/3)/2, so z = 2 / 0.4082 = 4.899.
        Assert.Equal(4.899, GcnFitter.PairedGainInStandardErrors(new double[] { 4, 4, 4, 4 }, new double[] { 1, 2, 3, 2 }), 3);
        Assert.Equal(-4.899, GcnFitter.PairedGainInStandardErrors(new double[] { 1, 2, 3, 2 }, new double[] { 4, 4, 4, 4 }), 3);
        Assert.Equal(0, GcnFitter.PairedGainInStandardErrors(new double[] { 1, 2 }, new double[] { 1, 2 }));
    }
}

using ScGnn.MLNet.Simulation;

namespace ScGnn.MLNet.Tests.Simulation;

public sealed class RandomSamplerTests
{
    private static (double Mean, double Variance) Moments(Func<double> draw, int n)
    {
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++) { double x = draw(); sum += x; sumSq += x * x; }
        double mean = sum / n;
        return (mean, (sumSq - n * mean * mean) / (n - 1));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(3.5)]
    [InlineData(9.9)]
    [InlineData(10)]
    [InlineData(250)]
    public void Poisson_has_mean_and_variance_lambda(double lambda)
    {
        var rng = new RandomSampler(11);
        var (mean, variance) = Moments(() => rng.Poisson(lambda), 100_000);
        Assert.Equal(lambda, mean, lambda * 0.02 + 0.01);
        Assert.Equal(lambda, variance, lambda * 0.04 + 0.01);
    }

    [Theory]
    [InlineData(0.6, 3.333)]
    [InlineData(2.5, 0.4)]
    [InlineData(100, 0.01)]
    public void Gamma_has_mean_shape_scale_and_variance_shape_scale_squared(double shape, double scale)
    {
        var rng = new RandomSampler(5);
        var (mean, variance) = Moments(() => rng.Gamma(shape, scale), 100_000);
        Assert.Equal(shape * scale, mean, shape * scale * 0.02);
        Assert.Equal(shape * scale * scale, variance, shape * scale * scale * 0.05);
    }

    [Fact]
    public void LogNormal_and_normal_have_the_right_moments()
    {
        var rng = new RandomSampler(9);
        var (m, v) = Moments(rng.Normal, 100_000);
        Assert.Equal(0, m, 0.01);
        Assert.Equal(1, v, 0.02);
        var (lm, _) = Moments(() => Math.Log(rng.LogNormal(11, 0.2)), 100_000);
        Assert.Equal(11, lm, 0.005);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(5, 3.1780538303479458)] // ln 24
    [InlineData(0.5, 0.57236494292470008)] // ln sqrt(pi)
    [InlineData(101, 363.73937555556347)] // ln 100!
    public void LogGamma_matches_known_values(double x, double expected)
    {
        Assert.Equal(expected, RandomSampler.LogGamma(x), 1e-10);
    }
}

namespace ScGnn.MLNet.Simulation;

/// <summary>
/// Seeded draws from the distributions the Splatter model needs, on top of <see cref="Random"/> (whose seeded
/// sequence is stable across .NET versions). Gamma: Marsaglia-Tsang (2000), with the shape &lt; 1 boost;
/// Poisson: multiplication method below a mean of 10, PTRS transformed rejection (Hörmann 1993, as numpy) above.
/// </summary>
internal sealed class RandomSampler
{
    private readonly Random _random;
    private double? _spareNormal;

    public RandomSampler(int seed) => _random = new Random(seed);

    /// <summary>Uniform on [0, 1).</summary>
    public double Uniform() => _random.NextDouble();

    /// <summary>Uniform on (0, 1), safe for logarithms.</summary>
    public double UniformOpen()
    {
        double u;
        do u = _random.NextDouble(); while (u == 0);
        return u;
    }

    /// <summary>Standard normal (polar Box-Muller).</summary>
    public double Normal()
    {
        if (_spareNormal is { } spare) { _spareNormal = null; return spare; }
        double u, v, s;
        do
        {
            u = 2 * _random.NextDouble() - 1;
            v = 2 * _random.NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * f;
        return u * f;
    }

    /// <summary>Log-normal: exp(N(location, scale²)).</summary>
    public double LogNormal(double location, double scale) => Math.Exp(location + scale * Normal());

    /// <summary>Gamma with the given shape and scale (mean shape x scale).</summary>
    public double Gamma(double shape, double scale)
    {
        if (shape < 1)
        {
            // Gamma(a) = Gamma(a + 1) * U^(1/a).
            return Gamma(shape + 1, scale) * Math.Pow(UniformOpen(), 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = UniformOpen();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v * scale;
        }
    }

    /// <summary>Chi-squared with <paramref name="df"/> degrees of freedom.</summary>
    public double ChiSquared(double df) => Gamma(df / 2, 2);

    /// <summary>Bernoulli trial: true with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => _random.NextDouble() < p;

    /// <summary>Index drawn with the given probabilities (which sum to 1).</summary>
    public int Categorical(IReadOnlyList<double> probabilities)
    {
        double u = _random.NextDouble(), cumulative = 0;
        for (int i = 0; i < probabilities.Count - 1; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative) return i;
        }
        return probabilities.Count - 1;
    }

    /// <summary>Poisson with mean <paramref name="lambda"/>.</summary>
    public long Poisson(double lambda)
    {
        if (lambda <= 0) return 0;
        if (lambda < 10)
        {
            double limit = Math.Exp(-lambda), product = _random.NextDouble();
            long k = 0;
            while (product > limit)
            {
                k++;
                product *= _random.NextDouble();
            }
            return k;
        }
        double slam = Math.Sqrt(lambda), logLam = Math.Log(lambda);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = _random.NextDouble() - 0.5;
            double v = _random.NextDouble();
            double us = 0.5 - Math.Abs(u);
            long k = (long)Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -lambda + k * logLam - LogGamma(k + 1))
                return k;
        }
    }

    /// <summary>log Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; about 15 significant digits).</summary>
    internal static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        double sum = 0.99999999999980993;
        sum += 676.5203681218851 / (x + 1);
        sum += -1259.1392167224028 / (x + 2);
        sum += 771.32342877765313 / (x + 3);
        sum += -176.61502916214059 / (x + 4);
        sum += 12.507343278686905 / (x + 5);
        sum += -0.13857109526572012 / (x + 6);
        sum += 9.9843695780195716e-6 / (x + 7);
        sum += 1.5056327351493116e-7 / (x + 8);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}

using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Imputation;

/// <summary>
/// A small seeded two-group dataset: group A expresses genes 0..G/2-1 highly, group B the rest; Poisson counts
/// with a fraction of the non-zero entries dropped. Returns the observed matrix and the truth before dropout.
/// </summary>
internal static class TwoGroupData
{
    internal static (ExpressionMatrix Observed, float[] Truth, int[] Group) Create(int cells = 60, int genes = 40, double dropout = 0.3, int seed = 7)
    {
        var rng = new Random(seed);
        var truth = new float[cells * genes];
        var observed = new float[cells * genes];
        var group = new int[cells];
        for (int i = 0; i < cells; i++)
        {
            group[i] = i % 2;
            double size = 0.7 + 0.6 * rng.NextDouble();
            for (int j = 0; j < genes; j++)
            {
                bool high = (j < genes / 2) == (group[i] == 0);
                double mean = size * (high ? 8.0 + (j % 5) : 0.6);
                int count = Poisson(rng, mean);
                truth[i * genes + j] = count;
                observed[i * genes + j] = count > 0 && rng.NextDouble() < dropout ? 0 : count;
            }
        }
        var matrix = ExpressionMatrix.FromDense(observed,
            Enumerable.Range(0, cells).Select(i => $"cell{i}").ToArray(),
            Enumerable.Range(0, genes).Select(j => $"G{j}").ToArray());
        return (matrix, truth, group);
    }

    private static int Poisson(Random rng, double mean)
    {
        double l = Math.Exp(-mean), p = 1;
        int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > l);
        return k - 1;
    }
}

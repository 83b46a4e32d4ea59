using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ParallelAnalysisTests
{
    // Poisson counts, log1p: `groups` groups of cells, group g raising genes 10g..10g+9 from mean 2 to mean 12.
    private static CsrMatrix Groups(int groups, int cells, int genes, int seed)
    {
        var rng = new Random(seed);
        var dense = new float[cells * genes];
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < genes; j++)
            {
                double mean = j / 10 == i % groups && groups > 1 ? 12 : 2;
                double l = Math.Exp(-mean), p = 1;
                int k = -1;
                do { k++; p *= rng.NextDouble(); } while (p > l);
                dense[i * genes + j] = k;
            }
        return CsrMatrix.FromDense(dense, cells, genes).Log1p();
    }

    [Fact]
    public void Four_planted_groups_give_three_signal_components()
    {
        // Four group means span a 3-dimensional affine space; the rest is Poisson noise.
        var (count, variances, nullVariance) = ParallelAnalysis.Analyse(Groups(4, 200, 40, 1), 20, 1);
        Assert.Equal(3, count);
        Assert.True(variances[2] > 3 * nullVariance, $"third component {variances[2]} vs permuted {nullVariance}");
        Assert.True(variances[3] < nullVariance);
    }

    [Fact]
    public void Noise_alone_gives_the_minimum_of_one_component()
    {
        Assert.Equal(1, ParallelAnalysis.SignalComponents(Groups(1, 200, 40, 2), 20, 1));
    }

    [Fact]
    public void Permutation_keeps_each_genes_values_and_moves_them_between_cells()
    {
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 0, 2, 0, 3, 5, 0, 0, 6, 0, 0 }, 4, 3);
        var p = ParallelAnalysis.PermuteWithinGenes(x, new Random(3));
        var before = x.ToDense();
        var after = p.ToDense();
        for (int j = 0; j < 3; j++)
        {
            var a = Enumerable.Range(0, 4).Select(i => before[i * 3 + j]).OrderBy(v => v);
            var b = Enumerable.Range(0, 4).Select(i => after[i * 3 + j]).OrderBy(v => v);
            Assert.Equal(a, b);
        }
        for (int i = 0; i < 4; i++) Assert.True(p.RowIndices(i).ToArray().SequenceEqual(p.RowIndices(i).ToArray().OrderBy(c => c)));
    }
}

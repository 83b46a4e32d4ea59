using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;

namespace ScGnn.MLNet.Tests.Imputation;

public sealed class DiffusionOperatorTests
{
    private static double Weight(DiffusionOperator p, int i, int j)
    {
        for (int q = p.RowPointers[i]; q < p.RowPointers[i + 1]; q++)
            if (p.Columns[q] == j) return p.Weights[q];
        return 0;
    }

    [Fact]
    public void Flat_rows_are_the_mean_of_the_cell_and_its_neighbours()
    {
        // Path 0 - 1 - 2 with self loops.
        var p = DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0 }, new[] { 1 } }));
        Assert.Equal(0.5, Weight(p, 0, 0), 12);
        Assert.Equal(0.5, Weight(p, 0, 1), 12);
        Assert.Equal(0, Weight(p, 0, 2), 12);
        for (int j = 0; j < 3; j++) Assert.Equal(1.0 / 3, Weight(p, 1, j), 12);
    }

    [Fact]
    public void Alpha_decay_kernel_is_symmetrized_and_row_normalized()
    {
        // Cells at 0, 1 and 3 on a line, each listing the other two, bandwidth the nearest one's distance (k = 1),
        // decay 1: sigma = 1, 1, 2. Directed weights exp(-d / sigma_i): 0->1 e^-1, 0->2 e^-3, 1->0 e^-1, 1->2 e^-2,
        // 2->1 e^-1, 2->0 e^-1.5; symmetrized by the mean of both directions, self weight 1.
        var points = new float[] { 0, 1, 3 };
        var neighbors = new[] { new[] { 1, 2 }, new[] { 0, 2 }, new[] { 1, 0 } };
        var p = DiffusionOperator.AlphaDecay(points, neighbors, 1, 1, 1);
        double k01 = Math.Exp(-1), k02 = (Math.Exp(-3) + Math.Exp(-1.5)) / 2, k12 = (Math.Exp(-2) + Math.Exp(-1)) / 2;
        double r0 = 1 + k01 + k02, r1 = 1 + k01 + k12, r2 = 1 + k02 + k12;
        Assert.Equal(1 / r0, Weight(p, 0, 0), 9);
        Assert.Equal(k01 / r0, Weight(p, 0, 1), 9);
        Assert.Equal(k02 / r0, Weight(p, 0, 2), 9);
        Assert.Equal(k12 / r1, Weight(p, 1, 2), 9);
        Assert.Equal(k02 / r2, Weight(p, 2, 0), 9);
        for (int i = 0; i < 3; i++)
        {
            double sum = 0;
            for (int q = p.RowPointers[i]; q < p.RowPointers[i + 1]; q++) sum += p.Weights[q];
            Assert.Equal(1, sum, 12);
        }
    }

    [Fact]
    public void Alpha_decay_kernel_reaches_cells_listed_only_by_others()
    {
        // Cell 2 lists nobody; cell 0 lists it, so the symmetrized kernel joins them both ways with half the weight.
        var points = new float[] { 0, 1, 2 };
        var neighbors = new[] { new[] { 1, 2 }, new[] { 0 }, Array.Empty<int>() };
        var p = DiffusionOperator.AlphaDecay(points, neighbors, 1, 1, 1);
        double k02 = Math.Exp(-2) / 2;
        Assert.Equal(k02 / (1 + k02), Weight(p, 2, 0), 9);
        Assert.Equal(1 / (1 + k02), Weight(p, 2, 2), 9);
    }
}

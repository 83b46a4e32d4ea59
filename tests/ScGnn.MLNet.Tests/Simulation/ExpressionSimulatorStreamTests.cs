using ScGnn.MLNet.Simulation;

namespace ScGnn.MLNet.Tests.Simulation;

/// <summary>Cell-by-cell simulation for datasets too large to hold: the same draws as <see cref="ExpressionSimulator.Simulate(SimulationOptions)"/>.</summary>
public sealed class ExpressionSimulatorStreamTests
{
    [Fact]
    public void Streamed_cells_equal_the_simulated_matrices_in_order()
    {
        var options = new SimulationOptions { CellCount = 70, GeneCount = 40, GroupCount = 4, Seed = 9 };
        var whole = ExpressionSimulator.Simulate(options);
        int next = 0;
        var plan = ExpressionSimulator.Stream(options, (cell, group, oi, ov, ti, tv) =>
        {
            Assert.Equal(next++, cell);
            Assert.Equal(whole.Groups[cell], "Group" + (group + 1));
            Assert.Equal(whole.Observed.RowIndices(cell).ToArray(), oi.ToArray());
            Assert.Equal(whole.Observed.RowValues(cell).ToArray(), ov.ToArray());
            Assert.Equal(whole.TrueCounts.RowIndices(cell).ToArray(), ti.ToArray());
            Assert.Equal(whole.TrueCounts.RowValues(cell).ToArray(), tv.ToArray());
            // Every observed entry is a true entry with the same count (dropout only removes).
            for (int q = 0; q < oi.Length; q++) Assert.Equal(tv[ti.IndexOf(oi[q])], ov[q]);
        });
        Assert.Equal(70, next);
        Assert.Equal(whole.LibrarySizes, plan.LibrarySizes);
        Assert.Equal(whole.GeneMeans, plan.GeneMeans);
    }
}

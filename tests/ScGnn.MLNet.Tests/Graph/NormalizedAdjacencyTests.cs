using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Tests.Graph;

/// <summary>Â = D^-1/2 (A + I) D^-1/2 of the symmetrized kNN lists.</summary>
public sealed class NormalizedAdjacencyTests
{
    [Fact]
    public void Symmetrizes_deduplicates_and_weighs_by_degree()
    {
        // 0 lists 1 and 2, 1 lists 0 (already an edge), 3 lists 2: edges 0-1, 0-2, 2-3.
        var a = NormalizedAdjacency.FromNeighbors(new[] { new[] { 1, 2 }, new[] { 0 }, Array.Empty<int>(), new[] { 2 } });
        Assert.Equal(new[] { 0, 3, 5, 8, 10 }, a.RowPointers);
        Assert.Equal(new[] { 0, 1, 2, 0, 1, 0, 2, 3, 2, 3 }, a.Columns);
        Assert.Equal(3, a.EdgeCount);
        // Degrees with self loops: 3, 2, 3, 2.
        double[] deg = { 3, 2, 3, 2 };
        int[] rows = { 0, 0, 0, 1, 1, 2, 2, 2, 3, 3 };
        for (int q = 0; q < a.Values.Length; q++)
            Assert.Equal(1 / Math.Sqrt(deg[rows[q]] * deg[a.Columns[q]]), a.Values[q], 1e-6);
    }

    [Fact]
    public void Rejects_a_neighbour_outside_the_cells()
    {
        var e = Assert.Throws<ArgumentException>(() => NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 2 } }));
        Assert.Contains("Cell 1 lists neighbour 2", e.Message);
    }
}

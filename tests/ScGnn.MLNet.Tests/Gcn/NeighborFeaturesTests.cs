using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The skip connection's neighbourhood features and its least-squares starting point.</summary>
public sealed class NeighborFeaturesTests
{
    // Every row's features, as one dense cells x genes array per feature.
    private static float[][] Compute(NormalizedAdjacency a, float[] x, int cells, int genes, int hops = 1) =>
        NeighborFeatures.ForRows(a, CsrMatrix.FromDense(x, cells, genes), hops, Enumerable.Range(0, cells).ToArray());

    [Fact]
    public void Features_are_neighbour_means_without_the_cell_itself()
    {
        // Path 0 - 1 - 2: cell 1 has two equally weighted neighbours, cells 0 and 2 one each.
        var a = NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0, 2 }, new[] { 1 } });
        float[] x =
        {
            2, 0,   // cell 0
            4, 6,   // cell 1
            0, 3,   // cell 2
        };
        var f = Compute(a, x, 3, 2);
        Assert.Equal(NeighborFeatures.PerHop, f.Length);
        // Mean over neighbours, zeros included.
        Assert.Equal(new float[] { 4, 6, 1, 1.5f, 4, 6 }, f[0]);
        // Mean over the neighbours that express the gene (cell 1: only cell 0 has gene 0, only cell 2 gene 1).
        Assert.Equal(new float[] { 4, 6, 2, 3, 4, 6 }, f[1]);
    }

    [Fact]
    public void The_mean_scale_multiplies_the_means_and_keeps_the_expressed_means()
    {
        // The path of the test above; entries (1, 0) and (1, 1): means 1 and 1.5, expressed means 2 and 3.
        var a = NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0, 2 }, new[] { 1 } });
        var x = CsrMatrix.FromDense(new float[] { 2, 0, 4, 6, 0, 3 }, 3, 2);
        var f = NeighborFeatures.AtEntries(a, x, 1, new[] { 1, 1 }, new[] { 0, 1 }, meanScale: 1 / 0.8f);
        Assert.Equal(new[] { 1.25f, 2, 1.875f, 3 }, f);
    }

    [Fact]
    public void Block_rows_from_a_sparse_matrix_are_bit_identical_to_the_whole_batch()
    {
        // 12 cells on a ring (each lists the next two), 5 genes with zeros; three hops, rows 4..8 only.
        var a = NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, 12).Select(i => new[] { (i + 1) % 12, (i + 2) % 12 }).ToArray());
        var rng = new Random(4);
        var x = Enumerable.Range(0, 60).Select(_ => rng.NextDouble() < 0.4 ? 0f : (float)Math.Round(10 * rng.NextDouble(), 1)).ToArray();
        var whole = Compute(a, x, 12, 5, hops: 3);
        var block = NeighborFeatures.ComputeRows(a, ScGnn.MLNet.Numerics.CsrMatrix.FromDense(x, 12, 5), 4, 5, hops: 3);
        Assert.Equal(whole.Length, block.Length);
        for (int f = 0; f < whole.Length; f++)
            Assert.Equal(whole[f].AsSpan(4 * 5, 5 * 5).ToArray(), block[f]);
    }

    [Theory]
    [InlineData(0.05)] // sparse rows: a workspace clears only the genes its neighbours touched
    [InlineData(0.6)]  // dense rows: it clears every gene
    public void A_workspace_reused_across_cells_gives_each_cell_what_a_fresh_one_gives(double density)
    {
        // 150 cells, each listing 4 random others, 40 genes, two hops; one call computes every row in few workspaces,
        // the reference computes each row alone.
        const int cells = 150, genes = 40;
        var rng = new Random(9);
        var a = NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, cells)
            .Select(i => Enumerable.Range(0, 4).Select(_ => rng.Next(cells)).Where(j => j != i).Distinct().ToArray()).ToArray());
        var x = CsrMatrix.FromDense(Enumerable.Range(0, cells * genes)
            .Select(_ => rng.NextDouble() < density ? (float)Math.Round(1 + 9 * rng.NextDouble(), 1) : 0f).ToArray(), cells, genes);
        var all = NeighborFeatures.ComputeRows(a, x, 0, cells, hops: 2);
        for (int i = 0; i < cells; i++)
        {
            var alone = NeighborFeatures.ComputeRows(a, x, i, 1, hops: 2);
            for (int f = 0; f < all.Length; f++) Assert.Equal(alone[f], all[f].AsSpan(i * genes, genes).ToArray());
        }
    }

    [Fact]
    public void Second_hop_weighs_cells_by_the_squared_adjacency()
    {
        // Path 0 - 1 - 2 with self loops: degrees 2, 3, 2, so Â01 = Â12 = 1/sqrt(6), Â00 = 1/2, Â11 = 1/3.
        // (Â²)01 = Â00 Â01 + Â01 Â11 = 5 / (6 sqrt 6) and (Â²)02 = Â01 Â12 = 1/6; the cell itself stays excluded.
        var a = NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0, 2 }, new[] { 1 } });
        float[] x = { 2, 0, 4, 6, 0, 3 };
        var f = Compute(a, x, 3, 2, hops: 2);
        Assert.Equal(2 * NeighborFeatures.PerHop, f.Length);
        double w1 = 5 / (6 * Math.Sqrt(6)), w2 = 1.0 / 6;
        // Hop-1 features are unchanged by asking for more hops.
        Assert.Equal(Compute(a, x, 3, 2)[0], f[0]);
        Assert.Equal(w1 * 4 / (w1 + w2), f[2][0], 5);              // gene 0 at cell 0: 4 at cell 1, 0 at cell 2
        Assert.Equal(4, f[3][0], 5);                                // only cell 1 expresses it
        Assert.Equal((w1 * 6 + w2 * 3) / (w1 + w2), f[2][1], 5);    // gene 1: 6 and 3, both expressed
        Assert.Equal(f[2][1], f[3][1], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => Compute(a, x, 3, 2, hops: NeighborFeatures.MaxHops + 1));
    }

    [Fact]
    public void Expressed_mean_is_zero_where_no_neighbour_expresses_the_gene()
    {
        var a = NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0 } });
        var f = Compute(a, new float[] { 5, 0, 0, 0 }, 2, 2);
        Assert.Equal(new float[] { 0, 0, 5, 0 }, f[1]);
    }

    [Fact]
    public void Least_squares_recovers_per_gene_coefficients_and_intercepts()
    {
        const int cells = 40, genes = 3;
        var rng = new Random(4);
        var features = Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, cells * genes).Select(_ => (float)(rng.NextDouble() * 10)).ToArray()).ToArray();
        var tc = new List<int>(); var tg = new List<int>(); var tv = new List<float>();
        for (int c = 0; c < cells; c++)
        {
            // Gene 0: 2 m - 0.5 e + 3; gene 1: e; gene 2 has no targets.
            tc.Add(c); tg.Add(0); tv.Add(2 * features[0][c * genes] - 0.5f * features[1][c * genes] + 3);
            tc.Add(c); tg.Add(1); tv.Add(features[1][c * genes + 1]);
        }
        var perEntry = tc.Zip(tg).SelectMany(e => features.Select(f => f[e.First * genes + e.Second])).ToArray();
        var ls = new NeighborFeatures.LeastSquares(2, genes);
        ls.Add(tg.ToArray(), tv.ToArray(), perEntry);
        var (coef, intercept) = ls.Solve();
        // The small ridge (1e-3 of the mean feature energy) shrinks coefficients by well under 1 %.
        Assert.InRange(coef[0][0], 1.98, 2.0);
        Assert.InRange(coef[1][0], -0.5, -0.49);
        Assert.InRange(intercept[0], 2.9, 3.1);
        Assert.InRange(coef[0][1], -0.01, 0.01);
        Assert.InRange(coef[1][1], 0.99, 1.0);
        Assert.InRange(intercept[1], -0.1, 0.1);
        Assert.Equal(new float[] { 0, 0, 0 }, new[] { coef[0][2], coef[1][2], intercept[2] });
    }

    [Fact]
    public void Features_at_entries_equal_the_row_blocks_at_those_entries()
    {
        var p = new GcnProblem();
        var rows = NeighborFeatures.ForRows(p.Adjacency, p.Input, 2, Enumerable.Range(0, p.Cells).ToArray());
        var at = NeighborFeatures.AtEntries(p.Adjacency, p.Input, 2, p.Train.Cells, p.Train.Genes);
        Assert.Equal(p.Train.Count * 4, at.Length);
        for (int e = 0; e < p.Train.Count; e++)
            for (int f = 0; f < 4; f++)
                Assert.Equal(rows[f][p.Train.Cells[e] * p.Genes + p.Train.Genes[e]], at[e * 4 + f]);
        Assert.Throws<ArgumentException>(() => NeighborFeatures.AtEntries(p.Adjacency, p.Input, 1, new[] { 3, 1 }, new[] { 0, 0 }));
    }
}

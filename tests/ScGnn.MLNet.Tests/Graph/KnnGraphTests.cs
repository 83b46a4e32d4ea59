using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Graph;

/// <summary>Exact and approximate neighbour search: ties, duplicates, recall, determinism.</summary>
[Collection(TorchCollection.Name)]
public sealed class KnnGraphTests
{
    // Points on a line: 0, 1, 1 (a duplicate), 2, 5.
    private static readonly float[] Line = { 0, 1, 1, 2, 5 };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ties_go_to_the_lower_index_and_duplicates_are_not_their_own_neighbour(bool exact)
    {
        var search = exact ? NeighborSearch.Exact : NeighborSearch.Approximate;
        var nn = KnnGraph.NearestNeighbors(Line, 5, 1, 2, search);
        Assert.Equal(new[] { 1, 2 }, nn[0]);  // both at distance 1
        Assert.Equal(new[] { 2, 0 }, nn[1]);  // its duplicate (0), then 0 and 3 tie at 1: the lower index
        Assert.Equal(new[] { 1, 0 }, nn[2]);
        Assert.Equal(new[] { 1, 2 }, nn[3]);
        Assert.Equal(new[] { 3, 1 }, nn[4]);  // 3 at 3, then 1 and 2 tie at 4
    }

    [Fact]
    public void Neighbour_count_is_capped_at_the_other_cells()
    {
        var nn = KnnGraph.NearestNeighbors(new float[] { 0, 3, 1 }, 3, 1, 10);
        Assert.Equal(new[] { 2, 1 }, nn[0]);
        Assert.Equal(new[] { 2, 0 }, nn[1]);
    }

    [Fact]
    public void Exact_lists_for_a_smaller_k_are_the_leading_entries_of_a_larger_ks_lists()
    {
        // Integer points on a 2-D grid with repeats: many ties, which the lists break by index at every k (the
        // smoothed output's cross-validation truncates one search for all its candidate k).
        var rng = new Random(3);
        const int count = 200, dims = 2;
        var x = Enumerable.Range(0, count * dims).Select(_ => (float)rng.Next(6)).ToArray();
        var wide = KnnGraph.NearestNeighbors(x, count, dims, 30, NeighborSearch.Exact);
        foreach (int k in new[] { 1, 5, 10, 29 })
        {
            var own = KnnGraph.NearestNeighbors(x, count, dims, k, NeighborSearch.Exact);
            for (int i = 0; i < count; i++) Assert.Equal(wide[i][..k], own[i]);
        }
    }

    [Theory]
    [InlineData(0.0, 1.0)]     // well conditioned
    [InlineData(1000.0, 0.01)] // a far offset: float32 keys lose the gaps, the double re-ranking must not
    public void Exact_search_equals_a_double_precision_brute_force_with_ties_to_the_lower_index(double offset, double spread)
    {
        // 203 cells (not a multiple of the vector width) in 7 dimensions, with 20 copies of one cell.
        const int count = 203, dims = 7, k = 5;
        var rng = new Random(11);
        var x = Enumerable.Range(0, count * dims).Select(_ => (float)(offset + spread * rng.NextDouble())).ToArray();
        for (int i = 51; i < 70; i++) Array.Copy(x, 50 * dims, x, i * dims, dims);
        var nn = KnnGraph.NearestNeighbors(x, count, dims, k, NeighborSearch.Exact);
        AssertBruteForce(x, count, dims, k, nn);
        // The copies list each other, lowest indices first.
        Assert.Equal(new[] { 51, 52, 53, 54, 55 }, nn[50]);
        Assert.Equal(new[] { 50, 51, 52, 53, 54 }, nn[60]);
        // Small tiles (row blocks and column tiles with tails) give the same lists.
        Assert.Equal(nn, KnnGraph.Exact(x, count, dims, k, blockRows: 16, tileColumns: 40));
    }

    [Fact]
    public void Exact_search_over_small_tiles_keeps_every_neighbour_when_the_kth_key_falls_all_the_way()
    {
        // Cells on a line, scanned in ascending order: the last cells meet a nearer cell at every column, so their
        // running selection is replaced again and again and the kept entries are pruned many times.
        const int count = 203, k = 5;
        var x = Enumerable.Range(0, count).Select(i => (float)(i * 0.5 + (i % 3) * 0.01)).ToArray();
        var nn = KnnGraph.Exact(x, count, 1, k, blockRows: 7, tileColumns: 9);
        AssertBruteForce(x, count, 1, k, nn);
        Assert.Equal(new[] { 201, 200, 199, 198, 197 }, nn[202]);
    }

    private static void AssertBruteForce(float[] x, int count, int dims, int k, int[][] nn)
    {
        for (int i = 0; i < count; i++)
        {
            var expected = Enumerable.Range(0, count).Where(j => j != i)
                .Select(j => (D: Enumerable.Range(0, dims).Sum(d => Math.Pow((double)x[i * dims + d] - x[j * dims + d], 2)), J: j))
                .OrderBy(p => p.D).ThenBy(p => p.J).Take(k).Select(p => p.J).ToArray();
            Assert.Equal(expected, nn[i]);
        }
    }

    // 10 well separated clusters of 300 points in 16 dimensions, each cluster a Gaussian blob.
    private static float[] Clustered(int count, int dims, int seed)
    {
        var rng = new Random(seed);
        var centers = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, dims).Select(_ => rng.NextDouble() * 20).ToArray()).ToArray();
        var x = new float[count * dims];
        for (int i = 0; i < count; i++)
            for (int d = 0; d < dims; d++)
                x[i * dims + d] = (float)(centers[i % 10][d] + Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return x;
    }

    [Fact]
    public void Approximate_search_recalls_at_least_95_percent_of_the_exact_neighbours()
    {
        const int count = 3000, dims = 16, k = 10;
        var x = Clustered(count, dims, 5);
        var exact = KnnGraph.NearestNeighbors(x, count, dims, k, NeighborSearch.Exact);
        var approximate = KnnGraph.NearestNeighbors(x, count, dims, k, NeighborSearch.Approximate, seed: 1);
        Assert.All(approximate, row => Assert.Equal(k, row.Length));
        double recall = KnnGraph.Recall(approximate, exact);
        Assert.InRange(recall, 0.95, 1.0);
        // The recall of a graph against itself is 1, and against a graph of the wrong cells it is low.
        Assert.Equal(1.0, KnnGraph.Recall(exact, exact));
        Assert.True(KnnGraph.Recall(exact.Reverse().ToArray(), exact) < 0.1);
    }

    [Fact]
    public void Locality_order_is_a_permutation_that_keeps_neighbouring_cells_together()
    {
        const int count = 4000, dims = 8;
        var x = Clustered(count, dims, 8);
        var order = KnnGraph.LocalityOrder(x, count, dims, seed: 1);
        Assert.Equal(Enumerable.Range(0, count), order.OrderBy(i => i));
        Assert.Equal(order, KnnGraph.LocalityOrder(x, count, dims, seed: 1));
        Assert.NotEqual(order, KnnGraph.LocalityOrder(x, count, dims, seed: 2));
        // Cells next to each other in the order are far closer than cells next to each other by index (which are always
        // in different clusters here), and mostly in the same cluster: the clusters are well separated, and only the
        // leaves that straddle a cut between two clusters mix them.
        double Step(IReadOnlyList<int> o) => Enumerable.Range(1, count - 1).Average(q => Distance(x, o[q - 1], o[q], dims));
        var byIndex = Enumerable.Range(0, count).ToArray();
        Assert.True(Step(order) < 0.6 * Step(byIndex), $"{Step(order)} vs {Step(byIndex)}");
        double sameCluster = Enumerable.Range(1, count - 1).Count(q => order[q - 1] % 10 == order[q] % 10) / (double)(count - 1);
        Assert.InRange(sameCluster, 0.85, 1.0); // 0.1 for a random order
    }

    private static double Distance(float[] x, int a, int b, int dims) =>
        Math.Sqrt(Enumerable.Range(0, dims).Sum(d => Math.Pow(x[a * dims + d] - x[b * dims + d], 2)));

    [Fact]
    public void Approximate_search_is_deterministic_for_a_seed()
    {
        const int count = 1500, dims = 8;
        var x = Clustered(count, dims, 6);
        var a = KnnGraph.NearestNeighbors(x, count, dims, 5, NeighborSearch.Approximate, seed: 3);
        var b = KnnGraph.NearestNeighbors(x, count, dims, 5, NeighborSearch.Approximate, seed: 3);
        for (int i = 0; i < count; i++) Assert.Equal(a[i], b[i]);
    }

    [Fact]
    public void The_searches_check_for_cancellation_between_blocks_of_cells()
    {
        const int count = 100, dims = 4;
        var x = Clustered(count, dims, 3);
        int calls = 0;
        // Exact: once before each block of rows (16 rows: 7 blocks); the same neighbours as without the checks.
        var exact = KnnGraph.Exact(x, count, dims, 5, blockRows: 16, tileColumns: 40, checkAlive: () => calls++);
        Assert.Equal(7, calls);
        Assert.Equal(KnnGraph.NearestNeighbors(x, count, dims, 5), exact);
        // Approximate: once per chunk of insertions into each shard, then once per chunk of queries.
        calls = 0;
        KnnGraph.Approximate(x, count, dims, 5, 1, 2, KnnGraph.ExpansionSearch, 1, null, () => Interlocked.Increment(ref calls));
        Assert.Equal(3, calls);
    }

    [Theory]
    [InlineData(1, 1)] // the only shard's first insertions
    [InlineData(2, 1)] // both shards' insertions, in parallel: the loop's AggregateException is unwrapped
    [InlineData(2, 3)] // the first queries
    public void A_cancelled_approximate_search_throws_the_cancellation_itself(int shards, int cancelAt)
    {
        const int count = 300, dims = 4;
        var x = Clustered(count, dims, 3);
        int calls = 0;
        var error = Record.Exception(() => KnnGraph.Approximate(x, count, dims, 5, 1, shards, KnnGraph.ExpansionSearch, 1, null, () =>
        {
            if (Interlocked.Increment(ref calls) >= cancelAt) throw new OperationCanceledException("cancelled");
        }));
        Assert.IsType<OperationCanceledException>(error);
        Assert.Equal("cancelled", error.Message);
        // The exact search stops at its second block of rows.
        int blocks = 0;
        Assert.IsType<OperationCanceledException>(Record.Exception(() =>
            KnnGraph.Exact(x, count, dims, 5, 64, 64, () => { if (++blocks == 2) throw new OperationCanceledException(); })));
        Assert.Equal(2, blocks);
    }

    [Fact]
    public void Sharded_approximate_search_finds_neighbours_across_the_shard_cut_and_is_deterministic()
    {
        const int count = 3000, dims = 16, k = 10;
        var x = Clustered(count, dims, 5);
        var exact = KnnGraph.NearestNeighbors(x, count, dims, k, NeighborSearch.Exact);
        var sharded = KnnGraph.Approximate(x, count, dims, k, seed: 1, shards: 2);
        Assert.All(sharded, row => Assert.Equal(k, row.Length));
        Assert.All(Enumerable.Range(0, count), i => Assert.DoesNotContain(i, sharded[i]));
        Assert.InRange(KnnGraph.Recall(sharded, exact), 0.95, 1.0);
        // Each cell's list mixes both halves of the locality order wherever its true neighbours do: the cells whose exact
        // neighbours straddle the cut are found on both sides.
        var order = KnnGraph.LocalityOrder(x, count, dims, seed: 1);
        var firstHalf = new HashSet<int>(order.Take(count / 2));
        int straddling = Enumerable.Range(0, count).Count(i => sharded[i].Any(firstHalf.Contains) && sharded[i].Any(j => !firstHalf.Contains(j)));
        int straddlingExact = Enumerable.Range(0, count).Count(i => exact[i].Any(firstHalf.Contains) && exact[i].Any(j => !firstHalf.Contains(j)));
        Assert.True(straddlingExact > 0);
        Assert.InRange(straddling, 0.9 * straddlingExact, 1.1 * straddlingExact);
        var again = KnnGraph.Approximate(x, count, dims, k, seed: 1, shards: 2);
        for (int i = 0; i < count; i++) Assert.Equal(sharded[i], again[i]);
    }

    [Fact]
    public void Cell_graph_on_sparse_rows_equals_the_dense_construction()
    {
        const int cells = 120, genes = 12;
        var rng = new Random(8);
        var x = new float[cells * genes];
        for (int q = 0; q < x.Length; q++) x[q] = rng.NextDouble() < 0.6 ? 0 : (float)(1 + (q / genes % 3) * 2 + rng.NextDouble());
        var csr = CsrMatrix.FromDense(x, cells, genes);
        var (pca, adjacency) = CellGraph.Fit(csr, 5, 4, seed: 1);
        var dense = PcaProjection.Fit(x, cells, genes, 5);
        var expected = NormalizedAdjacency.FromNeighbors(KnnGraph.NearestNeighbors(dense.Transform(x, cells), cells, dense.ComponentCount, 4));
        Assert.Equal(5, pca.ComponentCount);
        Assert.Equal(expected.RowPointers, adjacency.RowPointers);
        Assert.Equal(expected.Columns, adjacency.Columns);
        for (int q = 0; q < expected.Values.Length; q++) Assert.Equal(expected.Values[q], adjacency.Values[q], 1e-6);
    }
}

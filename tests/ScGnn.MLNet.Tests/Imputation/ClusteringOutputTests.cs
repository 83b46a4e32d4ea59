using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ClusteringOutputTests
{
    // A path 0 - 1 - 2 with self loops: P rows are mean(x0, x1), mean(x0, x1, x2), mean(x1, x2).
    private static DiffusionOperator PathGraph() => DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 0 }, new[] { 1 } }));

    [Fact]
    public void Diffusion_is_the_random_walk_with_self_loops()
    {
        var x = CsrMatrix.FromDense(new float[] { 0, 10, 3, 0, 6, 20 }, 3, 2);
        Assert.Equal(new float[] { 0, 10, 3, 0, 6, 20 }, ClusteringOutput.Diffuse(PathGraph(), x, 0));
        var one = ClusteringOutput.Diffuse(PathGraph(), x, 1);
        Assert.Equal(new[] { 1.5, 5, 3, 10, 4.5, 10 }, one.Select(v => (double)v), new Tolerance(1e-5));
        var two = ClusteringOutput.Diffuse(PathGraph(), x, 2);
        // t = 2: P applied to (1.5, 3, 4.5) and (5, 10, 10).
        Assert.Equal(new[] { 2.25, 7.5, 3, 25.0 / 3, 3.75, 10 }, two.Select(v => (double)v), new Tolerance(1e-5));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Diffusion_of_a_wide_batch_equals_the_dense_product(double decay)
    {
        // 70 genes: gene blocks of the widest register row and a narrower tail, each padded to whole vectors; the
        // adaptive kernel gives rows of unequal weights and lengths.
        const int cells = 40, genes = 70, steps = 3;
        var rng = new Random(3);
        var dense = Enumerable.Range(0, cells * genes).Select(_ => rng.NextDouble() < 0.6 ? 0f : (float)Math.Round(10 * rng.NextDouble(), 1)).ToArray();
        var x = CsrMatrix.FromDense(dense, cells, genes);
        var points = Enumerable.Range(0, cells * 2).Select(_ => (float)rng.NextDouble()).ToArray();
        var graph = decay > 0
            ? DiffusionOperator.AlphaDecay(points, KnnGraph.NearestNeighbors(points, cells, 2, 9), 2, 3, decay)
            : DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(KnnGraph.NearestNeighbors(points, cells, 2, 4)));
        var expected = dense.Select(v => (double)v).ToArray();
        for (int t = 0; t < steps; t++)
        {
            var next = new double[expected.Length];
            for (int i = 0; i < cells; i++)
                for (int q = graph.RowPointers[i]; q < graph.RowPointers[i + 1]; q++)
                    for (int g = 0; g < genes; g++) next[i * genes + g] += graph.Weights[q] * expected[graph.Columns[q] * genes + g];
            expected = next;
        }
        var actual = ClusteringOutput.Diffuse(graph, x, steps);
        Assert.Equal(expected, actual.Select(v => (double)v), new Tolerance(1e-4));
        Assert.True(expected.Count(v => v != 0) > dense.Count(v => v != 0), "the diffusion fills zeros");
    }

    [Fact]
    public void Diffusion_in_log_space_is_the_geometric_walk()
    {
        // Cell 0's row of P is (1/2, 1/2, 0): expm1 of the mean of log1p(0) and log1p(3) is sqrt(4) - 1 = 1.
        var x = CsrMatrix.FromDense(new float[] { 0, 10, 3, 0, 6, 20 }, 3, 2);
        var one = ClusteringOutput.Diffuse(PathGraph(), x, 1, logSpace: true);
        Assert.Equal(1.0, one[0], 5);
        Assert.Equal(Math.Sqrt(11) - 1, one[1], 4);
        Assert.Equal(Math.Pow(4 * 7, 1.0 / 3) - 1, one[2], 4);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Rows_of_a_block_equal_the_whole_batch_diffusion(int steps, bool logSpace)
    {
        var x = CsrMatrix.FromDense(new float[] { 0, 10, 3, 0, 6, 20 }, 3, 2);
        var whole = ClusteringOutput.Diffuse(PathGraph(), x, steps, logSpace);
        var top = ClusteringOutput.DiffuseRows(PathGraph(), x, steps, logSpace, 0, 2);
        var last = ClusteringOutput.DiffuseRows(PathGraph(), x, steps, logSpace, 2, 1);
        Assert.Equal(whole.Select(v => (double)v), top.Concat(last).Select(v => (double)v), new Tolerance(1e-5));
    }

    [Theory]
    [InlineData(2, false, 1.0)]
    [InlineData(3, true, 1.0)]
    [InlineData(1, false, 0.5)]
    public void Rows_read_back_from_the_spill_file_equal_the_whole_batch_diffusion(int steps, bool logSpace, double weight)
    {
        var x = CsrMatrix.FromDense(new float[] { 0, 10, 3, 0, 6, 20 }, 3, 2);
        var whole = ClusteringOutput.Diffuse(PathGraph(), x, steps, logSpace);
        using var spill = SpilledDiffusion.Write(PathGraph(), x, steps, logSpace);
        // On Unix the file is unlinked once open: nothing is left behind even if the process is killed.
        if (!OperatingSystem.IsWindows()) Assert.Empty(Directory.GetFiles(Path.GetTempPath(), "scgnn-smoothed-*"));
        // Added onto what the rows hold: rows 1-2 start at 1 and get weight x the diffused values.
        var into = Enumerable.Repeat(1f, 4).ToArray();
        spill.AddRows(1, 2, into, (float)weight);
        Assert.Equal(whole.Skip(2).Select(v => 1 + weight * v), into.Select(v => (double)v), new Tolerance(1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => spill.AddRows(2, 2, new float[4], 1));
    }

    [Fact]
    public void A_wide_batch_spills_in_gene_blocks_and_reads_back_every_block()
    {
        // 70 genes at 40 cells: three gene blocks (32, 32, 6) of the file, each read back at its offset.
        const int cells = 40, genes = 70;
        var rng = new Random(5);
        var dense = Enumerable.Range(0, cells * genes).Select(_ => rng.NextDouble() < 0.6 ? 0f : (float)Math.Round(10 * rng.NextDouble(), 1)).ToArray();
        var x = CsrMatrix.FromDense(dense, cells, genes);
        var points = Enumerable.Range(0, cells * 2).Select(_ => (float)rng.NextDouble()).ToArray();
        var graph = DiffusionOperator.AlphaDecay(points, KnnGraph.NearestNeighbors(points, cells, 2, 9), 2, 3, 1);
        Assert.Equal(3, ClusteringOutput.Blocks(cells, genes, SpilledDiffusion.BlockBudget(cells)).Length);
        var whole = ClusteringOutput.Diffuse(graph, x, 2);
        using var spill = SpilledDiffusion.Write(graph, x, 2, false);
        var rows = new float[7 * genes];
        spill.AddRows(30, 7, rows, 1);
        Assert.Equal(whole.Skip(30 * genes).Take(7 * genes).Select(v => (double)v), rows.Select(v => (double)v), new Tolerance(1e-5));
    }

    [Fact]
    public void The_spill_needs_room_for_its_file_and_a_margin_on_the_temporary_disk()
    {
        string folder = Path.GetTempPath();
        Assert.True(SpilledDiffusion.HasRoom(1, folder, out long free));
        Assert.True(free > 0, "the platform reports the temporary disk's free space");
        // The file itself fits but not the margin (a tenth of the file, at least 64 MB), or the file does not fit.
        Assert.False(SpilledDiffusion.HasRoom(free - (1L << 20), folder, out _));
        Assert.False(SpilledDiffusion.HasRoom(free + 1, folder, out _));
        Assert.Equal(3L * 70 * 4, SpilledDiffusion.FileBytes(3, 70));
    }

    [Fact]
    public void Output_costs_count_each_walk_and_each_gene_block_step()
    {
        // Path graph rows hold 2, 3, 2 entries; the rows of x hold 1, 1, 2 values. t = 1: cell 0's walk adds its 2
        // entries, then reads cells 0 and 1 (2 values): 4; cell 1: 3 + 4 = 7; cell 2: 2 + 3 = 5; 16 in all. By gene
        // blocks: one block of one vector, 7 entries of P x 1 step x 1 vector, 6 values written, 4 read: 17.
        var x = CsrMatrix.FromDense(new float[] { 0, 10, 3, 0, 6, 20 }, 3, 2);
        var (rows, blocks) = ClusteringOutput.OutputCosts(PathGraph(), x, 1, samples: 3);
        Assert.Equal(16, rows, 9);
        Assert.Equal(17, blocks, 9);
        // t = 2: cell 0's support {0, 1} adds 2 + 3 entries and reads all three cells (4 values): 2 + 5 + 4 = 11; cell 1: 3 + 7 + 4 = 14;
        // cell 2: 2 + 5 + 4 = 11. By gene blocks: 2 x 7 + 6 + 4 = 24.
        (rows, blocks) = ClusteringOutput.OutputCosts(PathGraph(), x, 2, samples: 3);
        Assert.Equal(36, rows, 9);
        Assert.Equal(24, blocks, 9);
        // Past a bound the walks stop: after cell 0 the estimate, 11 of 3 samples x 3 cells, is sure to exceed 10.
        (rows, _) = ClusteringOutput.OutputCosts(PathGraph(), x, 2, samples: 3, stopAbove: 10);
        Assert.Equal(11, rows, 9);
    }

    [Fact]
    public void A_batch_larger_than_a_block_gives_the_same_rows_as_the_whole_batch()
    {
        // Two noisy groups without dropout: cross-validation smooths (t > 0), and the row-by-row output of a batch
        // treated as too large for one block equals the whole-batch diffusion.
        var (observed, _, _) = TwoGroupData.Create(cells: 60, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var pca = PcaProjection.Fit(x.Log1p(), 10);
        var said = new List<string>();
        var whole = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default, progress: said.Add);
        var blocks = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default, wholeBatchFloats: 0);
        Assert.InRange(whole.Steps, 1, ClusteringOutput.MaxSteps);
        // The shared search (exact at this size), one line per cross-validated k (the model's k halved, kept,
        // doubled) counting up to the last, and the batch's own graph with the choice.
        Assert.Equal(5, said.Count);
        Assert.Contains("the 60 nearest cells of each cell (exact)", said[0]);
        Assert.Contains("k = 5 (1 of 3)", said[1]);
        Assert.Contains("k = 20 (3 of 3)", said[3]);
        Assert.Contains("about 0 s left", said[3]);
        Assert.Contains($"the batch's own graph (k = {whole.NeighborCount}, t = {whole.Steps}, weight", said[4]);
        Assert.Equal((whole.Steps, whole.NeighborCount, whole.Components), (blocks.Steps, blocks.NeighborCount, blocks.Components));
        var expected = whole.Rows(0, x.Rows);
        var got = Enumerable.Range(0, 6).SelectMany(b => blocks.Rows(b * 10, 10)).ToArray();
        Assert.Equal(expected.Select(v => (double)v), got.Select(v => (double)v), new Tolerance(1e-4));
        // Diffused ahead into a file and read back in blocks: the same rows, and the progress says so.
        var told = new List<string>();
        var spilled = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default with { Spill = true }, wholeBatchFloats: 0, progress: told.Add);
        var byRows = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default with { Spill = false }, wholeBatchFloats: 0);
        Assert.True(spilled.Spilled);
        Assert.False(byRows.Spilled);
        Assert.False(whole.Spilled);
        Assert.Contains(told, m => m.Contains("diffusing all 60 cells a gene block at a time into a temporary file"));
        Assert.Contains(told, m => m.Contains("diffused gene block 1 of 1"));
        var read = Enumerable.Range(0, 6).SelectMany(b => spilled.Rows(b * 10, 10)).ToArray();
        Assert.Equal(expected.Select(v => (double)v), read.Select(v => (double)v), new Tolerance(1e-4));
    }

    [Fact]
    public void Cross_validation_reads_a_sample_of_a_large_batch_and_smooths_every_cell_with_its_choice()
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 120, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var said = new List<string>();
        var sampled = ClusteringOutput.Prepare(null, 10, true, 10, x, SmoothingSettings.Default with { CrossValidationCells = 60 }, progress: said.Add);
        Assert.Contains("of a random 60 of the 120 cells", said[0]);
        Assert.InRange(sampled.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.Equal(120, sampled.Cells);
        // The output is the whole batch smoothed over its own graph with the sample's k, t and weight: the same rows as
        // every cell cross-validated with only those candidates.
        var fixedChoice = SmoothingSettings.Default with
        {
            NeighborFactors = new[] { sampled.NeighborCount / 10.0 },
            FixedSteps = sampled.Steps,
            MixByCrossValidation = false,
            Mix = sampled.Weight,
        };
        var all = ClusteringOutput.Prepare(null, 10, true, 10, x, fixedChoice);
        Assert.Equal((sampled.NeighborCount, sampled.Steps, sampled.Weight), (all.NeighborCount, all.Steps, all.Weight));
        Assert.Equal(all.Rows(0, 120), sampled.Rows(0, 120));
        // Within the budget every cell is read.
        var told = new List<string>();
        ClusteringOutput.Prepare(null, 10, true, 10, x, SmoothingSettings.Default with { CrossValidationCells = 120 }, progress: told.Add);
        Assert.DoesNotContain("of a random", told[0]);
    }

    [Fact]
    public void The_cross_validation_sample_is_a_fixed_random_set_of_distinct_cells()
    {
        Assert.Null(ClusteringOutput.CrossValidationSample(ClusteringOutput.CrossValidationCells));
        Assert.Null(ClusteringOutput.CrossValidationSample(500, 500));
        var s = ClusteringOutput.CrossValidationSample(10_000, 2_000)!;
        Assert.Equal(2_000, s.Length);
        Assert.True(s.Zip(s.Skip(1)).All(p => p.First < p.Second), "ascending and distinct");
        Assert.InRange(s[0], 0, 100);
        Assert.InRange(s[^1], 9_900, 9_999);
        // Uniform over the cells: a fifth of each tenth of them (binomial sd about 12.6), and the same set every time.
        for (int d = 0; d < 10; d++) Assert.InRange(s.Count(i => i / 1_000 == d), 200 - 60, 200 + 60);
        Assert.Equal(s, ClusteringOutput.CrossValidationSample(10_000, 2_000));
    }

    [Fact]
    public void Molecules_split_into_two_integer_halves_of_each_rounded_value()
    {
        var x = CsrMatrix.FromDense(new float[] { 0, 1, 2.4f, 7.6f, 1000, 50000 }, 2, 3);
        var (a, b) = ClusteringOutput.SplitMolecules(x, new Random(3));
        var rounded = new[] { 1f, 2, 8, 1000, 50000 };
        for (int q = 0; q < a.Values.Length; q++)
        {
            Assert.Equal(MathF.Round(a.Values[q]), a.Values[q]);
            Assert.Equal(rounded[q], a.Values[q] + b.Values[q]);
            Assert.InRange(a.Values[q], 0, rounded[q]);
        }
        // Half of the molecules within 4 sd: 1000 molecules sd 15.8, 50,000 (normal approximation) sd 112.
        Assert.InRange(a.Values[3], 500 - 64, 500 + 64);
        Assert.InRange(a.Values[4], 25000 - 448, 25000 + 448);
        var (a2, _) = ClusteringOutput.SplitMolecules(x, new Random(3));
        Assert.Equal(a.Values, a2.Values);
    }

    [Fact]
    public void Held_out_loss_is_the_mean_squared_log1p_error_of_each_step()
    {
        var first = CsrMatrix.FromDense(new float[] { 0, 3, 6 }, 3, 1);
        var second = CsrMatrix.FromDense(new float[] { 2, 2, 2 }, 3, 1);
        var losses = ClusteringOutput.HeldOutLosses(PathGraph(), first, second);
        Assert.Equal(ClusteringOutput.MaxSteps + 1, losses.Length);
        double L(double v) => Math.Log(1 + v);
        double t0 = (Math.Pow(L(0) - L(2), 2) + Math.Pow(L(3) - L(2), 2) + Math.Pow(L(6) - L(2), 2)) / 3;
        double t1 = (Math.Pow(L(1.5) - L(2), 2) + Math.Pow(L(3) - L(2), 2) + Math.Pow(L(4.5) - L(2), 2)) / 3;
        Assert.Equal(t0, losses[0], 5);
        Assert.Equal(t1, losses[1], 5);
        Assert.True(losses[2] < losses[1], "smoothing toward the flat truth keeps helping");
    }

    [Fact]
    public void Smoothed_output_of_clean_groups_is_chosen_and_keeps_each_group_mean()
    {
        // No dropout: two Poisson groups; smoothing half the molecules over a same-group graph predicts the other half
        // better, so t > 0; the diffusion stays within each group, so group means hold and within-group spread falls.
        var (observed, _, group) = TwoGroupData.Create(cells: 80, genes: 30, dropout: 0, seed: 4);
        var ml = new MLContext(1);
        var data = observed.ToDataView();
        var o = new ScGnnOptions { Epochs = 5, BottleneckRatio = 8, PrincipalComponentCount = 10, Device = ScGnnDevice.Cpu, Seed = 1 };
        var model = ml.Transforms.ImputeWithScGnn(o).Fit(data);
        var smoothedModel = model.WithOutputMode(ImputationOutputMode.Smoothed, "Smoothed");
        Assert.Equal(ImputationOutputMode.Smoothed, smoothedModel.OutputMode);
        Assert.Equal("Smoothed", smoothedModel.OutputColumnName);
        var output = smoothedModel.Transform(data).GetColumn<VBuffer<float>>("Smoothed").Select(v => v.DenseValues().ToArray()).ToArray();

        var prepared = ClusteringOutput.Prepare(model.State, CsrMatrix.From(observed));
        Assert.InRange(prepared.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.Contains(prepared.NeighborCount, new[] { 5, 10, 20 });
        for (int i = 0; i < observed.CellCount; i++) Assert.Equal(prepared.Rows(i, 1), output[i]);

        for (int j = 0; j < observed.GeneCount; j++)
            for (int gr = 0; gr < 2; gr++)
            {
                var cells = Enumerable.Range(0, observed.CellCount).Where(i => group[i] == gr).ToArray();
                double inMean = cells.Average(i => observed[i, j]), outMean = cells.Average(i => output[i][j]);
                Assert.True(Math.Abs(inMean - outMean) <= 0.1 * inMean + 0.2, $"gene {j} group {gr}: mean {inMean} -> {outMean}");
                double inVar = cells.Average(i => Math.Pow(observed[i, j] - inMean, 2)), outVar = cells.Average(i => Math.Pow(output[i][j] - outMean, 2));
                Assert.True(outVar < inVar, $"gene {j} group {gr}: variance {inVar} -> {outVar}");
            }
    }

    [Fact]
    public void Cells_unlike_their_neighbours_keep_their_own_values_and_progress_says_so()
    {
        // Deep counts with an independent mean per cell and gene: a cell's own first half predicts its second half,
        // and any neighbour's values are unrelated, so cross-validation keeps the input (t = 0).
        const int cells = 60, genes = 20;
        var rng = new Random(5);
        var dense = new float[cells * genes];
        for (int e = 0; e < dense.Length; e++)
        {
            double mean = Math.Exp(6 + 2 * (rng.NextDouble() * 2 - 1));
            dense[e] = (float)Math.Round(mean + Math.Sqrt(mean) * (rng.NextDouble() * 2 - 1));
        }
        var x = CsrMatrix.FromDense(dense, cells, genes);
        var said = new List<string>();
        var output = ClusteringOutput.Prepare(null, 8, true, 5, x, SmoothingSettings.Default, progress: said.Add);
        Assert.Equal(0, output.Steps);
        Assert.Equal(dense, output.Rows(0, cells));
        Assert.Contains(said, s => s.Contains("t = 0") && s.Contains("the input unchanged"));
    }

    [Fact]
    public void Genes_at_unit_variance_let_weak_markers_choose_the_neighbours_over_loud_noise()
    {
        // Two groups of 30 cells: six marker genes 0 in group 0 and 1 in group 1 (log1p variance 0.12 each), three
        // noise genes 0 or 500 at random (variance 9.7 each). Unscaled, the graph follows the noise and mixes the
        // groups; at unit variance the markers outweigh it and every cell's 3k = 15 kernel neighbours share its group.
        const int cells = 60, markers = 6, genes = 9;
        var rng = new Random(3);
        var dense = new float[cells * genes];
        for (int i = 0; i < cells; i++)
        {
            for (int j = 0; j < markers; j++) dense[i * genes + j] = i < cells / 2 ? 0 : 1;
            for (int j = markers; j < genes; j++) dense[i * genes + j] = rng.Next(2) * 500;
        }
        var x = CsrMatrix.FromDense(dense, cells, genes);
        float[] MarkerOfEachCell(string spec)
        {
            var rows = ClusteringOutput.Prepare(null, 8, true, 5, x, SmoothingSettings.Parse(spec)).Rows(0, cells);
            return Enumerable.Range(0, cells).Select(i => rows[i * genes]).ToArray();
        }
        var scaled = MarkerOfEachCell("basis=batch/scale=1/decay=1/ks=1/tfix=1");
        var unscaled = MarkerOfEachCell("basis=batch/decay=1/ks=1/tfix=1");
        for (int i = 0; i < cells; i++) Assert.Equal(i < cells / 2 ? 0f : 1f, scaled[i], 4);
        Assert.True(unscaled.Take(cells / 2).Max() > 0.2f, $"unscaled group 0 marker at most {unscaled.Take(cells / 2).Max()}");
        Assert.True(unscaled.Skip(cells / 2).Min() < 0.8f, $"unscaled group 1 marker at least {unscaled.Skip(cells / 2).Min()}");
        Assert.True(SmoothingSettings.Default.ScaleGenes);
    }

    [Fact]
    public void A_smoothed_model_round_trips_through_a_zip()
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 40, genes: 20, seed: 5);
        var ml = new MLContext(1);
        var data = observed.ToDataView();
        var o = new ScGnnOptions { Epochs = 3, BottleneckRatio = 4, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu };
        var model = ml.Transforms.ImputeWithScGnn(o).Fit(data).WithOutputMode(ImputationOutputMode.Smoothed);
        string path = Path.Combine(Path.GetTempPath(), $"scgnn-smoothed-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = (ScGnnImputationTransformer)ml.Model.Load(path, out _);
            Assert.Equal(ImputationOutputMode.Smoothed, loaded.OutputMode);
            var a = model.Transform(data).GetColumn<VBuffer<float>>(o.OutputColumnName).Select(v => v.DenseValues().ToArray()).ToArray();
            var b = loaded.Transform(data).GetColumn<VBuffer<float>>(o.OutputColumnName).Select(v => v.DenseValues().ToArray()).ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Held_out_loss_of_a_mix_weighs_the_smoothed_values_against_the_observed_ones()
    {
        var first = CsrMatrix.FromDense(new float[] { 0, 3, 6 }, 3, 1);
        var second = CsrMatrix.FromDense(new float[] { 2, 2, 2 }, 3, 1);
        var mixed = ClusteringOutput.HeldOutMixLosses(PathGraph(), first, second, 2, new[] { 0.5, 1.0 });
        double L(double v) => Math.Log(1 + v);
        // t = 1 smooths (0, 3, 6) to (1.5, 3, 4.5); half of it plus half of the input is (0.75, 3, 5.25).
        double half = (Math.Pow(L(0.75) - L(2), 2) + Math.Pow(L(3) - L(2), 2) + Math.Pow(L(5.25) - L(2), 2)) / 3;
        Assert.Equal(half, mixed[1, 0], 5);
        // Weight 1 is the plain held-out loss; at t = 0 every weight gives the input's loss.
        var plain = ClusteringOutput.HeldOutLosses(PathGraph(), first, second, 2);
        for (int t = 0; t <= 2; t++) Assert.Equal(plain[t], mixed[t, 1], 6);
        Assert.Equal(plain[0], mixed[0, 0], 6);
    }

    // Two random count halves (half the entries zero) and a flat kNN graph over random points in the plane.
    private static (CsrMatrix First, CsrMatrix Second, DiffusionOperator Graph) RandomHalves(int cells, int genes, int seed, int k)
    {
        var (first, second, lists) = RandomHalvesAndLists(cells, genes, seed, k);
        return (first, second, DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(lists)));
    }

    private static (CsrMatrix First, CsrMatrix Second, int[][] Lists) RandomHalvesAndLists(int cells, int genes, int seed, int k)
    {
        var rng = new Random(seed);
        float Draw() => rng.NextDouble() < 0.5 ? 0 : (float)Math.Round(1 + 5 * rng.NextDouble());
        var first = CsrMatrix.FromDense(Enumerable.Range(0, cells * genes).Select(_ => Draw()).ToArray(), cells, genes);
        var second = CsrMatrix.FromDense(Enumerable.Range(0, cells * genes).Select(_ => Draw()).ToArray(), cells, genes);
        var points = Enumerable.Range(0, cells * 2).Select(_ => (float)rng.NextDouble()).ToArray();
        return (first, second, KnnGraph.NearestNeighbors(points, cells, 2, k));
    }

    [Fact]
    public void Held_out_mix_losses_do_not_depend_on_the_gene_block_width()
    {
        const int cells = 50;
        int v = System.Numerics.Vector<float>.Count;
        var (first, second, graph) = RandomHalves(cells, genes: 5 * v + 3, seed: 9, k: 5);
        var weights = new[] { 0.2, 0.6, 1.0 };
        var whole = ClusteringOutput.HeldOutMixLosses(graph, first, second, 4, weights);
        // Budgets of one gene per block (raised to one vector's width, never narrower), one, two and three vectors of
        // genes (four arrays of 50 cells), each with a narrower tail block; the float sums run over other chunks, so
        // equal to rounding.
        foreach (long budget in new long[] { 4 * cells, 4 * cells * v, 8 * cells * v, 12 * cells * v })
        {
            var blocked = ClusteringOutput.HeldOutMixLosses(graph, first, second, 4, weights, budget);
            for (int t = 0; t <= 4; t++)
                for (int m = 0; m < weights.Length; m++)
                    Assert.Equal(whole[t, m], blocked[t, m], 1e-6);
        }
        Assert.True(whole[1, 2] != whole[0, 2], "one step of smoothing changes the loss");
    }

    [Fact]
    public void Held_out_losses_over_renumbered_cells_equal_those_in_the_batch_order()
    {
        // The cross-validation diffuses in a locality order: the graph built from the same lists, relabelled.
        const int cells = 70;
        int v = System.Numerics.Vector<float>.Count;
        var (first, second, lists) = RandomHalvesAndLists(cells, genes: 2 * v + 1, seed: 12, k: 6);
        var graph = DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(lists));
        var order = Enumerable.Range(0, cells).OrderBy(i => (i * 37) % cells).ToArray();
        var position = new int[cells];
        for (int r = 0; r < cells; r++) position[order[r]] = r;
        var renumbered = DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(ClusteringOutput.Relabel(lists, order, position)));
        var weights = new[] { 0.4, 1.0 };
        var inOrder = ClusteringOutput.HeldOutMixLosses(graph, first, second, 3, weights);
        var reordered = ClusteringOutput.HeldOutMixLosses(renumbered, first, second, 3, weights, position: position);
        var plain = ClusteringOutput.HeldOutLosses(graph, first, second, 3, logSpace: true);
        var plainReordered = ClusteringOutput.HeldOutLosses(renumbered, first, second, 3, logSpace: true, position);
        for (int t = 0; t <= 3; t++)
        {
            for (int m = 0; m < weights.Length; m++) Assert.Equal(inOrder[t, m], reordered[t, m], 1e-6);
            Assert.Equal(plain[t], plainReordered[t], 1e-6);
        }
        // Without the cells' positions the renumbered graph diffuses the wrong rows.
        var mismatched = ClusteringOutput.HeldOutMixLosses(renumbered, first, second, 3, weights);
        Assert.NotEqual(inOrder[2, 1], mismatched[2, 1], 6);
    }

    [Fact]
    public void Loss_genes_are_every_gene_within_the_budget_and_a_sample_by_abundance_above_it()
    {
        // Gene g's sum is (g * 7) % 10 + 1 over two cells: genes by abundance 0, 3, 6, 9, 2, 5, 8, 1, 4, 7.
        var dense = new float[2 * 10];
        for (int g = 0; g < 10; g++) dense[g] = dense[10 + g] = ((g * 7) % 10 + 1) / 2f;
        var x = CsrMatrix.FromDense(dense, 2, 10);
        Assert.Null(ClusteringOutput.LossGenes(x));
        Assert.Null(ClusteringOutput.LossGenes(x, 10));
        // Ranks (c + 1/2) x 10 / count of the abundance order: 1, 3, 5, 7, 9 (genes 3, 9, 5, 1, 7); 1, 5, 8 (3, 5, 4); 5 (5).
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }, ClusteringOutput.LossGenes(x, 5));
        Assert.Equal(new[] { 3, 4, 5 }, ClusteringOutput.LossGenes(x, 3));
        Assert.Equal(new[] { 5 }, ClusteringOutput.LossGenes(x, 1));
    }

    [Fact]
    public void Held_out_mix_losses_equal_the_scalar_sum_over_every_diffused_entry()
    {
        var (first, second, graph) = RandomHalves(cells: 60, genes: 9, seed: 4, k: 4);
        var weights = new[] { 0.3, 1.0 };
        var losses = ClusteringOutput.HeldOutMixLosses(graph, first, second, 3, weights);
        var x = first.ToDense();
        var target = second.ToDense();
        for (int t = 0; t <= 3; t++)
        {
            var smoothed = ClusteringOutput.Diffuse(graph, first, t);
            for (int m = 0; m < weights.Length; m++)
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                    s += Math.Pow(Math.Log(1 + (1 - weights[m]) * x[i] + weights[m] * smoothed[i]) - Math.Log(1 + target[i]), 2);
                Assert.Equal(s / x.Length, losses[t, m], 5);
            }
        }
    }

    [Fact]
    public void Parts_of_the_molecules_add_up_to_each_value()
    {
        var x = CsrMatrix.FromDense(new float[] { 0, 0.4f, 2.2f, 9, 3000, 12 }, 2, 3);
        var parts = ClusteringOutput.SplitParts(x, 3, new Random(5));
        Assert.Equal(3, parts.Length);
        for (int q = 0; q < x.Values.Length; q++)
        {
            Assert.Equal(x.Values[q], parts.Sum(p => p.Part.Values[q]), 3);
            foreach (var (part, others) in parts)
            {
                Assert.Equal(x.Values[q], part.Values[q] + others.Values[q], 3);
                Assert.InRange(part.Values[q], 0, x.Values[q]);
            }
        }
        // 0.4 rounds to no molecules: an equal third each. 2.2 rounds to 2 molecules: each part 0, 1.1 or 2.2.
        Assert.All(parts, p => Assert.Equal(0.4f / 3, p.Part.Values[0], 5));
        Assert.All(parts, p => Assert.Contains(Math.Round(p.Part.Values[1] / 1.1), new[] { 0.0, 1, 2 }));
        // 3000 molecules (normal approximation): a third within 4 sd (sd about 25.8).
        Assert.All(parts, p => Assert.InRange(p.Part.Values[3], 1000 - 104, 1000 + 104));
        var again = ClusteringOutput.SplitParts(x, 3, new Random(5));
        for (int f = 0; f < 3; f++) Assert.Equal(parts[f].Part.Values, again[f].Part.Values);
    }

    [Theory]
    [InlineData("mix=0.5")]
    [InlineData("decay=1/mix=cv/mixgrid=4")]
    [InlineData("cross=2")]
    [InlineData("decay=1/cross=3/mix=0.6")]
    public void Weighted_and_cross_fitted_outputs_give_the_same_rows_block_wise(string spec)
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 60, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var pca = PcaProjection.Fit(x.Log1p(), 10);
        var settings = SmoothingSettings.Parse(spec);
        var whole = ClusteringOutput.Prepare(pca, true, 10, x, settings);
        var blocks = ClusteringOutput.Prepare(pca, true, 10, x, settings, wholeBatchFloats: 0);
        Assert.InRange(whole.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.Equal((whole.Steps, whole.NeighborCount, whole.Weight), (blocks.Steps, blocks.NeighborCount, blocks.Weight));
        var expected = whole.Rows(0, x.Rows);
        var got = Enumerable.Range(0, 6).SelectMany(b => blocks.Rows(b * 10, 10)).ToArray();
        Assert.Equal(expected.Select(v => (double)v), got.Select(v => (double)v), new Tolerance(1e-4));
        // Each weighted or cross-fitted part diffused ahead into a file and read back in blocks: the same rows.
        var told = new List<string>();
        var spilled = ClusteringOutput.Prepare(pca, true, 10, x, settings with { Spill = true }, wholeBatchFloats: 0, progress: told.Add);
        var byRows = ClusteringOutput.Prepare(pca, true, 10, x, settings with { Spill = false }, wholeBatchFloats: 0);
        Assert.True(spilled.Spilled);
        Assert.False(byRows.Spilled);
        Assert.False(whole.Spilled);
        Assert.Contains(told, m => m.Contains("diffusing all 60 cells a gene block at a time into a temporary file"));
        Assert.Contains(told, m => m.Contains("diffused gene block 1 of 1"));
        var read = Enumerable.Range(0, 6).SelectMany(b => spilled.Rows(b * 10, 10)).ToArray();
        Assert.Equal(expected.Select(v => (double)v), read.Select(v => (double)v), new Tolerance(1e-4));
    }

    [Fact]
    public void A_fixed_weight_mixes_the_smoothed_rows_with_the_input()
    {
        // Same data, settings and graph: the output with w = 0.25 is 0.75 x + 0.25 (the w = 1 output at the same t).
        var (observed, _, _) = TwoGroupData.Create(cells: 60, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var pca = PcaProjection.Fit(x.Log1p(), 10);
        var full = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Parse("ks=1/tfix=2"));
        var mixed = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Parse("ks=1/tfix=2/mix=0.25"));
        Assert.Equal(0.25, mixed.Weight);
        var dense = x.ToDense();
        var smooth = full.Rows(0, x.Rows);
        var got = mixed.Rows(0, x.Rows);
        for (int i = 0; i < got.Length; i++) Assert.Equal(0.75 * dense[i] + 0.25 * smooth[i], got[i], 1e-5 * (1 + Math.Abs(dense[i])));
    }

    [Fact]
    public void Cross_validation_of_the_weight_keeps_the_input_where_smoothing_does_not_help()
    {
        // Each cell's values are its own (no two cells alike, no noise to average): no (k, t, w) predicts held-out
        // molecules better than the values, so t = 0 and the output is the input.
        int cells = 30, genes = 8;
        var rng = new Random(2);
        var dense = new float[cells * genes];
        for (int i = 0; i < dense.Length; i++) dense[i] = rng.Next(0, 2) == 0 ? 0 : 400 + rng.Next(0, 400);
        var x = CsrMatrix.FromDense(dense, cells, genes);
        var pca = PcaProjection.Fit(x.Log1p(), 5);
        var s = ClusteringOutput.Prepare(pca, true, 4, x, SmoothingSettings.Parse("decay=1/mix=cv/mixgrid=4"));
        Assert.Equal(0, s.Steps);
        Assert.Equal(dense, s.Rows(0, cells));
    }

    // 60 cells of two groups, the PCA basis fitted on them, and one fitted on unrelated noise of the same genes.
    private static (CsrMatrix X, PcaProjection Own, PcaProjection Unrelated) BatchAndTwoBases()
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 60, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var own = PcaProjection.Fit(x.Log1p(), 10);
        var rng = new Random(3);
        var noise = new float[60 * 25];
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)rng.NextDouble();
        var unrelated = PcaProjection.Fit(CsrMatrix.FromDense(noise, 60, 25), 10);
        return (x, own, unrelated);
    }

    [Fact]
    public void A_batch_basis_ignores_the_models_basis()
    {
        // The graph is built in the batch's own PCA: a model basis fitted on unrelated data of the same genes gives
        // the same k, t, weight and rows as one fitted on the batch, while the model's basis itself changes them.
        var (x, own, unrelated) = BatchAndTwoBases();
        var settings = SmoothingSettings.Parse("basis=batch/decay=1/mix=cv/mixgrid=4");
        var a = ClusteringOutput.Prepare(own, true, 10, x, settings);
        var b = ClusteringOutput.Prepare(unrelated, true, 10, x, settings);
        Assert.InRange(a.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.Equal((a.Steps, a.NeighborCount, a.Weight), (b.Steps, b.NeighborCount, b.Weight));
        Assert.Equal(a.Rows(0, 60), b.Rows(0, 60));
        var model = ClusteringOutput.Prepare(unrelated, true, 10, x, settings with { BatchBasis = false });
        Assert.NotEqual(a.Losses, model.Losses);
    }

    [Fact]
    public void Cross_validation_on_a_sample_of_genes_reads_only_those_and_says_so()
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 60, genes: 25, dropout: 0, seed: 7);
        var x = CsrMatrix.From(observed);
        var pca = PcaProjection.Fit(x.Log1p(), 10);
        var full = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default);
        var all = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default with { CrossValidationGenes = 25 });
        var said = new List<string>();
        var sampled = ClusteringOutput.Prepare(pca, true, 10, x, SmoothingSettings.Default with { CrossValidationGenes = 12 }, progress: said.Add);
        Assert.Equal(full.Losses, all.Losses);
        Assert.Contains("the held-out loss is read on 12 of the 25 genes", said[0]);
        Assert.NotEqual(full.Losses, sampled.Losses);
        // Both see two noisy groups: smoothing helps on either set of genes.
        Assert.InRange(sampled.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.True(sampled.Losses[sampled.Steps] < sampled.Losses[0]);
    }

    [Fact]
    public void The_default_smooths_in_the_batch_basis_with_a_weight()
    {
        // Smoothed's settings: the model's basis does not matter, and the weight is cross-validated (a grid of 10).
        var (x, own, unrelated) = BatchAndTwoBases();
        var a = ClusteringOutput.Prepare(own, true, 10, x, SmoothingSettings.Default);
        var b = ClusteringOutput.Prepare(unrelated, true, 10, x, SmoothingSettings.Default);
        Assert.InRange(a.Steps, 1, ClusteringOutput.MaxSteps);
        Assert.Equal(a.Rows(0, 60), b.Rows(0, 60));
        Assert.Equal((true, 1.0, true), (SmoothingSettings.Default.BatchBasis, SmoothingSettings.Default.Decay, SmoothingSettings.Default.MixByCrossValidation));
        Assert.InRange(a.Weight, 0.1, 1);
    }

    [Fact]
    public void Log_space_takes_no_weight_and_no_cross_fitting()
    {
        var (observed, _, _) = TwoGroupData.Create(cells: 20, genes: 10, dropout: 0, seed: 1);
        var x = CsrMatrix.From(observed);
        var pca = PcaProjection.Fit(x.Log1p(), 5);
        Assert.Throws<ArgumentException>(() => ClusteringOutput.Prepare(pca, true, 4, x, SmoothingSettings.Parse("log=1/mix=0.5")));
        Assert.Throws<ArgumentException>(() => ClusteringOutput.Prepare(pca, true, 4, x, SmoothingSettings.Parse("log=1/cross=2")));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}

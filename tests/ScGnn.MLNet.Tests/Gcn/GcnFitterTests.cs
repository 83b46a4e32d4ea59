using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Tests.Imputation;
using ScGnn.MLNet.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The TorchSharp training loop: epoch choice, early stopping, batching, sparse input, devices and leaks.</summary>
[Collection(TorchCollection.Name)]
public sealed class GcnFitterTests
{
    private const int Hidden = 3;

    public GcnFitterTests() => TorchRuntime.EnsureInitialized();

    private static GcnFit Fit(GcnProblem p, GcnTrainingSettings s, bool skip = false)
    {
        var start = skip ? TwoPassSkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null) : ((float[][], float[])?)null;
        return GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s);
    }

    // The validation MSE of given weights, computed directly with the module on the whole graph.
    private static double ValidationLoss(GcnProblem p, float[][] weights, GcnTargets? targets = null, ScGnn.MLNet.Numerics.CsrMatrix? input = null)
    {
        var validation = targets ?? p.Validation;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var gen = new Generator(0);
        using var model = new BottleneckGcn(p.Genes, Hidden, gen, weights.Length - 4);
        model.ImportWeights(weights);
        var g = GcnSubgraph.Whole(p.Adjacency);
        var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(input ?? p.Input, false, CPU)), 0, training: false);
        var e = validation.Select(g.OutputCells, validation.CellStarts(p.Cells));
        var features = e.Features is null ? null : tensor(e.Features, e.Rows.Length, validation.FeatureCount);
        return (model.OutputAt(z, tensor(e.Rows), tensor(e.Genes), features) - tensor(e.Values)).square().mean().item<float>();
    }

    [Fact]
    public void Paired_gain_is_the_mean_drop_in_standard_errors()
    {
        // Drops 3, 2, 1, 2: mean 2, sample sd sqrt(2/3), standard error sqrt(2/3)/2, so z = 2 / 0.4082 = 4.899.
        using var scope = NewDisposeScope();
        Assert.Equal(4.899, GcnFitter.PairedGainInStandardErrors(tensor(new float[] { 4, 4, 4, 4 }), tensor(new float[] { 1, 2, 3, 2 })), 3);
        Assert.Equal(-4.899, GcnFitter.PairedGainInStandardErrors(tensor(new float[] { 1, 2, 3, 2 }), tensor(new float[] { 4, 4, 4, 4 })), 3);
        Assert.Equal(0, GcnFitter.PairedGainInStandardErrors(tensor(new float[] { 1, 2 }), tensor(new float[] { 1, 2 })));
    }

    [Fact]
    public void The_kept_epoch_is_the_one_whose_weights_are_returned()
    {
        var p = new GcnProblem();
        var fit = Fit(p, new GcnTrainingSettings { Epochs = 60, LearningRate = 0.01, DropoutRate = 0.5, Seed = 2 });
        Assert.Equal(60, fit.History.Count);
        Assert.False(fit.StoppedEarly);
        Assert.InRange(fit.BestEpoch, 1, 59);
        // History entry e (epoch e + 1) holds the validation loss of the weights after e epochs.
        Assert.Equal(fit.History[fit.BestEpoch].ValidationLoss, ValidationLoss(p, fit.Weights), 4);
        Assert.Equal(fit.History.Min(h => h.ValidationLoss), fit.History[fit.BestEpoch].ValidationLoss, 6);
        Assert.All(fit.History, h => Assert.True(h.BestEpoch <= h.Epoch - 1));
    }

    [Fact]
    public void Early_stopping_ends_training_a_patience_after_the_lowest_validation_loss()
    {
        var p = new GcnProblem();
        // Validation targets equal to the starting network's own outputs: its loss is lowest at epoch 0, and any step raises it.
        var s = new GcnTrainingSettings { Epochs = 200, LearningRate = 0.01, DropoutRate = 0, Seed = 5, Patience = 7 };
        float[][] init;
        using (var gen = new Generator(5))
        using (var m = new BottleneckGcn(p.Genes, Hidden, gen))
            init = m.ExportWeights();
        var start = OutputsAt(p, init, p.Validation);
        var q = new GcnProblemWithValidation(p, p.Validation with { Values = start });
        var messages = new List<string>();
        var fit = GcnFitter.Fit(q.Adjacency, q.Input, Hidden, q.Train, q.Validation, null, s with { Log = messages.Add });
        Assert.True(fit.StoppedEarly);
        Assert.Equal(7, fit.History.Count);
        Assert.Equal(0, fit.BestEpoch);
        Assert.All(fit.History, h => Assert.Equal(0, h.BestEpoch));
        Assert.Contains(messages, m => m.Contains("early stop at epoch 7") && m.Contains("keeping epoch 0"));
        for (int i = 0; i < init.Length; i++) Assert.Equal(init[i], fit.Weights[i]);

        // Without a patience every epoch runs.
        var all = GcnFitter.Fit(q.Adjacency, q.Input, Hidden, q.Train, q.Validation, null, s with { Patience = null, Epochs = 30 });
        Assert.False(all.StoppedEarly);
        Assert.Equal(30, all.History.Count);
    }

    private sealed record GcnProblemWithValidation(GcnProblem P, GcnTargets Validation)
    {
        internal ScGnn.MLNet.Graph.NormalizedAdjacency Adjacency => P.Adjacency;
        internal ScGnn.MLNet.Numerics.CsrMatrix Input => P.Input;
        internal GcnTargets Train => P.Train;
    }

    private static float[] OutputsAt(GcnProblem p, float[][] weights, GcnTargets t)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var gen = new Generator(0);
        using var model = new BottleneckGcn(p.Genes, Hidden, gen, weights.Length - 4);
        model.ImportWeights(weights);
        var g = GcnSubgraph.Whole(p.Adjacency);
        var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(p.Input, false, CPU)), 0, training: false);
        var e = t.Select(g.OutputCells, t.CellStarts(p.Cells));
        return model.OutputAt(z, tensor(e.Rows), tensor(e.Genes), null).data<float>().ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Mini_batch_gradients_add_up_to_the_full_batch_gradient(bool skip)
    {
        var p = new GcnProblem(features: skip);
        using var scope = NewDisposeScope();
        using var gen = new Generator(7);
        using var model = new BottleneckGcn(p.Genes, Hidden, gen, skip ? p.Train.FeatureCount : 0);
        var starts = p.Train.CellStarts(p.Cells);

        Tensor Loss(GcnSubgraph g)
        {
            var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(p.Input, false, CPU)), 0, training: false);
            var e = p.Train.Select(g.OutputCells, starts);
            var f = e.Features is null ? null : tensor(e.Features, e.Rows.Length, p.Train.FeatureCount);
            return (model.OutputAt(z, tensor(e.Rows), tensor(e.Genes), f) - tensor(e.Values)).square().sum() / p.Train.Count;
        }

        Loss(GcnSubgraph.Whole(p.Adjacency)).backward();
        var full = model.parameters().Select(q => q.grad!.clone()).ToArray();
        foreach (var q in model.parameters()) q.grad!.zero_();

        var local = Enumerable.Repeat(-1, p.Cells).ToArray();
        var batches = new[] { Enumerable.Range(0, 11).ToArray(), Enumerable.Range(11, 9).ToArray(), Enumerable.Range(20, 10).ToArray() };
        foreach (var b in batches)
        {
            var g = GcnSubgraph.Around(p.Adjacency, b, local);
            Assert.True(g.InputCells.Length < p.Cells); // a real subgraph, not the whole graph
            Loss(g).backward();
        }
        Assert.All(local, v => Assert.Equal(-1, v));
        var summed = model.parameters().Select(q => q.grad!).ToArray();
        for (int i = 0; i < full.Length; i++)
        {
            Assert.True(full[i].abs().max().item<float>() > 1e-4f);
            Assert.True(torch.allclose(full[i], summed[i], rtol: 1e-4, atol: 1e-6), $"parameter {i} differs");
        }
    }

    [Fact]
    public void Mini_batch_training_runs_one_step_per_batch_and_learns()
    {
        var p = new GcnProblem(cells: 60);
        var s = new GcnTrainingSettings { Epochs = 160, LearningRate = 0.01, DropoutRate = 0, Seed = 3, BatchCells = 16 };
        var mini = Fit(p, s);
        Assert.Equal(4, mini.BatchCount);
        Assert.True(mini.History[^1].TrainLoss < mini.History[0].TrainLoss * 0.8);
        // One batch holding every cell is the whole graph, bit for bit.
        var whole = Fit(p, s with { BatchCells = null });
        var single = Fit(p, s with { BatchCells = 60 });
        Assert.Equal(1, whole.BatchCount);
        for (int i = 0; i < whole.Weights.Length; i++) Assert.Equal(whole.Weights[i], single.Weights[i]);
    }

    [Fact]
    public void Sparse_and_dense_input_blocks_train_the_same_network()
    {
        var p = new GcnProblem(features: true);
        var s = new GcnTrainingSettings { Epochs = 25, LearningRate = 0.01, DropoutRate = 0, Seed = 4 };
        var dense = Fit(p, s, skip: true);
        var sparse = Fit(p, s with { SparseInput = true }, skip: true);
        Assert.Equal(dense.BestEpoch, sparse.BestEpoch);
        for (int i = 0; i < dense.Weights.Length; i++)
            for (int j = 0; j < dense.Weights[i].Length; j++) Assert.Equal(dense.Weights[i][j], sparse.Weights[i][j], 4);
    }

    [Fact]
    public void A_zero_output_start_begins_exactly_at_the_skip_start()
    {
        var p = new GcnProblem(features: true);
        var start = TwoPassSkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null);
        var s = new GcnTrainingSettings { Epochs = 1, Seed = 4, ZeroOutputStart = true };
        var fit = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s);
        Assert.Equal(0, fit.BestEpoch);
        Assert.All(fit.Weights[2], w => Assert.Equal(0f, w));
        Assert.Equal(start.Intercept, fit.Weights[3]);
        // The start's validation loss is the closed-form fit's own.
        double expected = 0;
        var v = p.Validation;
        for (int e = 0; e < v.Count; e++)
        {
            double pred = start.Intercept[v.Genes[e]] + start.Coefficients[0][v.Genes[e]] * v.Features![2 * e] + start.Coefficients[1][v.Genes[e]] * v.Features[2 * e + 1];
            expected += (pred - v.Values[e]) * (pred - v.Values[e]);
        }
        Assert.Equal(expected / v.Count, fit.History[0].ValidationLoss, 4);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(8)]
    public void The_validation_pass_reads_its_own_input_when_given_one(int? batchCells)
    {
        var p = new GcnProblem();
        // Twice the training input: the validation rows of another input, as imputation reads more values than training.
        var doubled = new ScGnn.MLNet.Numerics.CsrMatrix(p.Cells, p.Genes, p.Input.RowPointers, p.Input.ColumnIndices,
            p.Input.Values.Select(v => 2 * v).ToArray());
        var s = new GcnTrainingSettings { Epochs = 3, LearningRate = 0.01, DropoutRate = 0, Seed = 6, BatchCells = batchCells };
        // X / 2 + 1.5 X: the training input unscaled by its factor 2, plus restored entries.
        var restored = new ScGnn.MLNet.Numerics.CsrMatrix(p.Cells, p.Genes, p.Input.RowPointers, p.Input.ColumnIndices,
            p.Input.Values.Select(v => 1.5f * v).ToArray());
        var fit = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, null, s, new ValidationRows(restored, 2f));
        var plain = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, null, s);
        float[][] init;
        using (var gen = new Generator(6))
        using (var m = new BottleneckGcn(p.Genes, Hidden, gen))
            init = m.ExportWeights();
        // Epoch 0 is scored on the given input; training itself reads the training input either way.
        Assert.Equal(ValidationLoss(p, init, input: doubled), fit.History[0].ValidationLoss, 4);
        Assert.Equal(ValidationLoss(p, init), plain.History[0].ValidationLoss, 4);
        Assert.NotEqual(fit.History[0].ValidationLoss, plain.History[0].ValidationLoss, 2);
        Assert.Equal(plain.History.Select(h => h.TrainLoss), fit.History.Select(h => h.TrainLoss));
    }

    [Fact]
    public void Shrinking_toward_the_start_starts_the_output_layer_at_zero()
    {
        // The shrunk output is start + alpha (epoch - start) only from a zero W2, so the fitter starts there by itself.
        var p = new GcnProblem(features: true);
        var fit = Fit(p, new GcnTrainingSettings { Epochs = 1, Seed = 4, ShrinkTowardStart = true }, skip: true);
        Assert.Equal(0, fit.BestEpoch);
        Assert.All(fit.Weights[2], w => Assert.Equal(0f, w));
    }

    [Fact]
    public void A_shrunk_epoch_is_no_worse_on_the_validation_targets_than_the_start_or_the_epoch_itself()
    {
        var p = new GcnProblem(features: true);
        var messages = new List<string>();
        var s = new GcnTrainingSettings
        {
            Epochs = 80, LearningRate = 0.01, DropoutRate = 0, Seed = 4, ZeroOutputStart = true, ShrinkTowardStart = true,
            Log = messages.Add,
        };
        // Validated on its own training targets, so that training lowers the validation loss.
        var start = TwoPassSkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null);
        var fit = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Train, start, s);
        Assert.InRange(fit.BestEpoch, 1, 79);
        Assert.InRange(fit.KeptFraction, 1e-6, 1);
        // Alpha 0 (the start) and 1 (the epoch) are both candidates of the least-squares fraction on these targets.
        double shrunk = ValidationLoss(p, fit.Weights, p.Train);
        Assert.True(shrunk <= fit.History[0].ValidationLoss + 1e-5, $"{shrunk} vs start {fit.History[0].ValidationLoss}");
        Assert.True(shrunk <= fit.History[fit.BestEpoch].ValidationLoss + 1e-5, $"{shrunk} vs epoch {fit.History[fit.BestEpoch].ValidationLoss}");
        Assert.Contains(messages, m => m.Contains($"epoch {fit.BestEpoch}'s change of the start kept at"));
        // The history carries the loss the epochs were chosen by: the start's own, then each epoch's cross-fitted shrunk
        // loss; the kept epoch has the lowest. Cross-fitting only loses against the fraction fitted on every entry,
        // so the kept weights' loss is at most the one they were chosen by.
        Assert.Equal(fit.History[0].ValidationLoss, fit.History[0].SelectionLoss);
        Assert.Equal(fit.History.Min(h => h.SelectionLoss), fit.History[fit.BestEpoch].SelectionLoss);
        Assert.True(shrunk <= fit.History[fit.BestEpoch].SelectionLoss * (1 + 1e-5), $"{shrunk} vs chosen by {fit.History[fit.BestEpoch].SelectionLoss}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(8)]
    public void A_whole_fit_leaks_no_tensors(int? batchCells)
    {
        var p = new GcnProblem(features: true);
        var start = TwoPassSkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null);
        var s = new GcnTrainingSettings { Epochs = 15, Seed = 1, BatchCells = batchCells, Patience = 100 };
        GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s); // warm up lazy statics
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var fit = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s);
        Assert.True(fit.History.Count > 0);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData(50, 1, 50)]   // the whole graph: one step per epoch, patience as given
    [InlineData(50, 4, 13)]   // ceil(50 / 4)
    [InlineData(50, 13, 4)]
    [InlineData(50, 100, 2)]  // at least two epochs
    [InlineData(7, 7, 2)]
    public void Mini_batch_patience_counts_steps(int patience, int batches, int epochs) =>
        Assert.Equal(epochs, GcnFitter.PatienceEpochs(patience, batches));

    [Fact]
    public void The_whole_graph_serves_up_to_its_entry_limit()
    {
        Assert.True(GcnFitter.UsesWholeGraph(30_000, 2_000, null));          // 60 M entries
        Assert.True(GcnFitter.UsesWholeGraph(2_362, 13_714, null));          // pbmc3k with every gene
        Assert.False(GcnFitter.UsesWholeGraph(40_000, 2_000, null));         // 80 M entries
        Assert.True(GcnFitter.UsesWholeGraph(100_000, 644, null));           // 64.4 M entries
        Assert.False(GcnFitter.UsesWholeGraph(300_000, 644, null));
        Assert.True(GcnFitter.UsesWholeGraph(100, 10, 100));                 // a batch holding every cell
        Assert.False(GcnFitter.UsesWholeGraph(100, 10, 99));
    }

    [Theory]
    [InlineData(1000, 1, 1000)]  // the whole graph: one step an epoch
    [InlineData(1000, 20, 50)]
    [InlineData(1000, 3, 334)]   // ceil
    [InlineData(5, 20, 1)]
    public void Mini_batch_training_runs_at_most_the_epochs_in_steps(int epochs, int batches, int expected) =>
        Assert.Equal(expected, GcnFitter.MiniBatchEpochs(epochs, batches));

    [Fact]
    public void Automatic_batches_aim_at_the_entry_budget()
    {
        Assert.Equal((int)(GcnFitter.BatchInputEntries / 640), GcnFitter.BatchCellCount(1_000_000, 640, null)); // 52,428 cells
        Assert.Equal(300, GcnFitter.BatchCellCount(1_000_000, 640, 300));
        Assert.Equal(GcnFitter.BallsPerBatch, GcnFitter.BatchCellCount(10, 1 << 26, null)); // at least a cell per ball
        Assert.Equal(3, GcnFitter.BatchCellCount(3, 1 << 26, null));   // never more than the cells
    }

    [Fact]
    public void An_induced_subgraph_keeps_the_batch_edges_rescaled_to_the_full_row()
    {
        // A path 0-1-2-3 (each lists the next): Â = D^-1/2 (A + I) D^-1/2 with degrees 2, 3, 3, 2.
        var a = ScGnn.MLNet.Graph.NormalizedAdjacency.FromNeighbors(new[] { new[] { 1 }, new[] { 2 }, new[] { 3 }, new[] { 2 } });
        var local = Enumerable.Repeat(-1, 4).ToArray();
        var g = GcnSubgraph.Induced(a, new[] { 1, 2 }, local);
        Assert.All(local, v => Assert.Equal(-1, v));
        Assert.Equal(new[] { 1, 2 }, g.OutputCells);
        Assert.Same(g.First, g.Second);
        using var dense = g.First.Multiply(eye(2));
        var m = dense.data<float>().ToArray();
        // Row 1 in the whole graph: 1/sqrt(6) (cell 0) + 1/3 (itself) + 1/3 (cell 2); only the last two are in the batch,
        // rescaled by their share of the row.
        double full = 1 / Math.Sqrt(6) + 2.0 / 3, scale = full / (2.0 / 3);
        Assert.Equal(scale / 3, m[0], 5);
        Assert.Equal(scale / 3, m[1], 5);
        // Row 2: 1/3 (cell 1) + 1/3 (itself) + 1/sqrt(6) (cell 3), the same by symmetry.
        Assert.Equal(scale / 3, m[2], 5);
        Assert.Equal(scale / 3, m[3], 5);
        g.First.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cluster_batches_closed_under_neighbourhood_give_the_full_batch_gradient(bool skip)
    {
        // Two disconnected copies of the problem's graph: each copy is a batch that loses no edge, so the two batch
        // gradients add up to the whole graph's.
        var twice = new GcnProblem(features: skip, copies: 2);
        int half = twice.Cells / 2;
        using var scope = NewDisposeScope();
        using var gen = new Generator(7);
        using var model = new BottleneckGcn(twice.Genes, Hidden, gen, skip ? twice.Train.FeatureCount : 0);
        var starts = twice.Train.CellStarts(twice.Cells);

        Tensor Loss(GcnSubgraph g)
        {
            var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(twice.Input, false, CPU)), 0, training: false);
            var e = twice.Train.Select(g.OutputCells, starts);
            var f = e.Features is null ? null : tensor(e.Features, e.Rows.Length, twice.Train.FeatureCount);
            return (model.OutputAt(z, tensor(e.Rows), tensor(e.Genes), f) - tensor(e.Values)).square().sum() / twice.Train.Count;
        }

        Loss(GcnSubgraph.Whole(twice.Adjacency)).backward();
        var full = model.parameters().Select(q => q.grad!.clone()).ToArray();
        foreach (var q in model.parameters()) q.grad!.zero_();
        var local = Enumerable.Repeat(-1, twice.Cells).ToArray();
        foreach (var b in new[] { Enumerable.Range(0, half).ToArray(), Enumerable.Range(half, half).ToArray() })
            Loss(GcnSubgraph.Induced(twice.Adjacency, b, local)).backward();
        var summed = model.parameters().Select(q => q.grad!).ToArray();
        for (int i = 0; i < full.Length; i++)
        {
            Assert.True(full[i].abs().max().item<float>() > 1e-4f);
            Assert.True(torch.allclose(full[i], summed[i], rtol: 1e-4, atol: 1e-6), $"parameter {i} differs");
        }
    }

    [Fact]
    public void Locality_order_cuts_the_graph_into_compact_balls()
    {
        // A ring of 12 (each lists the next): balls of 4 from cell 0, then from the lowest cell left.
        var a = ScGnn.MLNet.Graph.NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, 12).Select(i => new[] { (i + 1) % 12 }).ToArray());
        Assert.Equal(new[] { 0, 1, 11, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, GcnFitter.LocalityOrder(a, 4));
        // Without a limit: one breadth-first order.
        Assert.Equal(new[] { 0, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6 }, GcnFitter.LocalityOrder(a));
    }

    [Fact]
    public void Mini_batch_training_stops_after_the_step_patience()
    {
        // 60 cells in batches of 16 (four balls of 4): 4 steps an epoch, so a patience of 8 steps is 2 epochs without a new low.
        var p = new GcnProblem(cells: 60);
        var s = new GcnTrainingSettings { Epochs = 400, LearningRate = 0.05, DropoutRate = 0, Seed = 3, BatchCells = 16, Patience = 8 };
        var fit = Fit(p, s);
        Assert.True(fit.StoppedEarly);
        var lows = new List<int>();
        double lowest = double.PositiveInfinity;
        // The history's validation losses are those of the weights entering each epoch (epoch e scores t = e - 1).
        var losses = fit.History.Select(h => h.ValidationLoss).ToList();
        int lowestAt = 0;
        for (int t = 0; t < losses.Count; t++)
            if (losses[t] < lowest) { lowest = losses[t]; lowestAt = t; }
        // Stopped at t = lowest + 2, before stepping: the history holds epochs up to t - 1 = lowest + 1.
        Assert.Equal(lowestAt + 2, losses.Count);
    }

    [CudaFact]
    public void Cuda_training_matches_the_cpu()
    {
        var p = new GcnProblem();
        var s = new GcnTrainingSettings { Epochs = 20, LearningRate = 0.01, DropoutRate = 0, Seed = 4 };
        var cpu = Fit(p, s);
        var cuda = Fit(p, s with { Device = CUDA });
        for (int i = 0; i < cpu.Weights.Length; i++)
            for (int j = 0; j < cpu.Weights[i].Length; j++) Assert.Equal(cpu.Weights[i][j], cuda.Weights[i][j], 3);
    }
}

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
        var start = skip ? SkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null) : ((float[][], float[])?)null;
        return GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s);
    }

    // The validation MSE of given weights, computed directly with the module on the whole graph.
    private static double ValidationLoss(GcnProblem p, float[][] weights)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var gen = new Generator(0);
        using var model = new BottleneckGcn(p.Genes, Hidden, gen, weights.Length - 4);
        model.ImportWeights(weights);
        var g = GcnSubgraph.Whole(p.Adjacency);
        var z = model.PropagatedHidden(g.First, g.Second, model.InputProduct(g.InputBlock(p.Input, false, CPU)), 0, training: false);
        var e = p.Validation.Select(g.OutputCells, p.Validation.CellStarts(p.Cells));
        var features = e.Features is null ? null : tensor(e.Features, e.Rows.Length, p.Validation.FeatureCount);
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
        var s = new GcnTrainingSettings { Epochs = 40, LearningRate = 0.01, DropoutRate = 0, Seed = 3, BatchCells = 16 };
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
        var start = SkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null);
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
    public void A_whole_fit_leaks_no_tensors(int? batchCells)
    {
        var p = new GcnProblem(features: true);
        var start = SkipStart.Fit(p.Adjacency, p.Input, 1, p.Train, null);
        var s = new GcnTrainingSettings { Epochs = 15, Seed = 1, BatchCells = batchCells, Patience = 100 };
        GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s); // warm up lazy statics
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var fit = GcnFitter.Fit(p.Adjacency, p.Input, Hidden, p.Train, p.Validation, start, s);
        Assert.True(fit.History.Count > 0);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
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

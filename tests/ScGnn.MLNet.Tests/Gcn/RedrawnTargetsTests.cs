using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Tests.Imputation;
using ScGnn.MLNet.Torch;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>Denoising targets redrawn per epoch from the training cells' observed non-zeros (GcnTrainingSettings.RedrawRate).</summary>
[Collection(TorchCollection.Name)]
public sealed class RedrawnTargetsTests
{
    public RedrawnTargetsTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void An_epoch_s_input_lacks_exactly_the_drawn_entries()
    {
        // [[1, 0, 2], [0, 3, 4]]: removing stored entries 1 (the 2) and 2 (the 3) leaves [[1, 0, 0], [0, 0, 4]].
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 2, 0, 3, 4 }, 2, 3);
        var y = GcnFitter.WithoutStored(x, new[] { false, true, true, false });
        Assert.Equal(new[] { 0, 1, 2 }, y.RowPointers);
        Assert.Equal(new[] { 0, 2 }, y.ColumnIndices);
        Assert.Equal(new[] { 1f, 4f }, y.Values);
    }

    [Fact]
    public void Validation_stays_on_the_fixed_input_while_training_draws_fresh_targets()
    {
        var p = new GcnProblem();
        // The pool: every stored entry of the training cells, valued as stored.
        var trainCells = p.Train.DistinctCells();
        var cells = new List<int>(); var genes = new List<int>(); var values = new List<float>();
        foreach (int c in trainCells)
        {
            var idx = p.Input.RowIndices(c); var val = p.Input.RowValues(c);
            for (int q = 0; q < idx.Length; q++) { cells.Add(c); genes.Add(idx[q]); values.Add(val[q]); }
        }
        var pool = new GcnTargets(cells.ToArray(), genes.ToArray(), values.ToArray(), null);
        GcnFit Run(double rate) => GcnFitter.Fit(p.Adjacency, p.Input, 3, p.Train, p.Validation, null,
            new GcnTrainingSettings { Epochs = 5, LearningRate = 0.01, DropoutRate = 0, Seed = 4, RedrawRate = rate }, pool);
        var fixedOnly = Run(0);
        var redrawn = Run(0.5);
        // Epoch 0's weights are the same, scored on the same fixed input and targets.
        Assert.Equal(fixedOnly.History[0].ValidationLoss, redrawn.History[0].ValidationLoss, 6);
        // Training reads other inputs and targets, so the steps differ.
        Assert.NotEqual(fixedOnly.History[0].TrainLoss, redrawn.History[0].TrainLoss, 4);
        Assert.NotEqual(fixedOnly.History[4].ValidationLoss, redrawn.History[4].ValidationLoss, 4);
        // The same seed draws the same targets: a run repeats.
        Assert.Equal(redrawn.History.Select(h => h.TrainLoss), Run(0.5).History.Select(h => h.TrainLoss));
    }
}

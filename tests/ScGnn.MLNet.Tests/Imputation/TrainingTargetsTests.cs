using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

public sealed class TrainingTargetsTests
{
    // 4 cells x 3 genes, 8 non-zeros (density 2/3, so the paper's rate is capped at 0.3).
    private static readonly float[] X = { 1, 0, 2, 0, 3, 4, 5, 6, 0, 7, 0, 8 };

    [Fact]
    public void The_drawn_mask_is_removed_from_the_sparse_input()
    {
        var x = CsrMatrix.FromDense(X, 4, 3);
        var o = new ScGnnOptions { ValidationFraction = 0.25 };
        var t = TrainingTargets.Create(x, null, o, new Random(3));
        Assert.Equal(8, t.NonZeros);
        Assert.Equal(0.3, t.Rate, 12);
        var all = t.Train.Cells.Concat(t.Validation.Cells).Concat(t.Test.Cells).ToArray();
        // floor(0.3 * 8) = 2 masked entries, all gone from the input, every other entry kept.
        Assert.Equal(2, all.Length);
        Assert.Equal(6, t.Input.StoredCount);
        var dense = t.Input.ToDense();
        foreach (var m in new[] { t.Train, t.Validation, t.Test })
            for (int e = 0; e < m.Count; e++)
            {
                Assert.Equal(0, dense[m.Cells[e] * 3 + m.Genes[e]]);
                Assert.Equal(X[m.Cells[e] * 3 + m.Genes[e]], m.Values[e]);
            }
        Assert.Equal(6, dense.Count(v => v != 0));
        // One of four cells validates (round(4 x 0.25)); its targets are the validation ones.
        Assert.Single(t.Roles, r => r == TrainingTargets.RoleValidation);
        Assert.All(t.Validation.Cells, c => Assert.Equal(TrainingTargets.RoleValidation, t.Roles[c]));
    }

    [Fact]
    public void The_held_out_input_hides_only_the_validation_and_test_targets()
    {
        // 20 cells x 3 genes, every entry non-zero: the mask takes floor(0.3 x 60) = 18 entries.
        var values = Enumerable.Range(1, 60).Select(v => (float)v).ToArray();
        var x = CsrMatrix.FromDense(values, 20, 3);
        var o = new ScGnnOptions { ValidationFraction = 0.25, TestFraction = 0.1 };
        var t = TrainingTargets.Create(x, null, o, new Random(5));
        Assert.True(t.MaskDrawn);
        Assert.True(t.Train.Count > 0 && t.Validation.Count > 0);
        var dense = t.HeldOutInput().ToDense();
        var hidden = new HashSet<int>();
        foreach (var m in new[] { t.Validation, t.Test })
            for (int e = 0; e < m.Count; e++) hidden.Add(m.Cells[e] * 3 + m.Genes[e]);
        // Every value is back except the validation and test targets; the training targets are in place.
        for (int i = 0; i < values.Length; i++) Assert.Equal(hidden.Contains(i) ? 0 : values[i], dense[i]);
        Assert.Equal(60 - t.Validation.Count - t.Test.Count, t.HeldOutInput().StoredCount);
    }

    [Fact]
    public void A_given_mask_is_taken_as_is()
    {
        var x = CsrMatrix.FromDense(X, 4, 3);
        var given = new MaskedEntries(new[] { 0, 1, 2, 3 }, new[] { 1, 0, 2, 1 }, new float[] { 9, 9, 9, 9 });
        var t = TrainingTargets.Create(x, given, new ScGnnOptions { ValidationFraction = 0 }, new Random(1));
        Assert.Same(x, t.Input);
        // A given mask is hidden at imputation too: the held-out input is the input itself.
        Assert.False(t.MaskDrawn);
        Assert.Same(x, t.HeldOutInput());
        Assert.Equal(given.Cells, t.Train.Cells);
    }

    [Fact]
    public void The_mask_rate_is_the_dropout_estimators()
    {
        // min(density, 0.3): 2 of 10 non-zero gives 0.2; 8 of 10 is capped.
        Assert.Equal(0.2, ScGnn.MLNet.Preprocessing.DropoutSimulatingEstimator.PaperMaskRateOf(2, 10), 12);
        Assert.Equal(0.3, ScGnn.MLNet.Preprocessing.DropoutSimulatingEstimator.PaperMaskRateOf(8, 10), 12);
        Assert.Equal(0, ScGnn.MLNet.Preprocessing.DropoutSimulatingEstimator.PaperMaskRateOf(0, 0));
    }
}

using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ScGnnPredictorTests
{
    [Fact]
    public void Blocks_of_rows_give_the_whole_batch_output()
    {
        var observed = TwoGroupData.Create(cells: 60, genes: 40, seed: 2).Observed;
        var x = CsrMatrix.From(observed);
        var o = new ScGnnOptions { Epochs = 5, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu };
        var fit = ScGnnEngine.Fit(x, null, o);
        var whole = ScGnnPredictor.Predict(fit.State, x, ScGnnDevice.Cpu);
        // Blocks of 7 cells (the last one 4): the same numbers up to float rounding of the X W1 product.
        var p = ScGnnPredictor.Prepare(fit.State, x, ScGnnDevice.Cpu, blockRows: 7);
        Assert.Equal(7, p.BlockRows);
        var blocks = new List<float>();
        for (int start = 0; start < 60; start += 7) blocks.AddRange(p.PredictRows(start, Math.Min(7, 60 - start)));
        Assert.Equal(whole.Length, blocks.Count);
        for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], blocks[i], 4);
        // The default block holds at most 4 M floats: 60 x 40 fits in one.
        Assert.Equal(60, ScGnnPredictor.Prepare(fit.State, x, ScGnnDevice.Cpu).BlockRows);
    }

    [Fact]
    public void The_fitted_graph_is_what_the_fit_trained_on()
    {
        var x = CsrMatrix.From(TwoGroupData.Create().Observed);
        var o = new ScGnnOptions { Epochs = 2, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu };
        var fit = ScGnnEngine.Fit(x, null, o);
        Assert.Equal(60, fit.Graph.Count);
        // The graph of the masked input the fit drew (the same draw), not of x: a target's neighbours are chosen
        // without its value. Only that matrix is recognized as the fitted graph's input.
        var masked = TrainingTargets.Create(x, null, o, new Random(o.Seed)).Input;
        Assert.True(masked.StoredCount < x.StoredCount);
        var (_, expected) = CellGraph.Fit(ScaledInputs.Of(masked, o.GraphOnLog1p, o.InputScale).Graph, o.PrincipalComponentCount, o.NeighborCount,
            ScGnnEngine.GraphSeed);
        Assert.Equal(expected.RowPointers, fit.Graph.RowPointers);
        Assert.Equal(expected.Columns, fit.Graph.Columns);
        Assert.Equal(expected.Values, fit.Graph.Values);
        Assert.Equal(ScGnnEngine.Fingerprint(masked), fit.InputFingerprint);
        Assert.NotEqual(ScGnnEngine.Fingerprint(x), fit.InputFingerprint);
        // One value changed, one more cell or one gene fewer: another batch.
        var changed = CsrMatrix.FromDense(masked.ToDense().Select((v, i) => i == 7 ? v + 1 : v).ToArray(), 60, 40);
        Assert.NotEqual(fit.InputFingerprint, ScGnnEngine.Fingerprint(changed));
        Assert.NotEqual(fit.InputFingerprint, ScGnnEngine.Fingerprint(CsrMatrix.FromDense(masked.ToDense(0, 59), 59, 40)));
    }
}

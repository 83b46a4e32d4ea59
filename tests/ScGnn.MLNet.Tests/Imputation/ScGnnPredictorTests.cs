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
        var fit = ScGnnEngine.Fit(x, null, new ScGnnOptions { Epochs = 2, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu });
        Assert.Equal(60, fit.Graph.Count);
        Assert.Equal(ScGnnEngine.Fingerprint(x), fit.InputFingerprint);
        // One value changed, one more cell or one gene fewer: another batch.
        var changed = CsrMatrix.FromDense(x.ToDense().Select((v, i) => i == 7 ? v + 1 : v).ToArray(), 60, 40);
        Assert.NotEqual(fit.InputFingerprint, ScGnnEngine.Fingerprint(changed));
        Assert.NotEqual(fit.InputFingerprint, ScGnnEngine.Fingerprint(CsrMatrix.FromDense(x.ToDense(0, 59), 59, 40)));
    }
}

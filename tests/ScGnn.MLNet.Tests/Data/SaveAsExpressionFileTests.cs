using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Tests.Samples;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>Issue 12 item 6: saving a transformed view writes the imputed column, or the one named, and says which.</summary>
[Collection(TorchCollection.Name)]
public sealed class SaveAsExpressionFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_transformed_view_is_saved_with_its_imputed_column()
    {
        var ml = new MLContext(seed: 1);
        var cells = SampleData.Simulate().Observed.ToDataView();
        var model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 2, Seed = 1 }).Fit(cells);
        var scored = model.Transform(cells);

        Assert.Equal("Imputed", ml.Data.SaveAsExpressionFile(scored, _dir.File("imputed.csv")));
        Assert.Equal("Expression", ml.Data.SaveAsExpressionFile(scored, _dir.File("raw.csv"), "Expression"));
        Assert.Equal("Expression", ml.Data.SaveAsExpressionFile(cells, _dir.File("plain.csv")));

        var imputed = ExpressionFile.Read(_dir.File("imputed.csv")).ToDense();
        var raw = ExpressionFile.Read(_dir.File("raw.csv")).ToDense();
        var expected = scored.GetColumn<VBuffer<float>>("Imputed").SelectMany(v => v.DenseValues()).ToArray();
        Assert.Equal(expected, imputed);
        Assert.Equal(SampleData.Simulate().Observed.ToDense(), raw);
        Assert.True(imputed.Count(v => v == 0) < raw.Count(v => v == 0) / 2);
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Tests.Imputation;

namespace ScGnn.MLNet.Tests.Persistence;

[Collection(TorchCollection.Name)]
public sealed class ImputationPersistenceTests
{
    private static (MLContext Ml, IDataView Data, ITransformer Model) Fitted()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        var model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 40, BottleneckRatio = 8, PrincipalComponentCount = 8, EnsembleSize = 2, Device = ScGnnDevice.Cpu })
            .Fit(data);
        return (ml, data, model);
    }

    private static float[] Output(ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<VBuffer<float>>(ScGnnTrainer.Defaults.OutputColumnName).SelectMany(v => v.DenseValues()).ToArray();

    [Fact]
    public void Imputer_round_trips_with_bit_identical_output()
    {
        var (ml, data, model) = Fitted();
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var loaded = ModelFiles.Load(zip, out var schema);
        Assert.IsType<ScGnnImputationTransformer>(loaded);
        Assert.Equal(data.Schema.Count, schema.Count);
        Assert.Equal(Output(model, data), Output(loaded, data));
        // float32 weights only: 40 genes, 5 hidden, 2 members, PCA 40 x 8 -> a few KB, not text.
        Assert.InRange(zip.Length, 1_000, 30_000);
    }

    [Fact]
    public void Tampered_and_future_models_fail_naming_the_component()
    {
        var (ml, data, model) = Fitted();
        var zip = ModelFiles.Save(ml, model, data.Schema);
        string entry = ModelFiles.FindEntry(zip, ScGnnImputationTransformer.LoaderSignature);

        var flipped = ModelFiles.EditEntry(zip, entry, bytes =>
        {
            long at = ModelFiles.ModelBlockStart(bytes) + 40;
            bytes[at] ^= 0x5A;
            return bytes;
        });
        var e1 = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(flipped));
        Assert.Contains("SCGNN imputation", e1.Message);

        var future = ModelFiles.EditEntry(zip, entry, bytes =>
        {
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00020001u).CopyTo(bytes, ModelFiles.ModelVerReadableOffset);
            return bytes;
        });
        var e2 = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(future));
        Assert.Contains("SCGNN imputation", e2.Message);
        Assert.Contains("00020001", e2.Message);

        var truncated = zip.AsSpan(0, zip.Length / 2).ToArray();
        Assert.ThrowsAny<Exception>(() => ModelFiles.Load(truncated, out _));
        var v = Assert.Throws<ScGnnModelFormatException>(() => ModelFileValidator.Validate(new MemoryStream(truncated)));
        Assert.Contains("zip", v.Message, StringComparison.OrdinalIgnoreCase);
    }
}

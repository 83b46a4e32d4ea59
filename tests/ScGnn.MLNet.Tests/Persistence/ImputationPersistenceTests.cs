using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
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
        var model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 40, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu })
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
        // float32 weights and the loss history: 40 genes, 5 hidden, PCA 40 x 8, 40 epochs -> a few KB, not text.
        Assert.InRange(zip.Length, 1_000, 30_000);
    }

    [Theory]
    [InlineData(true, 2, true)]
    [InlineData(false, 1, false)]
    public void Graph_scale_skip_hops_and_cap_survive_a_round_trip(bool graphOnLog1p, int hops, bool cap)
    {
        var ml = new MLContext(1);
        var data = TwoGroupData.Create().Observed.ToDataView();
        var model = (ScGnnImputationTransformer)ml.Transforms.ImputeWithScGnn(new ScGnnOptions
        {
            Epochs = 20, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu,
            GraphOnLog1p = graphOnLog1p, SkipConnectionHops = hops, CapAtObservedMaximum = cap,
        }).Fit(data);
        var loaded = Assert.IsType<ScGnnImputationTransformer>(ModelFiles.Load(ModelFiles.Save(ml, model, data.Schema), out _));
        Assert.Equal(graphOnLog1p, loaded.State.GraphOnLog1p);
        Assert.Equal(cap, loaded.State.CapAtObservedMaximum);
        // Four GCN arrays, then two neighbourhood features per hop.
        Assert.Equal(4 + 2 * hops, loaded.State.Ensemble[0].Length);
        Assert.Equal(Output(model, data), Output(loaded, data));
    }

    [Fact]
    public void A_format_1_2_imputer_still_loads_and_imputes_as_it_did()
    {
        // Saved by the 1.2 writer (commit e8231f8: count-scale graph, one-hop skip), with that build's output on the
        // same data. 1.3 added the graph-scale flag; a 1.2 model must keep its count-scale graph.
        string dir = Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures");
        var zip = File.ReadAllBytes(Path.Combine(dir, "imputer-format-1.2.zip"));
        var expected = File.ReadAllLines(Path.Combine(dir, "imputer-format-1.2.expected.txt"))
            .Select(l => float.Parse(l, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var loaded = Assert.IsType<ScGnnImputationTransformer>(ModelFiles.Load(zip, out _));
        Assert.False(loaded.State.GraphOnLog1p);
        Assert.False(loaded.State.CapAtObservedMaximum);
        Assert.Equal(4 + 2, loaded.State.Ensemble[0].Length);
        var data = TwoGroupData.Create().Observed.ToDataView();
        var output = Output(loaded, data);
        Assert.Equal(expected.Length, output.Length);
        // Same arithmetic, so agreement to float rounding (BLAS blocking may differ by machine).
        for (int i = 0; i < output.Length; i++)
            Assert.True(Math.Abs(expected[i] - output[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"entry {i}: {output[i]} vs {expected[i]}");
    }

    [Theory]
    [InlineData("imputer-format-1.5.zip", "imputer-format-1.5.expected.csv", true)]
    [InlineData("smoothed-format-1.5.zip", "smoothed-format-1.5.expected.csv", true)]
    public void Format_1_5_models_saved_by_scgnn_still_load_and_give_their_output(string model, string expected, bool hasNetwork)
    {
        // Saved by the 1.5 writer with `scgnn impute --no-filter --epochs 5 --model` (the second with --smoothed,
        // which then still trained a network), beside the file that command wrote.
        string dir = Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures");
        var ml = new MLContext(1);
        var loaded = ml.Model.Load(Path.Combine(dir, model), out _);
        var imputer = ((TransformerChain<ITransformer>)loaded).OfType<ScGnnImputationTransformer>().Single();
        Assert.Equal(hasNetwork, imputer.HasNetwork);
        // Before 1.7 the smoothed output's graph used unscaled genes; such a model keeps that graph.
        Assert.False(imputer.State.SmoothingOnScaledGenes);
        // Before 1.8 no selection loss or kept fraction was saved: the epoch was kept whole.
        Assert.Equal(1, imputer.KeptFraction);
        Assert.All(imputer.TrainingHistory, p => Assert.True(double.IsNaN(p.SelectionLoss)));
        var counts = ExpressionFile.Read(Path.Combine(dir, "format-1.5-counts.csv"));
        var output = ExpressionMatrix.FromDataView(loaded.Transform(counts.ToDataView()), imputer.OutputColumnName, ScGnnDefaults.CellIdColumnName);
        var want = ExpressionFile.Read(Path.Combine(dir, expected));
        Assert.Equal(want.CellIds, output.CellIds);
        Assert.Equal(want.GeneIds, output.GeneIds);
        var a = want.ToDense();
        var b = output.ToDense();
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-4 * (1 + Math.Abs(a[i])), $"entry {i}: {b[i]} vs {a[i]}");
    }

    [Fact]
    public void A_model_fitted_for_the_smoothed_output_saves_no_network_and_smooths_as_a_trained_one()
    {
        var ml = new MLContext(1);
        var data = TwoGroupData.Create().Observed.ToDataView();
        var options = new ScGnnOptions { Epochs = 20, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu };
        var trained = ml.Transforms.ImputeWithScGnn(options).Fit(data);
        options.OutputMode = ImputationOutputMode.Smoothed;
        var smoothing = ml.Transforms.ImputeWithScGnn(options).Fit(data);
        Assert.True(trained.HasNetwork);
        Assert.False(smoothing.HasNetwork);
        Assert.Equal(0, smoothing.HiddenUnits);
        Assert.Empty(smoothing.TrainingHistory);
        Assert.Equal(8, smoothing.State.ComponentCount);
        Assert.Equal(10, smoothing.NeighborCount);

        // The smoothed output reads no network: the same values as the trained model's, before and after a zip.
        var zip = ModelFiles.Save(ml, smoothing, data.Schema);
        var loaded = Assert.IsType<ScGnnImputationTransformer>(ModelFiles.Load(zip, out _));
        Assert.False(loaded.HasNetwork);
        Assert.True(loaded.State.SmoothingOnScaledGenes);
        Assert.Equal(ImputationOutputMode.Smoothed, loaded.OutputMode);
        var expected = Output(trained.WithOutputMode(ImputationOutputMode.Smoothed), data);
        Assert.Equal(expected, Output(smoothing, data));
        Assert.Equal(expected, Output(loaded, data));
        // Genes, settings and a component count: far smaller than the trained model's PCA basis and weights.
        Assert.True(zip.Length < ModelFiles.Save(ml, trained, data.Schema).Length / 2, $"{zip.Length} bytes");

        // The outputs that read a network say so instead of failing later.
        var e = Assert.Throws<InvalidOperationException>(() => loaded.WithOutputMode(ImputationOutputMode.ImputeZeros));
        Assert.Contains("holds no network", e.Message);
        Assert.Contains("WithOutputMode(ImputationOutputMode.Smoothed)", e.Message);
    }

    [Fact]
    public void A_mask_column_with_the_smoothed_output_is_refused_before_any_work()
    {
        var ml = new MLContext(1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(
            new ScGnnOptions { OutputMode = ImputationOutputMode.Smoothed, MaskColumnName = "DropoutMask" }));
        Assert.Contains("MaskColumnName", e.Message);
        Assert.Contains("Smoothed", e.Message);
    }

    [Fact]
    public void The_kept_epoch_and_the_loss_history_survive_a_round_trip()
    {
        var (ml, data, model) = Fitted();
        var fitted = (ScGnnImputationTransformer)model;
        var loaded = Assert.IsType<ScGnnImputationTransformer>(ModelFiles.Load(ModelFiles.Save(ml, model, data.Schema), out _));
        Assert.Equal(40, loaded.TrainingHistory.Count);
        Assert.Equal(fitted.BestEpoch, loaded.BestEpoch);
        Assert.Equal(fitted.TrainingHistory, loaded.TrainingHistory);
        // The default's epoch rule: the loss it chose by and the fraction of the kept change, saved since 1.8.
        Assert.All(fitted.TrainingHistory, p => Assert.True(double.IsFinite(p.SelectionLoss)));
        Assert.Equal(fitted.TrainingHistory[0].ValidationLoss, fitted.TrainingHistory[0].SelectionLoss);
        Assert.InRange(fitted.KeptFraction, 0, 1);
        Assert.Equal(fitted.KeptFraction, loaded.KeptFraction);
        // Saving the loaded model again gives the same bytes: nothing is lost or recomputed.
        Assert.Equal(ModelFiles.Save(ml, loaded, data.Schema).Length, ModelFiles.Save(ml, model, data.Schema).Length);
    }

    [Theory]
    [InlineData(float.NaN, "skip-connection coefficients entry 3 is NaN")]
    [InlineData(float.PositiveInfinity, "skip-connection coefficients entry 3 is ∞")]
    [InlineData(3e9f, "of magnitude at most 1E+07")]
    public void A_forged_weight_with_a_valid_checksum_does_not_load(float forged, string expected)
    {
        var ml = new MLContext(1);
        var data = TwoGroupData.Create().Observed.ToDataView();
        var model = (ScGnnImputationTransformer)ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 2, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu })
            .Fit(data);
        // Saved through the normal writer, so the checksum matches the forged bytes.
        model.State.Ensemble[0][4][3] = forged;
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(zip));
        Assert.Contains("SCGNN imputation", e.Message);
        Assert.Contains(expected, e.Message.Replace("Infinity", "∞"));
    }

    [Fact]
    public void A_model_older_than_the_oldest_readable_format_fails_naming_its_version()
    {
        var (ml, data, model) = Fitted();
        var zip = ModelFiles.Save(ml, model, data.Schema);
        string entry = ModelFiles.FindEntry(zip, ScGnnImputationTransformer.LoaderSignature);
        var ancient = ModelFiles.EditEntry(zip, entry, bytes =>
        {
            BitConverter.GetBytes(0x00010000u).CopyTo(bytes, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00010000u).CopyTo(bytes, ModelFiles.ModelVerReadableOffset);
            return bytes;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(ancient));
        Assert.Contains("format version 0x00010000", e.Message);
        Assert.Contains("0x00010001", e.Message);
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

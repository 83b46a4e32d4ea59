using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Persistence;

/// <summary>
/// Every preprocessing transformer saves to an ML.NET model zip and loads back through
/// <c>MLContext.Model.Load</c> in a new MLContext with no registration call, giving identical output; damaged,
/// tampered and too-new models fail with a <see cref="ScGnnModelFormatException"/> naming the component.
/// </summary>
public class PreprocessingPersistenceTests
{
    private static readonly float[,] Counts =
    {
        { 0, 1, 0, 0, 1, 4 },
        { 0, 1, 2, 0, 3, 0 },
        { 0, 1, 0, 5, 1, 2 },
        { 3, 1, 2, 8, 3, 0 },
        { 0, 2, 9, 0, 1, 1 },
    };

    public static TheoryData<string> Components => new()
    {
        "SelectVariableGenes", "NormalizeMedianLibrarySize", "NormalizeMedianLibrarySize+Drop", "SimulateDropout", "Log1p", "ScaleGenes",
    };

    private static IEstimator<ITransformer> Estimator(MLContext ml, string name) => name switch
    {
        "SelectVariableGenes" => ml.Transforms.SelectVariableGenes(topGeneCount: 4),
        "NormalizeMedianLibrarySize" => ml.Transforms.NormalizeMedianLibrarySize(),
        "NormalizeMedianLibrarySize+Drop" => ml.Transforms.NormalizeMedianLibrarySize(dropEmptyCells: true),
        "SimulateDropout" => ml.Transforms.SimulateDropout(maskRate: 0.4, seed: 11),
        "Log1p" => ml.Transforms.Log1p("Log", "Expression"),
        "ScaleGenes" => ml.Transforms.ScaleGenes(maxValue: 1.5),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Components))]
    public void Transformer_round_trips_with_identical_output(string name)
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = Estimator(ml, name).Fit(data);
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var loaded = ModelFiles.Load(zip, out var schema);

        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(data.Schema.Count, schema.Count);
        AssertSameOutput(model.Transform(data), loaded.Transform(data));
        Assert.Equal(model.IsRowToRowMapper, loaded.IsRowToRowMapper);
    }

    [Fact]
    public void A_whole_pipeline_with_a_builtin_transform_round_trips()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var pipeline = ml.Transforms.CopyColumns("Raw", "Expression")
            .Append(ml.Transforms.SelectVariableGenes(topGeneCount: 4))
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Append(ml.Transforms.SimulateDropout(seed: 4))
            .Append(ml.Transforms.Log1p("Log", "Expression"))
            .Append(ml.Transforms.ScaleGenes("Scaled", "Log"));
        var model = pipeline.Fit(data);
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var loaded = ModelFiles.Load(zip, out _);

        AssertSameOutput(model.Transform(data), loaded.Transform(data));
        var chain = Assert.IsType<TransformerChain<ITransformer>>(loaded);
        var dropout = Assert.IsType<DropoutSimulatingTransformer>(chain.ElementAt(3));
        var original = (DropoutSimulatingTransformer)model.ElementAt(3);
        Assert.Equal(original.MaskedCount, dropout.MaskedCount);
        Assert.Equal(original.MaskRate, dropout.MaskRate);
        var genes = Assert.IsType<VariableGeneSelectingTransformer>(chain.ElementAt(1));
        Assert.Equal(((VariableGeneSelectingTransformer)model.ElementAt(1)).KeptGeneNames, genes.KeptGeneNames);
    }

    [Fact]
    public void The_model_stores_the_simple_assembly_name_and_compact_data()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.ScaleGenes().Fit(data), data.Schema);
        string entry = ModelFiles.FindEntry(zip, "ScGnnScaleGenes");
        byte[]? bytes = null;
        ModelFiles.EditEntry(zip, entry, b => bytes = b);
        long fpAssembly = BitConverter.ToInt64(bytes!, 0x90);
        int cbAssembly = (int)BitConverter.ToUInt32(bytes!, 0x98);
        Assert.Equal("ScGnn.MLNet", Encoding.Unicode.GetString(bytes!, (int)fpAssembly, cbAssembly));
        // Payload: two column names, 2 x (4 + 6 x 8) bytes of means and sds, flags; plus length and SHA-256.
        long cbModel = BitConverter.ToInt64(bytes!, 0x18);
        Assert.InRange(cbModel, 8 + 2 * 52 + 32, 8 + 2 * 52 + 32 + 40);
    }

    [Fact]
    public void A_model_from_a_newer_format_version_names_the_component_and_the_versions()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.SelectVariableGenes(topGeneCount: 3).Fit(data), data.Schema);
        string entry = ModelFiles.FindEntry(zip, "ScGnnVariableGenes");
        var future = ModelFiles.EditEntry(zip, entry, b =>
        {
            BitConverter.GetBytes(0x00020001u).CopyTo(b, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00020001u).CopyTo(b, ModelFiles.ModelVerReadableOffset);
            return b;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(future));
        Assert.Contains("variable-gene selection", e.Message);
        Assert.Contains("0x00020001", e.Message);
        Assert.Contains("newer", e.Message);
        Assert.Equal("variable-gene selection", e.Component);
        Assert.Equal("ScGnnVariableGenes", e.LoaderSignature);
        Assert.Equal(0x00020001u, e.ModelVersion);
        Assert.Equal(0x00010001u, e.SupportedVersion);
    }

    [Fact]
    public void A_model_older_than_supported_is_refused_clearly()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.Log1p().Fit(data), data.Schema);
        var old = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnLog1p"), b =>
        {
            BitConverter.GetBytes(0x00000001u).CopyTo(b, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00000001u).CopyTo(b, ModelFiles.ModelVerReadableOffset);
            return b;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(old));
        Assert.Contains("log1p transform", e.Message);
        Assert.Contains("older", e.Message);
    }

    [Theory]
    [MemberData(nameof(Components))]
    public void A_tampered_byte_in_the_component_data_is_caught_by_the_checksum(string name)
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = Estimator(ml, name).Fit(data);
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var (signature, display) = Identity(model);
        var tampered = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, signature), b =>
        {
            b[ModelFiles.ModelBlockStart(b) + 8 + 3] ^= 0x20; // inside the payload, after its length
            return b;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(tampered));
        Assert.Contains(display, e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void A_tampered_payload_length_is_reported_as_corrupt()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.SimulateDropout().Fit(data), data.Schema);
        var tampered = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnDropoutSimulation"), b =>
        {
            BitConverter.GetBytes(long.MaxValue / 2).CopyTo(b, ModelFiles.ModelBlockStart(b));
            return b;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(tampered));
        Assert.Contains("dropout simulation", e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void A_wrong_model_signature_is_reported()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.NormalizeMedianLibrarySize().Fit(data), data.Schema);
        var tampered = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnLibrarySizeNorm"), b =>
        {
            Encoding.ASCII.GetBytes("XXXXXXXX").CopyTo(b, 0x40);
            return b;
        });
        var e = Assert.IsType<ScGnnModelFormatException>(ModelFiles.LoadFailure(tampered));
        Assert.Contains("median library-size normalization", e.Message);
        Assert.Contains("signature 'XXXXXXXX'", e.Message);
    }

    [Fact]
    public void A_truncated_zip_fails_with_a_zip_format_error()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.SelectVariableGenes(topGeneCount: 3).Fit(data), data.Schema);
        var truncated = zip.AsSpan(0, zip.Length / 2).ToArray();
        // The zip directory sits at the end, so nothing of the model can be read and no component is reached.
        var e = ModelFiles.LoadFailure(truncated);
        Assert.IsType<InvalidDataException>(e);
        Assert.Contains("Central Directory", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_truncated_component_stream_fails_before_or_in_the_loader()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var zip = ModelFiles.Save(ml, ml.Transforms.SelectVariableGenes(topGeneCount: 3).Fit(data), data.Schema);
        var truncated = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnVariableGenes"), b => b.AsSpan(0, b.Length - 40).ToArray());
        var e = ModelFiles.LoadFailure(truncated);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    private static (string Signature, string Display) Identity(ITransformer model) => model switch
    {
        VariableGeneSelectingTransformer => ("ScGnnVariableGenes", "variable-gene selection"),
        LibrarySizeNormalizingTransformer => ("ScGnnLibrarySizeNorm", "median library-size normalization"),
        DropoutSimulatingTransformer => ("ScGnnDropoutSimulation", "dropout simulation"),
        Log1pTransformer => ("ScGnnLog1p", "log1p transform"),
        GeneScalingTransformer => ("ScGnnScaleGenes", "gene scaling"),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    private static void AssertSameOutput(IDataView expected, IDataView actual)
    {
        Assert.Equal(expected.Schema.Select(c => c.Name), actual.Schema.Select(c => c.Name));
        foreach (var column in expected.Schema.Where(c => !c.IsHidden && c.Type is VectorDataViewType))
        {
            var a = Dense(expected, column.Name);
            var b = Dense(actual, column.Name);
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.Equal(a[i].Select(BitConverter.SingleToInt32Bits), b[i].Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(SlotNames(column), SlotNames(actual.Schema[column.Name]));
        }
        Assert.Equal(Text(expected, "CellId"), Text(actual, "CellId"));
    }
}

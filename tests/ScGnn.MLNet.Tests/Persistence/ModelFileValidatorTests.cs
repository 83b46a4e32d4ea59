using Microsoft.ML;
using ScGnn.MLNet.Persistence;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Persistence;

public class ModelFileValidatorTests
{
    private static byte[] Model(out MLContext ml)
    {
        ml = new MLContext(seed: 1);
        var data = View(new float[,] { { 1, 2, 0 }, { 0, 3, 1 }, { 4, 0, 9 } });
        var model = ml.Transforms.CopyColumns("Raw", "Expression")
            .Append(ml.Transforms.SelectVariableGenes(topGeneCount: 2))
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Fit(data);
        return ModelFiles.Save(ml, model, data.Schema);
    }

    private static ScGnnModelFormatException Invalid(byte[] zip) =>
        Assert.Throws<ScGnnModelFormatException>(() => ModelFileValidator.Validate(new MemoryStream(zip)));

    [Fact]
    public void A_sound_model_passes()
    {
        ModelFileValidator.Validate(new MemoryStream(Model(out _)));
    }

    [Fact]
    public void A_sound_model_file_on_disk_passes_and_loads()
    {
        var zip = Model(out var ml);
        string path = Path.Combine(Path.GetTempPath(), $"scgnn-validator-{Guid.NewGuid():N}.zip");
        try
        {
            File.WriteAllBytes(path, zip);
            ModelFileValidator.Validate(path);
            Assert.NotNull(new MLContext().Model.Load(path, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_truncated_zip_is_named_as_such()
    {
        var zip = Model(out _);
        var e = Invalid(zip.AsSpan(0, zip.Length - 100).ToArray());
        Assert.Contains("not a readable zip archive", e.Message);
    }

    [Fact]
    public void A_truncated_component_stream_names_the_component()
    {
        // Model.Load only says "One of the identified items was in an invalid format" here.
        var zip = Model(out _);
        var truncated = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnVariableGenes"), b => b.AsSpan(0, b.Length - 40).ToArray());
        Assert.IsAssignableFrom<FormatException>(ModelFiles.LoadFailure(truncated));
        var e = Invalid(truncated);
        Assert.Contains("variable-gene selection", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal("variable-gene selection", e.Component);
    }

    [Fact]
    public void A_truncated_header_of_an_MLNet_component_is_named_by_its_loader_signature()
    {
        var zip = Model(out _);
        string entry = ModelFiles.FindEntry(zip, "TransformerChain");
        var e = Invalid(ModelFiles.EditEntry(zip, entry, b => b.AsSpan(0, 200).ToArray()));
        Assert.Contains("'TransformerChain'", e.Message);
        Assert.Contains("shorter than ML.NET's 256-byte header", e.Message);
    }

    [Fact]
    public void Tampered_data_and_future_versions_give_the_same_messages_as_Load()
    {
        var zip = Model(out _);
        string entry = ModelFiles.FindEntry(zip, "ScGnnLibrarySizeNorm");
        var tampered = ModelFiles.EditEntry(zip, entry, b =>
        {
            b[ModelFiles.ModelBlockStart(b) + 12] ^= 1;
            return b;
        });
        Assert.Equal(ModelFiles.LoadFailure(tampered).Message, Invalid(tampered).Message);
        Assert.Contains("checksum", Invalid(tampered).Message);

        var future = ModelFiles.EditEntry(zip, entry, b =>
        {
            BitConverter.GetBytes(0x00010005u).CopyTo(b, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00010005u).CopyTo(b, ModelFiles.ModelVerReadableOffset);
            return b;
        });
        Assert.Equal(ModelFiles.LoadFailure(future).Message, Invalid(future).Message);
        Assert.Contains("0x00010005", Invalid(future).Message);
    }

    [Fact]
    public void A_zip_without_model_streams_is_rejected()
    {
        using var buffer = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            archive.CreateEntry("readme.txt");
        var e = Invalid(buffer.ToArray());
        Assert.Contains("no ML.NET model streams", e.Message);
    }
    [Fact]
    public void Leading_garbage_is_a_named_format_error_not_a_raw_InvalidDataException()
    {
        var zip = Model(out _);
        var e = Invalid([.. new byte[100], .. zip]);
        Assert.Contains("not a readable zip archive", e.Message);
    }

    [Fact]
    public void A_flipped_byte_in_our_loader_assembly_name_is_caught_before_Load_trips_on_it()
    {
        var zip = Model(out _);
        var damaged = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnVariableGenes"), b =>
        {
            long fp = BitConverter.ToInt64(b, 0x90);   // FpAssemblyName: UTF-16 "ScGnn.MLNet"
            b[fp + 2] = (byte)'b';                     // "SbGnn.MLNet"
            return b;
        });
        Assert.IsType<FileNotFoundException>(ModelFiles.LoadFailure(damaged));
        var e = Invalid(damaged);
        Assert.Contains("'SbGnn.MLNet'", e.Message);
        Assert.Equal("variable-gene selection", e.Component);
    }

    [Fact]
    public void A_flipped_byte_in_a_loader_signature_is_caught()
    {
        var zip = Model(out _);
        var damaged = ModelFiles.EditEntry(zip, ModelFiles.FindEntry(zip, "ScGnnVariableGenes"), b =>
        {
            b[ModelFiles.LoaderSignatureOffset + 1] = (byte)'b'; // "SbGnnVariableGenes"
            return b;
        });
        ModelFiles.LoadFailure(damaged);
        var e = Invalid(damaged);
        Assert.Contains("names the loader 'SbGnnVariableGenes'", e.Message);
    }

    [Fact]
    public void A_missing_chain_entry_is_named()
    {
        var zip = Model(out _);
        string entry = ModelFiles.FindEntry(zip, "ScGnnVariableGenes");
        using var buffer = new MemoryStream();
        buffer.Write(zip);
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
            archive.GetEntry(entry)!.Delete();
        var damaged = buffer.ToArray();
        ModelFiles.LoadFailure(damaged);
        var e = Invalid(damaged);
        Assert.Contains($"entry '{entry}' is missing", e.Message);
    }

    [Fact]
    public void A_zip_bomb_is_rejected_without_inflating_it_into_memory()
    {
        using var buffer = new MemoryStream();
        using (var archive = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = archive.CreateEntry("TransformerChain/Model.key", System.IO.Compression.CompressionLevel.Optimal).Open();
            var block = new byte[1 << 20];
            for (int i = 0; i < 256; i++) s.Write(block);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Invalid(buffer.ToArray());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("entry 'TransformerChain/Model.key'", e.Message);
        Assert.True(allocated < 8L << 20, $"allocated {allocated:N0} bytes for a 256 MiB entry");
    }

    [Fact]
    public void Damage_only_Load_notices_still_fails_validation_naming_the_file()
    {
        var zip = Model(out _);
        // ML.NET's schema entry is not checksummed; a changed byte passes the zip layer but not Load.
        var damaged = ModelFiles.EditEntry(zip, "Schema", b => { b[0] ^= 0x55; return b; });
        ModelFiles.LoadFailure(damaged);
        string path = Path.Combine(Path.GetTempPath(), $"scgnn-validator-{Guid.NewGuid():N}.zip");
        try
        {
            File.WriteAllBytes(path, damaged);
            var e = Assert.Throws<ScGnnModelFormatException>(() => ModelFileValidator.Validate(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("does not load", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

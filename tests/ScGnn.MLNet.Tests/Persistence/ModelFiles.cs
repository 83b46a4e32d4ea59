using System.IO.Compression;
using Microsoft.ML;

namespace ScGnn.MLNet.Tests.Persistence;

/// <summary>Saves, reloads and edits ML.NET model zips in memory, for persistence tests.</summary>
internal static class ModelFiles
{
    // ML.NET ModelHeader layout (Microsoft.ML.Core/Data/ModelHeader.cs): fixed offsets in every Model.key stream.
    internal const int HeaderSize = 0x100;
    internal const int ModelVerWrittenOffset = 0x48;
    internal const int ModelVerReadableOffset = 0x4C;
    internal const int LoaderSignatureOffset = 0x50;
    internal const int FpModelOffset = 0x10;

    /// <summary>Saves a transformer with its input schema into zip bytes.</summary>
    internal static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>Loads a model from zip bytes with a fresh MLContext (nothing registered by hand).</summary>
    internal static ITransformer Load(byte[] zip, out DataViewSchema schema)
    {
        using var stream = new MemoryStream(zip, writable: false);
        return new MLContext(seed: 7).Model.Load(stream, out schema);
    }

    /// <summary>Loads and returns the innermost exception, which is what callers should report.</summary>
    internal static Exception LoadFailure(byte[] zip)
    {
        var e = Assert.ThrowsAny<Exception>(() => Load(zip, out _));
        return e.GetBaseException();
    }

    /// <summary>Name of the zip entry whose model header carries this loader signature.</summary>
    internal static string FindEntry(byte[] zip, string loaderSignature)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            if (!entry.FullName.EndsWith("Model.key", StringComparison.Ordinal)) continue;
            var bytes = ReadEntry(entry);
            if (bytes.Length >= HeaderSize && LoaderSignature(bytes) == loaderSignature) return entry.FullName;
        }
        throw new InvalidOperationException($"No Model.key with loader signature '{loaderSignature}' in the zip.");
    }

    /// <summary>A copy of the zip with one entry's bytes changed by <paramref name="edit"/>.</summary>
    internal static byte[] EditEntry(byte[] zip, string entryName, Func<byte[], byte[]> edit)
    {
        using var output = new MemoryStream();
        output.Write(zip);
        using (var archive = new ZipArchive(output, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = archive.GetEntry(entryName) ?? throw new InvalidOperationException(entryName);
            var bytes = edit(ReadEntry(entry));
            entry.Delete();
            using var s = archive.CreateEntry(entryName).Open();
            s.Write(bytes);
        }
        return output.ToArray();
    }

    /// <summary>Position of the component's model block (right after ML.NET's header).</summary>
    internal static long ModelBlockStart(byte[] entry) => BitConverter.ToInt64(entry, FpModelOffset);

    private static string LoaderSignature(byte[] header)
    {
        var chars = header.AsSpan(LoaderSignatureOffset, 24).ToArray().TakeWhile(b => b != 0).Select(b => (char)b);
        return new string(chars.ToArray());
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}

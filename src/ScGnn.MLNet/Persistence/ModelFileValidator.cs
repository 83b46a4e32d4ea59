using System.IO.Compression;
using System.Text;
using Microsoft.ML;

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// Checks a model zip written by <c>MLContext.Model.Save</c> without loading it, and reports the first problem as
/// a <see cref="ScGnnModelFormatException"/> naming the file, the zip entry and the component: an unreadable or
/// truncated zip, a component stream that is truncated or whose ML.NET header is damaged (any component, ML.NET's
/// own included), and for this library's components also a format version this build cannot read or data that
/// fails its checksum.
/// </summary>
/// <remarks>
/// <c>MLContext.Model.Load</c> reports some of these failures only as ML.NET's generic "invalid format" error
/// (a truncated component stream fails in ML.NET's header check, before any loader runs). Call
/// <see cref="Validate(string)"/> before <c>Load</c>, or after <c>Load</c> failed, to get a message that says which
/// component is broken and how. It reads the whole file once.
/// </remarks>
public static class ModelFileValidator
{
    private const string ModelStreamName = "Model.key";

    /// <summary>Validates the model zip at <paramref name="path"/>.</summary>
    /// <exception cref="ScGnnModelFormatException">The file is not a loadable model; the message says why and where.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        Validate(stream, path);
    }

    /// <summary>Validates a model zip read from <paramref name="stream"/> (left open).</summary>
    /// <exception cref="ScGnnModelFormatException">The stream is not a loadable model; the message says why and where.</exception>
    public static void Validate(Stream stream) => Validate(stream, "(stream)");

    private static void Validate(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new ScGnnModelFormatException("model file", "",
                $"The model file '{fileName}' is not a readable zip archive (truncated or damaged): {e.Message}");
        }
        using (archive)
        {
            int components = 0;
            foreach (var entry in archive.Entries)
            {
                if (entry.Name != ModelStreamName) continue;
                components++;
                byte[] bytes;
                try
                {
                    using var source = entry.Open();
                    using var copy = new MemoryStream();
                    source.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                catch (InvalidDataException e)
                {
                    throw new ScGnnModelFormatException("model file", "",
                        $"The model file '{fileName}' is damaged: its entry '{entry.FullName}' cannot be read: {e.Message}");
                }
                CheckComponent(bytes, entry.FullName, fileName);
            }
            if (components == 0)
                throw new ScGnnModelFormatException("model file", "",
                    $"The model file '{fileName}' is a zip archive but holds no ML.NET model streams ({ModelStreamName}).");
        }
    }

    private static void CheckComponent(byte[] bytes, string entryName, string fileName)
    {
        // The loader signature sits at a fixed place in the header, so even a truncated stream can be named.
        string signature = bytes.Length >= 0x68 ? SignatureAt(bytes, 0x50) : "";
        var ours = signature.Length > 0 ? ModelComponentInfo.Find(signature) : null;
        string label = ours is not null ? $"ScGnn.MLNet {ours.DisplayName} (loader '{signature}')"
            : signature.Length > 0 ? $"component '{signature}'" : "a component";
        string where = $"in '{fileName}', entry '{entryName}'";
        string component = ours?.DisplayName ?? (signature.Length > 0 ? signature : entryName);

        if (bytes.Length < ModelHeader.Size)
            throw new ScGnnModelFormatException(component, signature,
                $"The model's {label} {where} is truncated: {bytes.Length} bytes, shorter than ML.NET's {ModelHeader.Size}-byte header.");
        ModelHeader.MarshalFromBytes(out var header, bytes);
        if (header.FpLim > bytes.Length)
            throw new ScGnnModelFormatException(component, signature,
                $"The model's {label} {where} is truncated: its header says {header.FpLim} bytes, the stream has {bytes.Length}.");
        using (var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8))
        {
            if (!ModelHeader.TryValidate(ref header, reader, 0, out _, out _, out var problem))
                throw new ScGnnModelFormatException(component, signature,
                    $"The model's {label} {where} has a damaged ML.NET header: {problem?.Message}");
        }
        if (ours is null) return;

        ModelPayload.CheckVersion(ref header, ours);
        try
        {
            using var block = new MemoryStream(bytes, writable: false) { Position = header.FpModel };
            ModelPayload.ReadVerifiedPayload(block, header.FpModel, header.CbModel);
        }
        catch (Exception e) when (ModelPayload.IsDecodeFailure(e))
        {
            throw ModelPayload.Corrupt(ours, e);
        }
    }

    private static string SignatureAt(byte[] bytes, int offset)
    {
        var chars = new StringBuilder(24);
        for (int i = 0; i < 24 && bytes[offset + i] != 0; i++)
            chars.Append((char)bytes[offset + i]);
        return chars.ToString();
    }
}

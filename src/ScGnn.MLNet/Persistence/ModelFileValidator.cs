using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// Checks a model zip written by <c>MLContext.Model.Save</c> and reports the first problem as a
/// <see cref="ScGnnModelFormatException"/> naming the file, the zip entry and the component: an unreadable or
/// truncated zip (also one with bytes before or inside it), an entry that inflates beyond what its compressed size
/// allows (a zip bomb), a component stream that is truncated or whose ML.NET header is damaged, a loader assembly or
/// loader signature that ML.NET cannot resolve (a flipped byte in a name), a sub-model entry the chain needs but
/// the zip lacks, and for this library's components also a format version this build cannot read or data that
/// fails its checksum. Last, when all of that holds, the model is loaded into a fresh <see cref="MLContext"/>, so a
/// file that passes is one <c>Load</c> accepts.
/// </summary>
/// <remarks>
/// <c>MLContext.Model.Load</c> reports most of these failures only as ML.NET's generic errors (a truncated component
/// stream fails in ML.NET's header check, before any loader runs; a flipped assembly name is a
/// <c>FileNotFoundException</c>). Call <see cref="Validate(string)"/> after <c>Load</c> failed to get a message that
/// says which component is broken and how. Entries are streamed, never held whole: memory stays a few buffers plus
/// each component's small string table, whatever the entry sizes claim.
/// </remarks>
public static class ModelFileValidator
{
    private const string ModelStreamName = "Model.key";
    private const string ChainSignature = "TransformerChain";
    private const string ChainChildTemplate = "Transform_{0:000}";
    private static readonly string[] RootDirectories = ["TransformerChain", "DataLoaderModel"];
    private const int HashSize = 32;
    // Deflate cannot inflate more than 1032:1; more means the entry's data or sizes are damaged.
    private const long MaxInflation = 1032;
    private const long InflationSlack = 1 << 16;
    // Everything after the model block (string table, assembly name, tail) is small.
    private const long MaxTrailerBytes = 64 << 20;

    /// <summary>Validates the model zip at <paramref name="path"/>.</summary>
    /// <exception cref="ScGnnModelFormatException">The file is not a loadable model; the message says why and names the file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        try
        {
            Validate(stream, path);
        }
        catch (ScGnnModelFormatException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            // The component-level messages match Load's, which cannot know the file.
            throw new ScGnnModelFormatException(e.Component, e.LoaderSignature, $"{path}: {e.Message}", e.ModelVersion, e.SupportedVersion);
        }
    }

    /// <summary>Validates a model zip read from <paramref name="stream"/> (left open).</summary>
    /// <exception cref="ScGnnModelFormatException">The stream is not a loadable model; the message says why and where.</exception>
    public static void Validate(Stream stream) => Validate(stream, "(stream)");

    private static void Validate(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long start = stream.CanSeek ? stream.Position : 0;
        try
        {
            ValidateStructure(stream, fileName);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new ScGnnModelFormatException("model file", "",
                $"The model file '{fileName}' is not a readable zip archive (truncated or damaged): {e.Message}");
        }
        if (!stream.CanSeek) return;
        stream.Position = start;
        try
        {
            new MLContext(seed: 0).Model.Load(stream, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var root = e.GetBaseException();
            if (root is ScGnnModelFormatException ours) throw ours;
            throw new ScGnnModelFormatException("model file", "",
                $"The model file '{fileName}' passes the structural checks but does not load: {root.Message}");
        }
    }

    private sealed record Component(string Entry, string Directory, string Signature, int? ChainCount);

    private static void ValidateStructure(Stream stream, string fileName)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var components = new List<Component>();
        var modelDirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            string where = $"in '{fileName}', entry '{entry.FullName}'";
            if (entry.Length > MaxInflation * entry.CompressedLength + InflationSlack || entry.Length > Array.MaxLength)
                throw new ScGnnModelFormatException("model file", "",
                    $"The model file '{fileName}' is damaged: entry '{entry.FullName}' claims {entry.Length:N0} bytes from " +
                    $"{entry.CompressedLength:N0} compressed, more than deflate can produce (a zip bomb or a damaged directory).");
            try
            {
                using var source = entry.Open();
                if (entry.Name == ModelStreamName)
                {
                    string dir = entry.FullName.Length > ModelStreamName.Length ? entry.FullName[..^(ModelStreamName.Length + 1)] : "";
                    components.Add(CheckComponent(source, entry.Length, entry.FullName, dir, where));
                    modelDirs.Add(dir);
                }
                else
                {
                    Drain(source, entry.Length, where);
                }
            }
            catch (InvalidDataException e)
            {
                throw new ScGnnModelFormatException("model file", "",
                    $"The model file '{fileName}' is damaged: its entry '{entry.FullName}' cannot be read: {e.Message}");
            }
        }
        if (components.Count == 0)
            throw new ScGnnModelFormatException("model file", "",
                $"The model file '{fileName}' is a zip archive but holds no ML.NET model streams ({ModelStreamName}).");
        if (!RootDirectories.Any(modelDirs.Contains))
            throw new ScGnnModelFormatException("model file", "",
                $"The model file '{fileName}' has no '{RootDirectories[0]}/{ModelStreamName}' (nor '{RootDirectories[1]}/{ModelStreamName}'): the model's root entry is missing.");
        foreach (var c in components.Where(c => c.ChainCount is not null))
        {
            for (int i = 0; i < c.ChainCount; i++)
            {
                string child = (c.Directory.Length == 0 ? "" : c.Directory + "/") + string.Format(System.Globalization.CultureInfo.InvariantCulture, ChainChildTemplate, i);
                if (!modelDirs.Contains(child))
                    throw new ScGnnModelFormatException(ChainSignature, ChainSignature,
                        $"The model file '{fileName}' is damaged: entry '{c.Entry}' is a chain of {c.ChainCount} transformers, " +
                        $"but transformer {i + 1}'s entry '{child}/{ModelStreamName}' is missing.");
            }
        }
    }

    /// <summary>Reads an entry to its end without keeping it, checking it yields what its size says.</summary>
    private static void Drain(Stream source, long declared, string where)
    {
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = source.Read(buffer)) > 0)
        {
            total += n;
            if (total > declared)
                throw new InvalidDataException($"the entry inflates past its declared {declared:N0} bytes");
        }
        if (total != declared)
            throw new InvalidDataException($"the entry ends after {total:N0} of its declared {declared:N0} bytes");
    }

    private static Component CheckComponent(Stream source, long declared, string entryName, string dir, string where)
    {
        var head = new byte[ModelHeader.Size];
        int got = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        // The loader signature sits at a fixed place in the header, so even a truncated stream can be named.
        string signature = got >= 0x68 ? SignatureAt(head, 0x50) : "";
        var ours = signature.Length > 0 ? ModelComponentInfo.Find(signature) : null;
        string label = ours is not null ? $"ScGnn.MLNet {ours.DisplayName} (loader '{signature}')"
            : signature.Length > 0 ? $"component '{signature}'" : "a component";
        string component = ours?.DisplayName ?? (signature.Length > 0 ? signature : entryName);
        ScGnnModelFormatException Fail(string problem) => new(component, signature, $"The model's {label} {where} {problem}");

        if (got < ModelHeader.Size)
            throw Fail($"is truncated: {got} bytes, shorter than ML.NET's {ModelHeader.Size}-byte header.");
        ModelHeader.MarshalFromBytes(out var header, head);
        if (header.FpLim > declared || header.FpLim < ModelHeader.Size)
            throw Fail($"is truncated: its header says {header.FpLim} bytes, the stream has {declared}.");
        if (header.FpModel != ModelHeader.Size || header.CbModel < 0 || header.FpModel + header.CbModel > header.FpLim ||
            header.FpLim - header.FpModel - header.CbModel > MaxTrailerBytes)
            throw Fail($"has a damaged ML.NET header: its model block ({header.FpModel}, {header.CbModel} bytes) does not fit the {header.FpLim}-byte stream.");
        if (ours is not null) ModelPayload.CheckVersion(ref header, ours);

        // The model block is streamed (hashed for our components); the header and what follows the block are kept.
        var blockStart = new byte[(int)Math.Min(header.CbModel, 16)];
        string? payloadProblem = ours is null ? SkipBlock(source, header.CbModel, blockStart) : VerifyPayload(source, header.CbModel, blockStart);
        var trailer = new byte[header.FpLim - header.FpModel - header.CbModel];
        int tn = source.ReadAtLeast(trailer, trailer.Length, throwOnEndOfStream: false);
        if (tn < trailer.Length)
            throw Fail($"is truncated: its header says {header.FpLim} bytes, the stream ends sooner.");
        if (source.ReadAtLeast(new byte[1], 1, throwOnEndOfStream: false) != 0)
            throw Fail($"holds data beyond the {header.FpLim} bytes its header says.");

        string? loaderAssembly;
        using (var image = new ComponentImage(head, header.FpModel + header.CbModel, trailer))
        using (var reader = new BinaryReader(image, Encoding.UTF8))
        {
            if (!ModelHeader.TryValidate(ref header, reader, 0, out _, out loaderAssembly, out var problem))
                throw Fail($"has a damaged ML.NET header: {problem?.Message}");
        }
        if (payloadProblem is not null)
            throw ModelPayload.Corrupt(ours!, new InvalidDataException(payloadProblem));
        CheckLoader(signature, ModelHeader.GetLoaderSigAlt(ref header), loaderAssembly, ours, Fail);

        int? chainCount = null;
        if (signature == ChainSignature)
        {
            int count = blockStart.Length >= 4 ? BitConverter.ToInt32(blockStart, 0) : -1;
            if (count is < 0 or > 100_000) throw Fail($"has a damaged chain: it claims {count} transformers.");
            chainCount = count;
        }
        return new Component(entryName, dir, signature, chainCount);
    }

    /// <summary>The loader assembly must load and define the loader signature, as <c>Load</c> will need.</summary>
    private static void CheckLoader(string signature, string? alt, string? assemblyName, ModelComponentInfo? ours,
        Func<string, ScGnnModelFormatException> fail)
    {
        if (string.IsNullOrWhiteSpace(signature) && string.IsNullOrWhiteSpace(alt))
            throw fail("has no loader signature.");
        if (ours is not null)
        {
            if (assemblyName != ours.LoaderAssemblyName)
                throw fail($"names its loader assembly '{assemblyName}', but this component lives in '{ours.LoaderAssemblyName}'; the header is damaged.");
            return;
        }
        var catalog = new ComponentCatalog();
        if (!string.IsNullOrEmpty(assemblyName))
        {
            Assembly assembly;
            try
            {
                assembly = Assembly.Load(assemblyName);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
            {
                throw fail($"names the loader assembly '{assemblyName}', which cannot be loaded: the header is damaged, or the model needs a package this app does not reference.");
            }
            catalog.RegisterAssembly(assembly);
        }
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name?.StartsWith("Microsoft.ML", StringComparison.Ordinal) == true))
            catalog.RegisterAssembly(a);
        bool known = catalog.GetAllClasses().Any(c => c.LoadNames.Any(n =>
            string.Equals(n, signature, StringComparison.OrdinalIgnoreCase) || string.Equals(n, alt, StringComparison.OrdinalIgnoreCase)));
        if (!known)
            throw fail($"names the loader '{signature}', which no loaded assembly ({assemblyName}) defines: the header is damaged.");
    }

    private static string? SkipBlock(Stream source, long size, byte[] blockStart)
    {
        int n = source.ReadAtLeast(blockStart, blockStart.Length, throwOnEndOfStream: false);
        long left = size - n;
        var buffer = new byte[81920];
        while (left > 0)
        {
            int r = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (r == 0) throw new InvalidDataException("the component stream ends inside its model block");
            left -= r;
        }
        return null;
    }

    // The same checks, with the same reasons, as ModelPayload.ReadVerifiedPayload, hashing as the bytes stream by.
    private static string? VerifyPayload(Stream source, long blockSize, byte[] blockStart)
    {
        Span<byte> lengthBytes = stackalloc byte[sizeof(long)];
        if (blockSize < sizeof(long) || source.ReadAtLeast(lengthBytes, sizeof(long), throwOnEndOfStream: false) < sizeof(long))
        {
            SkipBlock(source, Math.Max(0, blockSize - sizeof(long)), []);
            return "the component's model block is too short to hold its payload length";
        }
        lengthBytes[..Math.Min(blockStart.Length, sizeof(long))].CopyTo(blockStart);
        long length = BitConverter.ToInt64(lengthBytes);
        long available = blockSize - sizeof(long) - HashSize;
        if (length < 0 || length != available)
        {
            SkipBlock(source, blockSize - sizeof(long), []);
            return $"the payload claims {length} bytes but the model block holds {Math.Max(available, 0)}";
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long left = length;
        while (left > 0)
        {
            int r = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (r == 0) throw new InvalidDataException("the component stream ends inside its model block");
            hash.AppendData(buffer, 0, r);
            left -= r;
        }
        Span<byte> stored = stackalloc byte[HashSize];
        source.ReadExactly(stored);
        return CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), stored)
            ? null
            : "checksum mismatch: the component's data was changed or damaged after it was saved";
    }

    private static string SignatureAt(byte[] bytes, int offset)
    {
        var chars = new StringBuilder(24);
        for (int i = 0; i < 24 && bytes[offset + i] != 0; i++)
            chars.Append((char)bytes[offset + i]);
        return chars.ToString();
    }

    /// <summary>
    /// A component stream as ML.NET's header check sees it, without its model block: the header, zeros where the
    /// block was (never read by the check), then the string table, assembly name and tail.
    /// </summary>
    private sealed class ComponentImage(byte[] header, long trailerStart, byte[] trailer) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => trailerStart + trailer.Length;
        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Max(0, Math.Min(count, Length - _position));
            for (int i = 0; i < n; i++)
            {
                long p = _position + i;
                buffer[offset + i] = p < header.Length ? header[p] : p >= trailerStart ? trailer[p - trailerStart] : (byte)0;
            }
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

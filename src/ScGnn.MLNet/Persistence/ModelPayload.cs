using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// Writes and reads a component's model block as one checksummed payload, and turns every load failure
/// (unknown or too new format version, damaged or tampered data, impossible sizes) into a
/// <see cref="ScGnnModelFormatException"/> that names the component.
/// </summary>
/// <remarks>
/// Block layout after ML.NET's model header: <c>int64</c> payload length, the payload bytes (whatever the
/// component's writer produced with <see cref="ModelBinary"/>), then the 32-byte SHA-256 of the payload.
/// ML.NET keeps no checksum of a model block and .NET's zip reader does not always verify CRCs, so without
/// ours a changed weight would load silently.
/// </remarks>
internal static class ModelPayload
{
    private const int HashSize = 32;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the version header and the checksummed payload produced by <paramref name="write"/>.</summary>
    internal static void Save(ModelSaveContext ctx, ModelComponentInfo component, Action<BinaryWriter> write)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(write);
        ctx.CheckAtModel();
        ctx.SetVersionInfo(component.VersionInfo);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Utf8, leaveOpen: true))
            write(writer);
        var payload = buffer.GetBuffer().AsSpan(0, checked((int)buffer.Length));
        ctx.Writer.Write((long)payload.Length);
        ctx.Writer.Write(payload);
        ctx.Writer.Write(SHA256.HashData(payload));
    }

    /// <summary>
    /// Checks the stored format version against <paramref name="component"/>, verifies the payload checksum and
    /// runs <paramref name="read"/> on the payload; fails with <see cref="ScGnnModelFormatException"/> when
    /// anything is off, including payload bytes <paramref name="read"/> left unread.
    /// </summary>
    internal static T Load<T>(ModelLoadContext ctx, ModelComponentInfo component, Func<BinaryReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Load(ctx, component, (reader, _) => read(reader));
    }

    /// <summary>
    /// As <see cref="Load{T}(ModelLoadContext, ModelComponentInfo, Func{BinaryReader, T})"/>, also passing the
    /// format version the model was written with, for readers that handle older payload layouts.
    /// </summary>
    internal static T Load<T>(ModelLoadContext ctx, ModelComponentInfo component, Func<BinaryReader, uint, T> read)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(read);
        CheckVersion(ref ctx.Header, component);
        try
        {
            var payload = ReadVerifiedPayload(ctx.Reader.BaseStream, ctx.FpMin + ctx.Header.FpModel, ctx.Header.CbModel);
            using var stream = new MemoryStream(payload, writable: false);
            using var payloadReader = new BinaryReader(stream, Utf8);
            T result = read(payloadReader, ctx.Header.ModelVerWritten);
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"{stream.Length - stream.Position} bytes left unread at the end of the component's data");
            return result;
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Corrupt(component, e);
        }
    }

    /// <summary>
    /// Reads the model block at <paramref name="blockStart"/> (<paramref name="blockSize"/> bytes, as the ML.NET
    /// header says) and returns the payload after checking its length and checksum; leaves the stream at the
    /// block's end.
    /// </summary>
    internal static byte[] ReadVerifiedPayload(Stream stream, long blockStart, long blockSize)
    {
        if (stream.Position != blockStart)
            throw new InvalidDataException("the reader is not at the start of the component's model block");
        Span<byte> lengthBytes = stackalloc byte[sizeof(long)];
        stream.ReadExactly(lengthBytes);
        long length = BitConverter.ToInt64(lengthBytes);
        long available = blockSize - sizeof(long) - HashSize;
        if (length < 0 || length != available)
            throw new InvalidDataException($"the payload claims {length} bytes but the model block holds {Math.Max(available, 0)}");
        var payload = new byte[length];
        stream.ReadExactly(payload);
        Span<byte> stored = stackalloc byte[HashSize];
        stream.ReadExactly(stored);
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(payload), stored))
            throw new InvalidDataException("checksum mismatch: the component's data was changed or damaged after it was saved");
        return payload;
    }

    /// <summary>Exceptions that mean "the bytes are wrong", as opposed to bugs.</summary>
    internal static bool IsDecodeFailure(Exception e) =>
        e is IOException or InvalidDataException or FormatException or OverflowException or ArgumentException
            or InvalidOperationException or DecoderFallbackException && e is not ScGnnModelFormatException;

    /// <summary>The exception for corrupt data of <paramref name="component"/>, quoting the low-level reason.</summary>
    internal static ScGnnModelFormatException Corrupt(ModelComponentInfo component, Exception reason) =>
        new(component.DisplayName, component.LoaderSignature,
            $"Cannot load the ScGnn.MLNet {component.DisplayName} (loader '{component.LoaderSignature}') from the model: " +
            $"its data is corrupt: {reason.Message.TrimEnd('.')}. The model file was damaged or edited after it was saved; save it again.");

    /// <summary>Our own version check, in place of ML.NET's, whose message names ML.NET's version instead of ours.</summary>
    internal static void CheckVersion(ref ModelHeader header, ModelComponentInfo component)
    {
        var ver = component.VersionInfo;
        string prefix = $"Cannot load the ScGnn.MLNet {component.DisplayName} (loader '{component.LoaderSignature}') from the model: ";
        if (header.ModelSignature != ver.ModelSignature)
            throw new ScGnnModelFormatException(component.DisplayName, component.LoaderSignature,
                prefix + $"its model block has signature '{SignatureText(header.ModelSignature)}', expected '{SignatureText(ver.ModelSignature)}'; the model is corrupt or not of this component.");
        if (header.ModelVerReadable > header.ModelVerWritten)
            throw new ScGnnModelFormatException(component.DisplayName, component.LoaderSignature,
                prefix + $"its header is corrupt (readable version {Hex(header.ModelVerReadable)} above written version {Hex(header.ModelVerWritten)}).",
                header.ModelVerWritten, ver.VerWrittenCur);
        if (header.ModelVerReadable > ver.VerWrittenCur)
            throw new ScGnnModelFormatException(component.DisplayName, component.LoaderSignature,
                prefix + $"it was saved in format version {Hex(header.ModelVerWritten)} by a newer ScGnn.MLNet and needs a reader of " +
                $"format version {Hex(header.ModelVerReadable)} or newer, but ScGnn.MLNet {ModelComponentInfo.LibraryVersion} reads format versions " +
                $"{Hex(ver.VerWeCanReadBack)} to {Hex(ver.VerWrittenCur)}. Load it with the ScGnn.MLNet version that saved it, or a newer one.",
                header.ModelVerWritten, ver.VerWrittenCur);
        if (header.ModelVerWritten < ver.VerWeCanReadBack)
            throw new ScGnnModelFormatException(component.DisplayName, component.LoaderSignature,
                prefix + $"it was saved in format version {Hex(header.ModelVerWritten)}, older than the oldest this ScGnn.MLNet " +
                $"{ModelComponentInfo.LibraryVersion} reads ({Hex(ver.VerWeCanReadBack)}). Load it with an older ScGnn.MLNet and save it again.",
                header.ModelVerWritten, ver.VerWrittenCur);
    }

    private static string Hex(uint version) => "0x" + version.ToString("X8", System.Globalization.CultureInfo.InvariantCulture);

    private static string SignatureText(ulong signature)
    {
        var chars = new char[8];
        for (int i = 0; i < 8; i++)
        {
            char c = (char)((signature >> (i * 8)) & 0xFF);
            chars[i] = c == 0 ? ' ' : c is < ' ' or > '~' ? '?' : c;
        }
        return new string(chars);
    }
}

using System.Buffers.Binary;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Checks the sizes stored in an HDF5 file's heaps before PureHDF reads them: PureHDF allocates a global-heap
/// object (where variable-length strings live) or a local-heap data segment (group member names) at the size the
/// file claims, so one corrupt length field would make it allocate up to 2 GB. One sequential pass finds every
/// global heap collection (<c>GCOL</c>) and local heap (<c>HEAP</c>) and refuses claims beyond the file's end.
/// </summary>
internal static class H5HeapCheck
{
    private const int Block = 4 << 20;

    /// <summary>Throws when a heap claims bytes the file does not have.</summary>
    /// <param name="stream">The file, positioned anywhere.</param>
    /// <param name="path">The file path, for messages.</param>
    /// <param name="superblock">Offset of the HDF5 signature.</param>
    public static void Check(Stream stream, string path, long superblock)
    {
        long length = stream.Length;
        var (offsetSize, lengthSize) = Sizes(stream, superblock);
        if (offsetSize is not (2 or 4 or 8) || lengthSize is not (2 or 4 or 8))
            throw new ExpressionFormatException(path, null, null,
                $"HDF5 superblock at byte {superblock}: offsets of {offsetSize} and lengths of {lengthSize} bytes are not valid (corrupt file).");
        var buffer = new byte[Block + 64];
        var head = new byte[64];
        for (long start = 0; start < length; start += Block)
        {
            stream.Position = start;
            int n = ReadFully(stream, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - start)));
            var span = buffer.AsSpan(0, n);
            int limit = Math.Min(n, Block); // signatures starting in the overlap belong to the next block
            foreach (var sig in new[] { "GCOL"u8.ToArray(), "HEAP"u8.ToArray() })
            {
                for (int at = 0; at < limit;)
                {
                    int k = span[at..limit].IndexOf(sig);
                    if (k < 0) break;
                    long offset = start + at + k;
                    stream.Position = offset;
                    int got = ReadFully(stream, head);
                    if (sig[0] == (byte)'G') CheckGlobal(stream, path, offset, head.AsSpan(0, got), lengthSize, length);
                    else CheckLocal(path, offset, head.AsSpan(0, got), offsetSize, lengthSize, length);
                    at += k + 4;
                }
            }
        }
        stream.Position = 0;
    }

    private static void CheckGlobal(Stream stream, string path, long offset, ReadOnlySpan<byte> head, int lengthSize, long fileLength)
    {
        // "GCOL", version 1, 3 reserved zero bytes, collection size; anything else is data that happens to say GCOL.
        if (head.Length < 8 + lengthSize || head[4] != 1 || head[5] != 0 || head[6] != 0 || head[7] != 0) return;
        ulong size = Read(head[8..], lengthSize);
        if (size > (ulong)(fileLength - offset))
            throw Error(path, offset, "global heap", $"claims {size} bytes, beyond the end of the {fileLength}-byte file (truncated or corrupt)");
        long end = offset + (long)size;
        long pos = offset + 8 + lengthSize;
        var obj = new byte[8 + 8];
        while (pos + 8 + lengthSize <= end)
        {
            stream.Position = pos;
            if (ReadFully(stream, obj.AsSpan(0, 8 + lengthSize)) < 8 + lengthSize) break;
            ushort index = BinaryPrimitives.ReadUInt16LittleEndian(obj);
            if (index == 0) break; // free space to the end
            ulong objectSize = Read(obj.AsSpan(8), lengthSize);
            long dataStart = pos + 8 + lengthSize;
            if (objectSize > (ulong)(end - dataStart))
                throw Error(path, offset, "global heap", $"object {index} claims {objectSize} bytes, beyond the collection's end (corrupt)");
            pos = dataStart + (long)((objectSize + 7) & ~7UL);
        }
    }

    private static void CheckLocal(string path, long offset, ReadOnlySpan<byte> head, int offsetSize, int lengthSize, long fileLength)
    {
        // "HEAP", version 0, 3 reserved zero bytes, data segment size, free-list offset, data segment address.
        if (head.Length < 8 + 2 * lengthSize + offsetSize || head[4] != 0 || head[5] != 0 || head[6] != 0 || head[7] != 0) return;
        ulong size = Read(head[8..], lengthSize);
        ulong address = Read(head[(8 + 2 * lengthSize)..], offsetSize);
        if (size > (ulong)fileLength || (size > 0 && address > (ulong)fileLength - size))
            throw Error(path, offset, "local heap", $"claims {size} bytes at byte {address}, beyond the end of the {fileLength}-byte file (truncated or corrupt)");
    }

    private static (int Offsets, int Lengths) Sizes(Stream stream, long superblock)
    {
        var sb = new byte[16];
        stream.Position = superblock;
        if (ReadFully(stream, sb) < 16) return (0, 0);
        return sb[8] <= 1 ? (sb[13], sb[14]) : (sb[9], sb[10]);
    }

    private static ulong Read(ReadOnlySpan<byte> b, int size) => size switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
    };

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static ExpressionFormatException Error(string path, long offset, string what, string problem) =>
        new(path, null, null, $"HDF5 {what} at byte {offset}: {problem}.");
}

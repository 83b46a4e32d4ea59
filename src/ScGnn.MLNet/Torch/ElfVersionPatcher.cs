using System.Buffers.Binary;
using System.Text;

namespace ScGnn.MLNet.Torch;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library as weak (<c>VER_FLG_WEAK</c> on its
/// Vernaux entry in <c>.gnu.version_r</c>), so the dynamic loader accepts a libstdc++ that lacks that
/// version as long as no symbol of it is actually bound.
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>Result of inspecting (and possibly patching) a library image.</summary>
    internal enum PatchResult
    {
        /// <summary>The library does not require the version at all.</summary>
        NotRequired,
        /// <summary>The requirement was already weak.</summary>
        AlreadyWeak,
        /// <summary>The requirement was made weak in the buffer.</summary>
        Patched,
    }

    /// <summary>Sets the weak flag on every Vernaux entry named <paramref name="version"/> in an in-memory ELF64 image.</summary>
    /// <exception cref="InvalidDataException">The image is not a little-endian ELF64 file or its tables are out of bounds.</exception>
    internal static PatchResult MakeVersionWeak(byte[] image, string version)
    {
        var span = image.AsSpan();
        if (span.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1)
            throw new InvalidDataException("only little-endian ELF64 is supported");

        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        if (shentsize < 64 || shoff + (ulong)(shentsize * shnum) > (ulong)span.Length)
            throw new InvalidDataException("section header table is out of bounds");

        var result = PatchResult.NotRequired;
        for (int s = 0; s < shnum; s++)
        {
            var sh = span.Slice(checked((int)shoff + s * shentsize), shentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed)
                continue;
            long secOff = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]));
            long secSize = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x20..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            if (secOff + secSize > span.Length || link >= shnum)
                throw new InvalidDataException(".gnu.version_r is out of bounds");
            var strSh = span.Slice(checked((int)shoff + link * shentsize), shentsize);
            long strOff = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]));
            long strSize = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x20..]));
            if (strOff + strSize > span.Length)
                throw new InvalidDataException("dynamic string table is out of bounds");

            long need = secOff;
            for (int n = 0; n < count; n++)
            {
                if (need + 16 > secOff + secSize) throw new InvalidDataException("Verneed entry is out of bounds");
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(need + 2)..]);
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 8)..]);
                for (int a = 0; a < cnt; a++)
                {
                    if (aux + 16 > secOff + secSize) throw new InvalidDataException("Vernaux entry is out of bounds");
                    uint nameOff = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 8)..]);
                    if (ReadCString(span, strOff + nameOff, strOff + strSize) == version)
                    {
                        var flagsSpan = span[(int)(aux + 4)..];
                        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(flagsSpan);
                        if ((flags & VerFlgWeak) != 0)
                        {
                            if (result == PatchResult.NotRequired) result = PatchResult.AlreadyWeak;
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt16LittleEndian(flagsSpan, (ushort)(flags | VerFlgWeak));
                            result = PatchResult.Patched;
                        }
                    }
                    uint next = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(aux + 12)..]);
                    if (next == 0) break;
                    aux += next;
                }
                uint nextNeed = BinaryPrimitives.ReadUInt32LittleEndian(span[(int)(need + 12)..]);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return result;
    }

    private static string ReadCString(ReadOnlySpan<byte> span, long start, long limit)
    {
        if (start >= limit) throw new InvalidDataException("string offset is out of bounds");
        int len = span[(int)start..(int)limit].IndexOf((byte)0);
        if (len < 0) throw new InvalidDataException("unterminated string");
        return Encoding.ASCII.GetString(span.Slice((int)start, len));
    }
}

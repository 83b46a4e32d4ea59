using System.IO.Compression;
using System.Text;

namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// Seeded mutations of valid inputs: byte flips, truncations, deletions, insertions, repeated regions, size claims
/// (interesting 32/64-bit and varint values written over the bytes), splices from other formats (type confusion),
/// and for text files token, line and encoding edits (applied under gzip when the file is compressed). Every
/// mutation is described in words so a failing case can be read and replayed from its seed.
/// </summary>
internal static class FuzzMutator
{
    private static readonly long[] Claims =
    [
        0, 1, -1, 2, 255, 256, 65535, 65536, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue,
        200_000_000, 1L << 40, long.MaxValue, long.MinValue,
    ];

    private static readonly string[] Tokens =
    [
        "-1", "0", "-0", "1", "-5", "1e39", "3e38", "-1e39", "NaN", "nan", "inf", "-Infinity", "99999999999999999999",
        "2147483647", "2147483648", "9223372036854775808", "1.5", "0x10", "1,5", "", "\"", "\"a", "a\"b", "x", "%%MatrixMarket",
        "%", "\t", " ", ",", "cell", "label", "4294967296", "1e-50", "+", "-", ".", "1e", "١", "０",
    ];

    private static readonly byte[][] RawTokens =
    [
        [0xE9], [0xC3, 0x28], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF], [0x00], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x0D], [0x0A],
    ];

    /// <summary>One mutated copy of <paramref name="data"/>, with a description of what was done.</summary>
    /// <param name="data">The seed bytes.</param>
    /// <param name="rng">The case's random source.</param>
    /// <param name="isText">Whether the (decompressed) content is line-oriented text.</param>
    /// <param name="foreign">Bytes of other formats, for splices.</param>
    public static (byte[] Bytes, string What) Mutate(byte[] data, Random rng, bool isText, IReadOnlyList<byte[]> foreign)
    {
        bool gzip = data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;
        if (isText && gzip && rng.Next(2) == 0 && TryGunzip(data, out var plain))
        {
            var (text, what) = MutateText(plain, rng, foreign);
            return (Gzip(text), "under gzip: " + what);
        }
        if (isText && !gzip && rng.Next(3) != 0) return MutateText(data, rng, foreign);
        return MutateBytes(data, rng, foreign);
    }

    /// <summary>Byte-level mutations; one to three stacked.</summary>
    public static (byte[] Bytes, string What) MutateBytes(byte[] data, Random rng, IReadOnlyList<byte[]> foreign)
    {
        var b = new List<byte>(data);
        var what = new List<string>();
        int ops = 1 + (rng.Next(4) == 0 ? rng.Next(1, 3) : 0);
        for (int op = 0; op < ops; op++)
        {
            // Footers (Parquet, zip central directory) hold the claims: bias a third of the edits to the last quarter.
            int Pos(int extra = 0)
            {
                int n = Math.Max(1, b.Count - extra);
                return rng.Next(3) == 0 ? Math.Min(n - 1, n * 3 / 4 + rng.Next(Math.Max(1, n / 4))) : rng.Next(n);
            }
            if (b.Count == 0) { b.Add((byte)rng.Next(256)); what.Add("empty -> one byte"); continue; }
            switch (rng.Next(10))
            {
                case 0:
                case 1:
                {
                    int flips = 1 + rng.Next(4);
                    for (int k = 0; k < flips; k++)
                    {
                        int p = Pos();
                        int bit = rng.Next(8);
                        b[p] ^= (byte)(1 << bit);
                        what.Add($"flip bit {bit} @{p}");
                    }
                    break;
                }
                case 2:
                {
                    int p = Pos();
                    byte v = (new byte[] { 0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A })[rng.Next(7)];
                    b[p] = v;
                    what.Add($"byte @{p} = 0x{v:X2}");
                    break;
                }
                case 3:
                {
                    int keep = rng.Next(b.Count);
                    b.RemoveRange(keep, b.Count - keep);
                    what.Add($"truncate to {keep}");
                    break;
                }
                case 4:
                {
                    int p = Pos();
                    int n = Math.Min(b.Count - p, 1 + rng.Next(64));
                    b.RemoveRange(p, n);
                    what.Add($"delete {n} @{p}");
                    break;
                }
                case 5:
                {
                    int p = Pos();
                    int n = 1 + rng.Next(64);
                    var ins = new byte[n];
                    rng.NextBytes(ins);
                    b.InsertRange(p, ins);
                    what.Add($"insert {n} random @{p}");
                    break;
                }
                case 6:
                {
                    int p = Pos();
                    int n = Math.Min(b.Count - p, 1 + rng.Next(256));
                    int times = 1 + rng.Next(8);
                    var chunk = b.GetRange(p, n);
                    for (int t = 0; t < times; t++) b.InsertRange(p, chunk);
                    what.Add($"repeat {n} bytes @{p} x{times}");
                    break;
                }
                case 7:
                {
                    long claim = Claims[rng.Next(Claims.Length)];
                    int width = rng.Next(2) == 0 ? 4 : 8;
                    int p = Pos(width);
                    var bytes = width == 4 ? BitConverter.GetBytes((int)claim) : BitConverter.GetBytes(claim);
                    for (int k = 0; k < width && p + k < b.Count; k++) b[p + k] = bytes[k];
                    what.Add($"int{width * 8} {claim} @{p}");
                    break;
                }
                case 8:
                {
                    // Thrift compact protocol (Parquet footers) stores sizes and counts as zigzag varints.
                    long claim = Claims[rng.Next(Claims.Length)];
                    var varint = ZigZagVarint(claim);
                    int p = Pos(varint.Length);
                    for (int k = 0; k < varint.Length && p + k < b.Count; k++) b[p + k] = varint[k];
                    what.Add($"varint {claim} @{p}");
                    break;
                }
                default:
                {
                    if (foreign.Count == 0) goto case 0;
                    var other = foreign[rng.Next(foreign.Count)];
                    int p = Pos();
                    int n = Math.Min(other.Length, 1 + rng.Next(512));
                    int from = rng.Next(Math.Max(1, other.Length - n));
                    int over = Math.Min(n, b.Count - p);
                    b.RemoveRange(p, over);
                    b.InsertRange(p, other.AsSpan(from, Math.Min(n, other.Length - from)).ToArray());
                    what.Add($"splice {n} foreign bytes @{p}");
                    break;
                }
            }
        }
        return (b.ToArray(), string.Join(", ", what));
    }

    /// <summary>Token, line and encoding edits of line-oriented text.</summary>
    public static (byte[] Bytes, string What) MutateText(byte[] data, Random rng, IReadOnlyList<byte[]> foreign)
    {
        var lines = Split(data);
        if (lines.Count == 0) lines.Add([]);
        int li = rng.Next(lines.Count);
        string what;
        switch (rng.Next(8))
        {
            case 0:
            case 1:
            case 2:
            {
                var line = lines[li];
                var spans = TokenSpans(line);
                var repl = rng.Next(4) == 0 ? RawTokens[rng.Next(RawTokens.Length)] : Encoding.UTF8.GetBytes(Tokens[rng.Next(Tokens.Length)]);
                if (spans.Count == 0) { lines[li] = repl; what = $"line {li + 1} := token"; break; }
                var (s, l) = spans[rng.Next(spans.Count)];
                var nl = new List<byte>(line);
                nl.RemoveRange(s, l);
                nl.InsertRange(s, repl);
                lines[li] = nl.ToArray();
                what = $"line {li + 1}: token @{s} -> '{Printable(repl)}'";
                break;
            }
            case 3:
                lines.Insert(li, lines[li]);
                what = $"duplicate line {li + 1}";
                break;
            case 4:
                lines.RemoveAt(li);
                what = $"delete line {li + 1}";
                break;
            case 5:
            {
                int lj = rng.Next(lines.Count);
                (lines[li], lines[lj]) = (lines[lj], lines[li]);
                what = $"swap lines {li + 1} and {lj + 1}";
                break;
            }
            case 6:
            {
                var line = new List<byte>(lines[li]);
                var raw = RawTokens[rng.Next(RawTokens.Length)];
                int p = rng.Next(line.Count + 1);
                line.InsertRange(p, raw);
                lines[li] = line.ToArray();
                what = $"line {li + 1}: insert '{Printable(raw)}' @{p}";
                break;
            }
            default:
            {
                // A field, or a whole line, made long: the readers bound what one line may cost.
                var line = new List<byte>(lines[li]);
                int times = rng.Next(2) == 0 ? 1 + rng.Next(64) : 1000 + rng.Next(5000);
                var piece = lines[rng.Next(lines.Count)];
                var unit = piece.Length == 0 ? "0 "u8.ToArray() : piece;
                for (int t = 0; t < times && line.Count < 4 << 20; t++) line.AddRange(unit);
                lines[li] = line.ToArray();
                what = $"line {li + 1}: append {times} copies of a line";
                break;
            }
        }
        return (Join(lines), what);
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    private static bool TryGunzip(byte[] data, out byte[] plain)
    {
        try
        {
            using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            plain = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            plain = [];
            return false;
        }
    }

    private static List<byte[]> Split(byte[] data)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < data.Length; i++)
            if (data[i] == (byte)'\n') { lines.Add(data[start..i]); start = i + 1; }
        if (start < data.Length) lines.Add(data[start..]);
        return lines;
    }

    private static byte[] Join(List<byte[]> lines)
    {
        var b = new List<byte>();
        foreach (var l in lines) { b.AddRange(l); b.Add((byte)'\n'); }
        return b.ToArray();
    }

    private static List<(int Start, int Length)> TokenSpans(byte[] line)
    {
        var spans = new List<(int, int)>();
        int i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && IsSep(line[i])) i++;
            int s = i;
            while (i < line.Length && !IsSep(line[i])) i++;
            if (i > s) spans.Add((s, i - s));
        }
        return spans;
    }

    private static bool IsSep(byte c) => c is (byte)' ' or (byte)'\t' or (byte)',';

    private static byte[] ZigZagVarint(long v)
    {
        ulong z = (ulong)((v << 1) ^ (v >> 63));
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(z & 0x7F);
            z >>= 7;
            if (z != 0) b |= 0x80;
            bytes.Add(b);
        } while (z != 0);
        return bytes.ToArray();
    }

    private static string Printable(byte[] b) =>
        string.Concat(b.Select(c => c is >= 0x20 and < 0x7F ? ((char)c).ToString() : $"\\x{c:X2}"));
}

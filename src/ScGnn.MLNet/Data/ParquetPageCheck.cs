using Parquet.Meta;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Walks the page headers of one Parquet column chunk (Thrift compact protocol) and checks their size claims
/// before Parquet.Net acts on them: Parquet.Net allocates a page's claimed compressed and uncompressed sizes up
/// front, so an 8 KB file whose page header claims 1.4 GB would allocate it. Each page must lie inside its
/// chunk, and its uncompressed size must be one the codec can produce from its compressed size.
/// </summary>
internal static class ParquetPageCheck
{
    private const int HeaderReadSize = 1 << 16;
    private const long Slack = 1 << 16;

    /// <summary>Throws <see cref="ExpressionFormatException"/> when a page header of the chunk is corrupt or claims impossible sizes.</summary>
    /// <param name="file">The open file (its position is changed).</param>
    /// <param name="path">The file path, for messages.</param>
    /// <param name="chunk">The chunk's metadata, already checked to lie inside the file.</param>
    /// <param name="where">"row group g of n, column 'x'", for messages.</param>
    /// <param name="column">1-based column number, for the exception.</param>
    public static void Check(FileStream file, string path, ColumnMetaData chunk, string where, int column)
    {
        long start = chunk.DictionaryPageOffset is > 0 and var d && d < chunk.DataPageOffset ? d : chunk.DataPageOffset;
        long end = start + chunk.TotalCompressedSize;
        if (end > file.Length)
            throw new ExpressionFormatException(path, null, column, $"{where}: the column chunk runs past the end of the file.");
        long maxRatio = chunk.Codec switch
        {
            CompressionCodec.UNCOMPRESSED => 1,
            CompressionCodec.SNAPPY => 24,  // a 3-byte copy yields at most 64 bytes
            CompressionCodec.GZIP => 1032,  // deflate's limit
            CompressionCodec.LZ4 or CompressionCodec.LZ4_RAW => 256,
            _ => 1 << 16,                   // zstd, brotli: no useful format limit; still stops absurd claims
        };
        var buffer = new byte[(int)Math.Min(HeaderReadSize, Math.Max(0, end - start))];
        long pos = start;
        while (pos < end)
        {
            file.Position = pos;
            int n = file.ReadAtLeast(buffer, (int)Math.Min(buffer.Length, end - pos), throwOnEndOfStream: false);
            var reader = new CompactReader(buffer.AsSpan(0, n));
            int compressed, uncompressed;
            try
            {
                (compressed, uncompressed) = reader.ReadPageSizes();
            }
            catch (FormatException e)
            {
                throw new ExpressionFormatException(path, null, column, $"{where}: the page header at byte {pos} is corrupt ({e.Message}).");
            }
            catch (IndexOutOfRangeException)
            {
                // A header longer than what was read (long statistics) or cut off by the chunk's end.
                if (n == buffer.Length && buffer.Length == HeaderReadSize) return;
                throw new ExpressionFormatException(path, null, column, $"{where}: the page header at byte {pos} runs past its column chunk.");
            }
            long pageEnd = pos + reader.Position + (long)compressed;
            if (uncompressed > maxRatio * Math.Max(compressed, 0) + Slack)
                throw new ExpressionFormatException(path, null, column,
                    $"{where}: the page at byte {pos} claims {uncompressed:N0} bytes uncompressed from {compressed:N0} compressed, more than {chunk.Codec} can produce; the file is corrupt.");
            if (compressed < 0 || uncompressed < 0 || pageEnd > end)
                throw new ExpressionFormatException(path, null, column,
                    $"{where}: the page at byte {pos} claims {compressed:N0} compressed bytes, more than its column chunk holds; the file is corrupt.");
            pos = pageEnd;
        }
    }

    /// <summary>Just enough of Thrift's compact protocol to read a PageHeader's sizes and skip the rest of it.</summary>
    private ref struct CompactReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _depth;

        public int Position { get; private set; }

        /// <summary>PageHeader fields 2 (uncompressed_page_size) and 3 (compressed_page_size); the whole struct is consumed.</summary>
        public (int Compressed, int Uncompressed) ReadPageSizes()
        {
            long? compressed = null, uncompressed = null;
            short id = 0;
            while (true)
            {
                byte h = Next();
                int type = h & 0x0F;
                if (type == 0) break;
                int delta = h >> 4;
                id = delta != 0 ? (short)(id + delta) : (short)ZigZag(ReadVarint());
                if ((id == 2 || id == 3) && type == 5)
                {
                    long v = ZigZag(ReadVarint());
                    if (id == 2) uncompressed = v; else compressed = v;
                }
                else
                {
                    Skip(type);
                }
            }
            if (compressed is null || uncompressed is null) throw new FormatException("page sizes missing");
            if (compressed is < int.MinValue or > int.MaxValue || uncompressed is < int.MinValue or > int.MaxValue)
                throw new FormatException("page size out of 32-bit range");
            return ((int)compressed, (int)uncompressed);
        }

        private byte Next() => _data[Position++];

        private ulong ReadVarint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Next();
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
            }
            throw new FormatException("varint too long");
        }

        private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

        private void Skip(int type)
        {
            if (++_depth > 32) throw new FormatException("nested too deeply");
            switch (type)
            {
                case 1: case 2: break;                          // booleans live in the field header
                case 3: Position++; break;                       // byte
                case 4: case 5: case 6: ReadVarint(); break;     // i16, i32, i64
                case 7: Position += 8; break;                    // double
                case 8: SkipBytes(); break;                      // binary
                case 9: case 10:                                 // list, set
                {
                    byte h = Next();
                    long size = h >> 4;
                    if (size == 15) size = (long)ReadVarint();
                    int elem = h & 0x0F;
                    for (long i = 0; i < size; i++) SkipElement(elem);
                    break;
                }
                case 11:                                         // map
                {
                    long size = (long)ReadVarint();
                    if (size > 0)
                    {
                        byte kv = Next();
                        for (long i = 0; i < size; i++) { SkipElement(kv >> 4); SkipElement(kv & 0x0F); }
                    }
                    break;
                }
                case 12:                                         // struct
                {
                    while (true)
                    {
                        byte h = Next();
                        if ((h & 0x0F) == 0) break;
                        if (h >> 4 == 0) ReadVarint();
                        Skip(h & 0x0F);
                    }
                    break;
                }
                default: throw new FormatException($"unknown field type {type}");
            }
            if (Position > _data.Length) throw new IndexOutOfRangeException();
            _depth--;
        }

        // In lists and maps a boolean takes a byte of its own.
        private void SkipElement(int type)
        {
            if (type is 1 or 2)
            {
                if (++Position > _data.Length) throw new IndexOutOfRangeException();
            }
            else
            {
                Skip(type);
            }
        }

        private void SkipBytes()
        {
            long len = (long)ReadVarint();
            if (len < 0 || Position + len > _data.Length) throw new IndexOutOfRangeException();
            Position += (int)len;
        }
    }
}

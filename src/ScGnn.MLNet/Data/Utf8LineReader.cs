using System.Buffers.Binary;
using System.IO.Compression;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Streams the lines of a text file as UTF-8 byte spans, without a string per line. Gzip input is recognised by its
/// magic bytes (whatever the file name) and decompressed on the fly. .NET's <see cref="GZipStream"/> ends silently
/// on a truncated file, so at the end of the data this reader checks the gzip trailer (ISIZE) against the number of
/// bytes decompressed, and reports a truncated file as an <see cref="ExpressionFormatException"/>.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;

    /// <summary>Default <see cref="MaxLineLength"/>: what fits the initial buffer, so a line never grows it.</summary>
    public const int DefaultMaxLineLength = InitialBufferSize - 2;

    // Fixed empty block that ends every BGZF (bgzip) file.
    private static readonly byte[] BgzfEof =
    [
        0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
        0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    private readonly FileStream _file;
    private readonly Stream _stream;
    private readonly bool _gzip;
    private readonly bool _bgzf;
    private readonly uint _gzipTrailerSize;
    private readonly bool _bgzfEofPresent;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private bool _eof;
    private long _decompressedBytes;

    public Utf8LineReader(string path)
    {
        FilePath = path;
        try
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found.", path, e);
        }
        Span<byte> head = stackalloc byte[18];
        int n = _file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        _file.Position = 0;
        _gzip = n >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        if (_gzip)
        {
            if (_file.Length < 18)
                throw new ExpressionFormatException(path, null, null, $"gzip file is truncated ({_file.Length} bytes; a gzip member needs at least 18).");
            // FEXTRA with a 'BC' subfield marks BGZF, whose many members each carry their own trailer.
            _bgzf = n >= 14 && (head[3] & 0x04) != 0 && head[12] == (byte)'B' && head[13] == (byte)'C';
            Span<byte> tail = stackalloc byte[28];
            _file.Position = _file.Length - Math.Min(28, _file.Length);
            int tn = _file.ReadAtLeast(tail, (int)Math.Min(28, _file.Length), throwOnEndOfStream: false);
            _gzipTrailerSize = BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(tn - 4, 4));
            _bgzfEofPresent = tn == 28 && tail.SequenceEqual(BgzfEof);
            _file.Position = 0;
            _stream = new GZipStream(_file, CompressionMode.Decompress, leaveOpen: true);
        }
        else
        {
            _stream = _file;
        }
    }

    /// <summary>The file being read (for messages).</summary>
    public string FilePath { get; }

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Longest line accepted, in bytes without the terminator; a longer line is an
    /// <see cref="ExpressionFormatException"/>. The buffer grows only up to this, so a gzip "bomb" of one huge line
    /// costs no more memory than a valid file can need. Readers raise it where their format allows long lines.
    /// </summary>
    public int MaxLineLength { get; set; } = DefaultMaxLineLength;

    /// <summary>Whether the file is gzip-compressed.</summary>
    public bool IsGzip => _gzip;

    /// <summary>Size of the file on disk (compressed size for gzip).</summary>
    public long FileLength => _file.Length;

    /// <summary>
    /// Returns the next line without its line terminator (LF or CRLF), or <c>false</c> at the end of the file. The
    /// span is valid until the next call.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        int searchFrom = _start;
        while (true)
        {
            int nl = _buffer.AsSpan(searchFrom, _end - searchFrom).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int lineEnd = searchFrom + nl;
                line = TrimCr(_buffer.AsSpan(_start, lineEnd - _start));
                _start = lineEnd + 1;
                if (++LineNumber == 1) line = TrimBom(line);
                CheckLength(line);
                return true;
            }
            if (_eof)
            {
                if (_start < _end)
                {
                    line = TrimCr(_buffer.AsSpan(_start, _end - _start));
                    _start = _end;
                    if (++LineNumber == 1) line = TrimBom(line);
                    CheckLength(line);
                    return true;
                }
                line = default;
                return false;
            }
            searchFrom = _end;
            Fill(ref searchFrom);
        }
    }

    private void CheckLength(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLineLength)
            throw new ExpressionFormatException(FilePath, LineNumber, null,
                $"line is longer than {MaxLineLength:N0} bytes, more than this file's format allows.");
    }

    // Spreadsheet tools start UTF-8 text with a byte-order mark; it is not part of the first field.
    private static ReadOnlySpan<byte> TrimBom(ReadOnlySpan<byte> s) => s.StartsWith("\uFEFF"u8) ? s[3..] : s;

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == (byte)'\r' ? s[..^1] : s;

    private void Fill(ref int searchFrom)
    {
        if (_start > 0)
        {
            int keep = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, keep);
            searchFrom -= _start;
            _start = 0;
            _end = keep;
        }
        if (_end == _buffer.Length)
        {
            // The buffer holds one unfinished line (plus CR): refuse it once it passes the limit.
            long limit = Math.Min((long)MaxLineLength + 2, Array.MaxLength);
            if (_buffer.Length >= limit)
                throw new ExpressionFormatException(FilePath, LineNumber + 1, null,
                    $"line is longer than {MaxLineLength:N0} bytes, more than this file's format allows.");
            Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, limit));
        }
        int read;
        try
        {
            read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        }
        catch (InvalidDataException e)
        {
            // .NET's message ("archive entry ... unsupported compression method") misleads for a gzip file.
            throw new ExpressionFormatException(FilePath, LineNumber + 1, null,
                $"gzip data is corrupt after {_decompressedBytes:N0} decompressed bytes: the compressed stream cannot be decoded.", e);
        }
        if (read == 0)
        {
            _eof = true;
            if (_gzip) CheckGzipComplete();
            return;
        }
        _decompressedBytes += read;
        _end += read;
    }

    private void CheckGzipComplete()
    {
        if (_bgzf)
        {
            if (!_bgzfEofPresent)
                throw new ExpressionFormatException(FilePath, LineNumber + 1, null,
                    "bgzip file is truncated: its end-of-file block is missing.");
            return;
        }
        if ((uint)_decompressedBytes != _gzipTrailerSize)
            throw new ExpressionFormatException(FilePath, LineNumber + 1, null,
                $"gzip file is truncated: {_decompressedBytes} bytes decompressed, but its trailer records {_gzipTrailerSize} " +
                "(a file made by concatenating several gzip files is also reported this way; recompress it as one).");
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_stream, _file)) _stream.Dispose();
        _file.Dispose();
    }
}

using System.Globalization;
using System.Text;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Buffered UTF-8 text output that formats numbers straight into bytes (invariant culture; floats in their shortest
/// round-trip form), so writers do not build a string per value.
/// </summary>
internal sealed class Utf8BufferWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    public Utf8BufferWriter(Stream stream) => _stream = stream;

    public void WriteByte(byte b)
    {
        if (_used == _buffer.Length) Flush();
        _buffer[_used++] = b;
    }

    public void WriteNewLine() => WriteByte((byte)'\n');

    public void WriteInt64(long value)
    {
        if (_buffer.Length - _used < 24) Flush();
        value.TryFormat(_buffer.AsSpan(_used), out int n, default, CultureInfo.InvariantCulture);
        _used += n;
    }

    /// <summary>Writes a float in its shortest form that parses back to the same value ("R").</summary>
    public void WriteSingle(float value)
    {
        if (_buffer.Length - _used < 32) Flush();
        if (!value.TryFormat(_buffer.AsSpan(_used), out int n, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"Could not format {value}.");
        _used += n;
    }

    public void WriteString(string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > _buffer.Length)
        {
            Flush();
            var bytes = Encoding.UTF8.GetBytes(s);
            _stream.Write(bytes);
            return;
        }
        if (_buffer.Length - _used < max) Flush();
        _used += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_used));
    }

    public void WriteAscii(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used) Flush();
        if (bytes.Length > _buffer.Length) { _stream.Write(bytes); return; }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Flush()
    {
        if (_used > 0) _stream.Write(_buffer, 0, _used);
        _used = 0;
    }

    public void Dispose() => Flush();
}

namespace ScGnn.MLNet.Numerics;

/// <summary>
/// An append-only buffer in fixed chunks, for arrays of unknown length that may reach hundreds of millions of
/// entries (the non-zeros of a large matrix): <see cref="ToArray"/> then holds the data twice at most, where a
/// doubling <see cref="List{T}"/> holds up to three times (spare capacity plus the copy).
/// </summary>
internal sealed class ChunkedBuilder<T>
{
    private const int ChunkLength = 1 << 20;
    private readonly List<T[]> _chunks = new();
    private T[] _current = Array.Empty<T>();
    private int _used;

    /// <summary>Entries added so far.</summary>
    internal long Count { get; private set; }

    /// <summary>Appends one entry.</summary>
    internal void Add(T value)
    {
        if (_used == _current.Length)
        {
            _current = new T[ChunkLength];
            _chunks.Add(_current);
            _used = 0;
        }
        _current[_used++] = value;
        Count++;
    }

    /// <summary>The entries in order, in one exact-length array.</summary>
    internal T[] ToArray()
    {
        var all = new T[Count];
        long at = 0;
        foreach (var chunk in _chunks)
        {
            int n = (int)Math.Min(chunk.Length, Count - at);
            Array.Copy(chunk, 0, all, at, n);
            at += n;
        }
        return all;
    }
}

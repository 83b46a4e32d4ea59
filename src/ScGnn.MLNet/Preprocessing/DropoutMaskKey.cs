namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// The seeded ranking behind <see cref="DropoutSimulatingEstimator"/>: every non-zero entry gets a pseudo-random
/// 64-bit key from (seed, cell, gene slot); the masked entries are exactly those whose
/// (key, row id, slot) tuple is at or below a threshold tuple chosen in Fit. The row id only breaks ties between
/// equal keys, so the order is strict and the count exact.
/// </summary>
internal readonly record struct DropoutMaskKey(ulong Key, ulong RowHigh, ulong RowLow, int Slot) : IComparable<DropoutMaskKey>
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Strict total order: by key, then row id, then slot.</summary>
    public int CompareTo(DropoutMaskKey other)
    {
        int c = Key.CompareTo(other.Key);
        if (c != 0) return c;
        c = RowHigh.CompareTo(other.RowHigh);
        if (c != 0) return c;
        c = RowLow.CompareTo(other.RowLow);
        return c != 0 ? c : Slot.CompareTo(other.Slot);
    }

    /// <summary>Per-cell hash from the seed and the cell's identity (its id text, or its ML.NET row id).</summary>
    internal static ulong CellHash(int seed, ulong cellIdentity) => Mix(Mix((ulong)(uint)seed + Golden) ^ cellIdentity);

    /// <summary>Identity of a cell from its id text (stable under reordering and reloading).</summary>
    internal static ulong TextIdentity(ReadOnlySpan<char> cellId)
    {
        // FNV-1a over UTF-16 code units, then mixed.
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in cellId)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return Mix(h ^ (ulong)cellId.Length);
    }

    /// <summary>Identity of a cell from its ML.NET row id.</summary>
    internal static ulong RowIdentity(ulong high, ulong low) => Mix(low ^ Mix(high + Golden));

    /// <summary>The entry's key.</summary>
    internal static ulong EntryKey(ulong cellHash, int slot) => Mix(cellHash + (ulong)(slot + 1) * Golden);

    /// <summary>SplitMix64's finalizer: a bijective mix with good avalanche.</summary>
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

namespace ScGnn.MLNet.Numerics;

/// <summary>Uniform samples of indices without replacement.</summary>
internal static class RandomSubset
{
    /// <summary>
    /// <paramref name="count"/> distinct indices of <c>[0, n)</c>, drawn by a partial Fisher-Yates shuffle and sorted
    /// ascending (so rows read in memory order).
    /// </summary>
    internal static int[] Ascending(int n, int count, Random rng)
    {
        if (count < 0 || count > n) throw new ArgumentOutOfRangeException(nameof(count), $"Cannot draw {count} of {n} indices.");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int m = 0; m < count; m++)
        {
            int r = m + rng.Next(n - m);
            (order[m], order[r]) = (order[r], order[m]);
        }
        var chosen = order[..count];
        Array.Sort(chosen);
        return chosen;
    }
}

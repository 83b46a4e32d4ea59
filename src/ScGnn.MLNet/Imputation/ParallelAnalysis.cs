using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Horn's parallel analysis: how many leading principal components of a matrix carry more variance than the largest
/// component of the same matrix with each gene's values shuffled across cells (which keeps every gene's distribution
/// and destroys the structure between genes). Used to build the smoothing graph on the components that hold signal:
/// the trailing ones of a fixed 50 are noise, and a kNN graph in them mixes groups.
/// </summary>
internal static class ParallelAnalysis
{
    /// <summary>Cells used at most (a seeded subsample above); the count depends on the structure, not on the size.</summary>
    internal const int MaxCells = 4000;

    /// <summary>The number of leading components whose variance exceeds the permuted matrix's largest (at least 1).</summary>
    /// <param name="x">Cells x genes, on the scale of the graph.</param>
    /// <param name="maxComponents">Most components counted.</param>
    /// <param name="seed">Seeds the subsample and the permutation.</param>
    /// <param name="perComponent">Compare the i-th component with the permuted matrix's i-th (Horn's rule) instead of its largest.</param>
    internal static int SignalComponents(CsrMatrix x, int maxComponents, int seed, bool perComponent = false) =>
        Analyse(x, maxComponents, seed, perComponent).Count;

    /// <summary>The count, the data's component variances and the permuted matrix's largest.</summary>
    internal static (int Count, float[] Variances, float NullVariance) Analyse(CsrMatrix x, int maxComponents, int seed, bool perComponent = false)
    {
        var rng = new Random(seed);
        var sample = x.Rows > MaxCells ? x.SelectRows(RandomSubset.Ascending(x.Rows, MaxCells, rng)) : x;
        var variances = PcaProjection.Fit(sample, maxComponents, seed).ExplainedVariance;
        var nulls = PcaProjection.Fit(PermuteWithinGenes(sample, rng), perComponent ? maxComponents : 1, seed).ExplainedVariance;
        float nullVariance = nulls[0];
        int count = 0;
        while (count < variances.Length && variances[count] > nulls[perComponent ? Math.Min(count, nulls.Length - 1) : 0]) count++;
        return (Math.Max(1, count), variances, nullVariance);
    }

    /// <summary>Each gene's stored values moved to as many distinct cells drawn at random (the zeros fill the rest).</summary>
    internal static CsrMatrix PermuteWithinGenes(CsrMatrix x, Random rng)
    {
        int n = x.Rows, genes = x.Columns;
        var byGene = new List<float>[genes];
        for (int j = 0; j < genes; j++) byGene[j] = new List<float>();
        for (int q = 0; q < x.Values.Length; q++) byGene[x.ColumnIndices[q]].Add(x.Values[q]);
        var rows = new List<(int Row, int Gene, float Value)>(x.Values.Length);
        var order = Enumerable.Range(0, n).ToArray();
        for (int j = 0; j < genes; j++)
        {
            // Partial Fisher-Yates: the first m slots of order become m distinct random cells.
            var values = byGene[j];
            for (int m = 0; m < values.Count; m++)
            {
                int r = m + rng.Next(n - m);
                (order[m], order[r]) = (order[r], order[m]);
                rows.Add((order[m], j, values[m]));
            }
        }
        rows.Sort((a, b) => a.Row != b.Row ? a.Row.CompareTo(b.Row) : a.Gene.CompareTo(b.Gene));
        var ptr = new int[n + 1];
        foreach (var e in rows) ptr[e.Row + 1]++;
        for (int i = 0; i < n; i++) ptr[i + 1] += ptr[i];
        return new CsrMatrix(n, genes, ptr, rows.Select(e => e.Gene).ToArray(), rows.Select(e => e.Value).ToArray());
    }

}

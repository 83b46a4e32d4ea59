using ScGnn.MLNet.Gcn;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The skip start fitted in one neighbourhood pass per cell against the two-pass construction.</summary>
public sealed class SkipStartTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    public void One_pass_targets_and_start_equal_features_then_fit(bool observed, int hops)
    {
        var p = new GcnProblem(cells: 50, genes: 9, seed: 7);
        var t = p.Train;
        // Observed cells: every other cell, so some hold targets only, some observed values only, some both.
        int[]? observedCells = observed ? Enumerable.Range(0, p.Cells).Where(c => c % 2 == 0).ToArray() : null;
        var twoPass = SkipStart.WithFeatures(p.Adjacency, p.Input, hops, t.Cells, t.Genes, t.Values);
        var (c2, i2) = TwoPassSkipStart.Fit(p.Adjacency, p.Input, hops, twoPass, observedCells);
        var (onePass, (c1, i1)) = SkipStart.FitWithTargets(p.Adjacency, p.Input, hops, t.Cells, t.Genes, t.Values, observedCells);
        Assert.Equal(twoPass.Features, onePass.Features);
        Assert.Equal(t.Cells, onePass.Cells);
        Assert.Equal(t.Values, onePass.Values);
        // The observed values' sums are added to the targets' at the end instead of after them: rounding only.
        for (int g = 0; g < p.Genes; g++)
        {
            Assert.Equal(i2[g], i1[g], 4);
            for (int f = 0; f < c2.Length; f++) Assert.Equal(c2[f][g], c1[f][g], 4);
        }
        Assert.Contains(c2[0], v => v != 0);
    }
}

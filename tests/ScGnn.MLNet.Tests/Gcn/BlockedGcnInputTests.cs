using ScGnn.MLNet.Gcn;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>The register-blocked products equal plain triple loops for every tile and remainder shape.</summary>
public sealed class BlockedGcnInputTests
{
    [Theory]
    [InlineData(4, 3, 1)]      // one block, one lane
    [InlineData(9, 7, 3)]      // a remainder row block
    [InlineData(13, 20, 8)]    // one full vector
    [InlineData(11, 33, 18)]   // three vectors, padded (pbmc3k's hidden width)
    [InlineData(6, 17, 25)]    // a second column tile
    [InlineData(23, 5, 54)]    // seven vectors: tiles of 3, 3 and 1
    public void Products_match_naive_loops(int cells, int genes, int hidden)
    {
        if (!BlockedGcnInput.IsSupported) return; // the library falls back to BLAS there
        var rng = new Random(cells * 100 + hidden);
        var x = Enumerable.Range(0, cells * genes).Select(_ => rng.NextDouble() < 0.5 ? 0f : (float)(rng.NextDouble() * 4 - 1)).ToArray();
        var w = Enumerable.Range(0, genes * hidden).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var g = Enumerable.Range(0, cells * hidden).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        using var input = new BlockedGcnInput(x, cells, genes);

        var u = new float[cells * hidden];
        input.Multiply(w, hidden, u);
        for (int i = 0; i < cells; i++)
            for (int d = 0; d < hidden; d++)
            {
                double expected = 0;
                for (int j = 0; j < genes; j++) expected += (double)x[i * genes + j] * w[j * hidden + d];
                Assert.True(Math.Abs(expected - u[i * hidden + d]) < 1e-4 * (1 + Math.Abs(expected)), $"XW[{i},{d}]: {expected} vs {u[i * hidden + d]}");
            }

        var t = new float[genes * hidden];
        input.MultiplyTransposed(g, hidden, t);
        for (int j = 0; j < genes; j++)
            for (int d = 0; d < hidden; d++)
            {
                double expected = 0;
                for (int i = 0; i < cells; i++) expected += (double)x[i * genes + j] * g[i * hidden + d];
                Assert.True(Math.Abs(expected - t[j * hidden + d]) < 1e-4 * (1 + Math.Abs(expected)), $"XtG[{j},{d}]: {expected} vs {t[j * hidden + d]}");
            }
    }

    [Fact]
    public void Results_do_not_depend_on_a_previous_call_with_another_width()
    {
        if (!BlockedGcnInput.IsSupported) return;
        var x = Enumerable.Range(0, 8 * 5).Select(i => (float)(i % 7)).ToArray();
        using var input = new BlockedGcnInput(x, 8, 5);
        var wide = Enumerable.Range(0, 5 * 20).Select(i => (float)i).ToArray();
        input.Multiply(wide, 20, new float[8 * 20]);
        // Same padded width (24) as the call before: stale padding must not leak into the new columns.
        var w = Enumerable.Range(0, 5 * 18).Select(i => 1f).ToArray();
        var u = new float[8 * 18];
        input.Multiply(w, 18, u);
        for (int i = 0; i < 8; i++)
        {
            float rowSum = 0;
            for (int j = 0; j < 5; j++) rowSum += x[i * 5 + j];
            Assert.All(u.AsSpan(i * 18, 18).ToArray(), v => Assert.Equal(rowSum, v, 4));
        }
    }
}

using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Tests.Graph;

/// <summary>The sparse PCA against an SVD of the centered dense matrix, and against the dense fit.</summary>
[Collection(TorchCollection.Name)]
public sealed class PcaProjectionTests
{
    // Sparse cells x genes with a few strong directions (groups) plus noise; about 40 % zeros.
    private static float[] Clustered(int cells, int genes, int seed)
    {
        var rng = new Random(seed);
        var centers = new double[4][];
        for (int c = 0; c < 4; c++) centers[c] = Enumerable.Range(0, genes).Select(_ => rng.NextDouble() * 4).ToArray();
        var x = new float[cells * genes];
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < genes; j++)
            {
                double v = centers[i % 4][j] * (0.5 + 0.1 * (j % 7)) + rng.NextDouble() - 1.2;
                x[i * genes + j] = v > 0 ? (float)v : 0;
            }
        return x;
    }

    // Loadings (genes x k) and variances from torch's SVD of the centered matrix, signs as PcaProjection fixes them.
    private static (double[,] Loadings, double[] Variance) Svd(float[] x, int cells, int genes, int k)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var m = tensor(x, cells, genes).to_type(ScalarType.Float64);
        var (_, s, vh) = linalg.svd(m - m.mean(new long[] { 0 }), fullMatrices: false);
        var v = vh.t().contiguous().data<double>().ToArray();
        var sv = s.data<double>().ToArray();
        int r = sv.Length;
        var loadings = new double[genes, k];
        for (int c = 0; c < k; c++)
        {
            int arg = 0;
            for (int g = 1; g < genes; g++) if (Math.Abs(v[g * r + c]) > Math.Abs(v[arg * r + c])) arg = g;
            double sign = v[arg * r + c] < 0 ? -1 : 1;
            for (int g = 0; g < genes; g++) loadings[g, c] = sign * v[g * r + c];
        }
        return (loadings, sv.Take(k).Select(t => t * t / (cells - 1)).ToArray());
    }

    private static void AssertMatchesSvd(PcaProjection pca, float[] x, int cells, int genes, int k, double tolerance)
    {
        var (loadings, variance) = Svd(x, cells, genes, k);
        int stride = pca.ComponentCount;
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(variance[c], pca.ExplainedVariance[c], variance[c] * 1e-3 + 1e-6);
            for (int g = 0; g < genes; g++) Assert.Equal(loadings[g, c], pca.Components[g * stride + c], tolerance);
        }
        for (int g = 0; g < genes; g++)
        {
            double mean = 0;
            for (int i = 0; i < cells; i++) mean += x[i * genes + g];
            Assert.Equal(mean / cells, pca.Mean[g], 1e-5);
        }
    }

    [Fact]
    public void Covariance_path_matches_an_svd()
    {
        const int cells = 300, genes = 40, k = 5;
        var x = Clustered(cells, genes, 1);
        var pca = PcaProjection.Fit(CsrMatrix.FromDense(x, cells, genes), k);
        Assert.Equal(k, pca.ComponentCount);
        AssertMatchesSvd(pca, x, cells, genes, k, 1e-4);
    }

    [Fact]
    public void Few_cells_path_matches_an_svd()
    {
        // 12 cells, 60 genes: at most 11 components, from the cells x cells Gram matrix.
        const int cells = 12, genes = 60;
        var x = Clustered(cells, genes, 2);
        var pca = PcaProjection.Fit(CsrMatrix.FromDense(x, cells, genes), 50);
        Assert.Equal(cells - 1, pca.ComponentCount);
        AssertMatchesSvd(pca, x, cells, genes, 3, 1e-4);
    }

    [Fact]
    public void Randomized_path_matches_an_svd_on_the_leading_components()
    {
        const int cells = 400, genes = 80, k = 3;
        var x = Clustered(cells, genes, 3);
        var pca = PcaProjection.FitRandomized(CsrMatrix.FromDense(x, cells, genes), 10, seed: 7);
        Assert.Equal(10, pca.ComponentCount);
        AssertMatchesSvd(pca, x, cells, genes, k, 1e-3);
    }

    [Fact]
    public void Sparse_fit_and_projection_equal_the_dense_ones()
    {
        const int cells = 200, genes = 30, k = 6;
        var x = Clustered(cells, genes, 4);
        var csr = CsrMatrix.FromDense(x, cells, genes);
        var sparse = PcaProjection.Fit(csr, k);
        var dense = PcaProjection.Fit(x, cells, genes, k);
        for (int q = 0; q < genes * k; q++) Assert.Equal(dense.Components[q], sparse.Components[q], 1e-4);
        for (int c = 0; c < k; c++) Assert.Equal(dense.ExplainedVariance[c], sparse.ExplainedVariance[c], dense.ExplainedVariance[c] * 1e-4);
        var a = sparse.Transform(csr);
        var b = sparse.Transform(x, cells);
        Assert.Equal(cells * k, a.Length);
        for (int q = 0; q < a.Length; q++) Assert.Equal(b[q], a[q], 1e-4);
    }

    [Fact]
    public void Projection_of_a_hand_checked_matrix()
    {
        // Two genes, cells on the line y = x: one component along (1, 1)/√2, variance 2 · var(t) = 2 · 5/3 (n-1).
        float[] x = { 0, 0, 1, 1, 2, 2, 3, 3 };
        var csr = CsrMatrix.FromDense(x, 4, 2);
        var pca = PcaProjection.Fit(csr, 1);
        Assert.Equal(1 / Math.Sqrt(2), pca.Components[0], 1e-6);
        Assert.Equal(1 / Math.Sqrt(2), pca.Components[1], 1e-6);
        Assert.Equal(10.0 / 3, pca.ExplainedVariance[0], 1e-5);
        var t = pca.Transform(csr);
        Assert.Equal(new[] { -1.5 * Math.Sqrt(2), -0.5 * Math.Sqrt(2), 0.5 * Math.Sqrt(2), 1.5 * Math.Sqrt(2) }, t.Select(v => (double)v), new Tolerance(1e-5));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}

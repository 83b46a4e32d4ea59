using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Exact PCA scores for the evaluation (as scikit-learn's <c>PCA(svd_solver="full").fit_transform</c>): the centred
/// cells projected on the leading eigenvectors of the gene covariance, or, with fewer cells than genes, the leading
/// eigenvectors of the cells' Gram matrix scaled by their singular values. Float64 throughout, rows streamed in blocks
/// so the dense matrix is never held at once when genes &lt;= cells. Each component's sign is fixed (its
/// largest-magnitude score positive); distances do not depend on it.
/// </summary>
internal static class ExactPca
{
    private const int BlockRows = 2048;

    internal static float[] Scores(CsrMatrix x, int components, out int kept)
    {
        int n = x.Rows, g = x.Columns;
        if (n < 2) throw new ArgumentException("PCA needs at least two cells.");
        kept = Math.Max(1, Math.Min(components, Math.Min(n - 1, g)));
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        Tensor scores;
        if (g <= n)
        {
            var xtx = zeros(g, g, ScalarType.Float64);
            var sum = zeros(g, ScalarType.Float64);
            for (int start = 0; start < n; start += BlockRows)
            {
                using var inner = NewDisposeScope();
                int rows = Math.Min(BlockRows, n - start);
                var b = tensor(x.ToDense(start, rows), rows, g).to_type(ScalarType.Float64);
                xtx.add_(b.t().matmul(b));
                sum.add_(b.sum(new long[] { 0 }));
            }
            var mean = sum / n;
            var cov = (xtx - n * mean.outer(mean)) / (n - 1);
            var (_, v) = linalg.eigh(cov); // ascending
            var top = v.flip(1)[.., ..kept].contiguous();
            var blocks = new List<Tensor>();
            for (int start = 0; start < n; start += BlockRows)
            {
                int rows = Math.Min(BlockRows, n - start);
                var b = tensor(x.ToDense(start, rows), rows, g).to_type(ScalarType.Float64);
                blocks.Add((b - mean).matmul(top));
            }
            scores = cat(blocks.ToArray(), 0);
        }
        else
        {
            var xc = tensor(x.ToDense(), n, g).to_type(ScalarType.Float64);
            xc = xc - xc.mean(new long[] { 0 });
            var (l, u) = linalg.eigh(xc.matmul(xc.t()));
            var values = l.flip(0)[..kept].clamp_min(0);
            scores = u.flip(1)[.., ..kept] * values.sqrt();
        }
        var argmax = scores.abs().argmax(0);
        var signs = scores.gather(0, argmax.unsqueeze(0)).sign();
        signs = where(signs == 0, ones_like(signs), signs);
        return (scores * signs).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}

using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// Principal component projection of cells (paper §2, "top 50 dimensions"): gene means and the leading
/// eigenvectors of the gene covariance (sample covariance, n-1), as scanpy's <c>pp.pca</c> with centering.
/// Component signs are fixed (largest-magnitude loading positive) so results do not depend on the solver.
/// </summary>
internal sealed class PcaProjection
{
    internal PcaProjection(float[] mean, float[] components, int componentCount, float[] explainedVariance)
    {
        Mean = mean;
        Components = components;
        ComponentCount = componentCount;
        ExplainedVariance = explainedVariance;
    }

    /// <summary>Per-gene mean (length genes).</summary>
    internal float[] Mean { get; }

    /// <summary>Row-major genes x components loadings.</summary>
    internal float[] Components { get; }

    internal int ComponentCount { get; }

    internal int GeneCount => Mean.Length;

    /// <summary>Variance along each component (n-1 denominator).</summary>
    internal float[] ExplainedVariance { get; }

    /// <summary>Fits on a dense row-major cells x genes matrix.</summary>
    internal static PcaProjection Fit(float[] dense, int cells, int genes, int components)
    {
        if (cells < 2) throw new ArgumentException("PCA needs at least two cells.");
        int k = Math.Min(components, Math.Min(cells - 1, genes));
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = tensor(dense, cells, genes).to_type(ScalarType.Float64);
        var mean = x.mean(new long[] { 0 });
        var xc = x - mean;
        Tensor vectors, values;
        if (genes <= cells)
        {
            var cov = xc.t().matmul(xc) / (cells - 1);
            var (l, v) = linalg.eigh(cov);           // ascending
            values = l.flip(0)[..k];
            vectors = v.flip(1)[.., ..k];
        }
        else
        {
            // Fewer cells than genes: eigen-decompose the cells x cells Gram matrix instead.
            var gram = xc.matmul(xc.t()) / (cells - 1);
            var (l, u) = linalg.eigh(gram);
            values = l.flip(0)[..k].clamp_min(1e-12);
            u = u.flip(1)[.., ..k];
            vectors = xc.t().matmul(u) / (values * (cells - 1)).sqrt();
        }
        // Deterministic signs: the largest-magnitude loading of each component is positive.
        var argmax = vectors.abs().argmax(0);
        var signs = vectors.gather(0, argmax.unsqueeze(0)).sign();
        signs = where(signs == 0, ones_like(signs), signs);
        vectors = vectors * signs;
        return new PcaProjection(
            mean.to_type(ScalarType.Float32).data<float>().ToArray(),
            vectors.to_type(ScalarType.Float32).contiguous().data<float>().ToArray(),
            k,
            values.to_type(ScalarType.Float32).data<float>().ToArray());
    }

    /// <summary>Projects a dense row-major cells x genes matrix to cells x components (row-major).</summary>
    internal float[] Transform(float[] dense, int cells)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = tensor(dense, cells, GeneCount);
        var w = tensor(Components, GeneCount, ComponentCount);
        var m = tensor(Mean);
        return (x - m).matmul(w).contiguous().data<float>().ToArray();
    }
}

using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// Principal component projection of cells (paper §2, "top 50 dimensions"): gene means and the leading
/// eigenvectors of the gene covariance (sample covariance, n-1), as scanpy's <c>pp.pca</c> with centering.
/// Component signs are fixed (largest-magnitude loading positive) so results do not depend on the solver.
/// </summary>
/// <remarks>
/// The sparse fit never densifies the matrix (centering is implicit, <c>X^T X - n μ μ^T</c>). With at most
/// <see cref="MaxCovarianceGenes"/> genes (the usual 1-3k after gene selection) it accumulates the exact genes x genes
/// covariance from the sparse rows — about non-zeros-per-row² / 2 multiply-adds a cell, 2·10^4 at 2,000 genes and
/// 10 % density, cheaper than the ~12 sparse passes of a randomized solver and exact — and eigen-decomposes it.
/// With more genes it runs randomized subspace iteration (Halko, Martinsson &amp; Tropp 2011). Fewer cells than
/// genes: the cells x cells Gram matrix of the (then small) dense matrix.
/// </remarks>
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

    /// <summary>Above this many genes the sparse fit uses randomized subspace iteration instead of the covariance.</summary>
    internal const int MaxCovarianceGenes = 4096;

    /// <summary>Oversampling and power iterations of the randomized solver.</summary>
    internal const int Oversampling = 20, PowerIterations = 6;

    // Per-worker genes x genes accumulators are capped at about this many bytes in all.
    private const long AccumulatorBudgetBytes = 256L << 20;

    /// <summary>Fits on a sparse cells x genes matrix without densifying it (see remarks).</summary>
    /// <param name="x">Cells x genes.</param>
    /// <param name="components">Components wanted (at most cells - 1 and genes are kept).</param>
    /// <param name="seed">Seeds the randomized solver's test matrix (unused by the exact paths).</param>
    /// <param name="exact">Use the exact covariance at any gene count (as scikit-learn's <c>svd_solver="full"</c>), never the randomized solver.</param>
    internal static PcaProjection Fit(CsrMatrix x, int components, int seed = 0, bool exact = false)
    {
        int cells = x.Rows, genes = x.Columns;
        if (cells < 2) throw new ArgumentException("PCA needs at least two cells.");
        // Few cells: the dense matrix is no larger than the genes x genes covariance would be.
        if (genes > cells) return Fit(x.ToDense(), cells, genes, components);
        int k = Math.Min(components, Math.Min(cells - 1, genes));
        var mean = ColumnMeans(x);
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        Tensor vectors, values;
        if (exact || genes <= MaxCovarianceGenes)
        {
            var gram = UpperGram(x);
            var cov = new double[(long)genes * genes];
            for (int a = 0; a < genes; a++)
                for (int b = a; b < genes; b++)
                {
                    double c = (gram[(long)a * genes + b] - cells * mean[a] * mean[b]) / (cells - 1);
                    cov[(long)a * genes + b] = c;
                    cov[(long)b * genes + a] = c;
                }
            Tensor l, v;
            // Single-threaded: LAPACK's eigensolver is thousands of short parallel regions (see TorchThreadScope).
            using (TorchThreadScope.SingleThreaded())
                (l, v) = linalg.eigh(tensor(cov, genes, genes));     // ascending
            values = l.flip(0)[..k];
            vectors = v.flip(1)[.., ..k];
        }
        else
        {
            (vectors, values) = Randomized(x, mean, k, seed);
        }
        return FromBasis(mean, vectors, values, k);
    }

    /// <summary>The randomized solver whatever the gene count (what <see cref="Fit(CsrMatrix, int, int, bool)"/> uses above <see cref="MaxCovarianceGenes"/>).</summary>
    internal static PcaProjection FitRandomized(CsrMatrix x, int components, int seed)
    {
        if (x.Rows < 2) throw new ArgumentException("PCA needs at least two cells.");
        int k = Math.Min(components, Math.Min(x.Rows - 1, x.Columns));
        var mean = ColumnMeans(x);
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (vectors, values) = Randomized(x, mean, k, seed);
        return FromBasis(mean, vectors, values, k);
    }

    // Randomized subspace iteration on the implicitly centered matrix Xc = X - 1 μ^T.
    private static (Tensor Vectors, Tensor Values) Randomized(CsrMatrix x, double[] mean, int k, int seed)
    {
        int cells = x.Rows, genes = x.Columns;
        int l = Math.Min(genes, Math.Min(cells, k + Oversampling));
        var rng = new Random(seed);
        var omega = new double[(long)genes * l];
        for (long i = 0; i < omega.Length; i++)
            omega[i] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var q = Orthonormal(CenteredTimes(x, mean, omega, l), cells, l);
        for (int it = 0; it < PowerIterations; it++)
        {
            var z = Orthonormal(CenteredTransposeTimes(x, mean, q, l), genes, l);
            q = Orthonormal(CenteredTimes(x, mean, z, l), cells, l);
        }
        // Xc^T Q = U S V^T: the leading columns of U are the gene loadings, S² / (n - 1) their variances.
        var bt = tensor(CenteredTransposeTimes(x, mean, q, l), genes, l);
        var (u, s, _) = linalg.svd(bt, fullMatrices: false);
        return (u[.., ..k], s[..k].pow(2) / (cells - 1));
    }

    private static double[] Orthonormal(double[] m, int rows, int cols)
    {
        using var scope = NewDisposeScope();
        var (q, _) = linalg.qr(tensor(m, rows, cols));
        return q.contiguous().data<double>().ToArray();
    }

    private static PcaProjection FromBasis(double[] mean, Tensor vectors, Tensor values, int k)
    {
        // Deterministic signs: the largest-magnitude loading of each component is positive.
        var argmax = vectors.abs().argmax(0);
        var signs = vectors.gather(0, argmax.unsqueeze(0)).sign();
        signs = where(signs == 0, ones_like(signs), signs);
        vectors = vectors * signs;
        return new PcaProjection(
            mean.Select(m => (float)m).ToArray(),
            vectors.to_type(ScalarType.Float32).contiguous().data<float>().ToArray(),
            k,
            values.clamp_min(0).to_type(ScalarType.Float32).contiguous().data<float>().ToArray());
    }

    private static double[] ColumnMeans(CsrMatrix x)
    {
        var sum = new double[x.Columns];
        for (long q = 0; q < x.Values.Length; q++) sum[x.ColumnIndices[q]] += x.Values[q];
        for (int j = 0; j < sum.Length; j++) sum[j] /= x.Rows;
        return sum;
    }

    // Contiguous row ranges per worker, summed in worker order: the same result for the same worker count.
    private static int Workers(long accumulatorBytes) =>
        (int)Math.Clamp(AccumulatorBudgetBytes / Math.Max(1, accumulatorBytes), 1, Environment.ProcessorCount);

    private static (int Start, int End) Range(int rows, int worker, int workers) =>
        ((int)((long)rows * worker / workers), (int)((long)rows * (worker + 1) / workers));

    // X^T X, upper triangle (row a, columns b >= a) of a genes x genes row-major array, from the sparse rows.
    private static double[] UpperGram(CsrMatrix x)
    {
        int g = x.Columns;
        int workers = Workers((long)g * g * sizeof(double));
        var parts = new double[workers][];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var acc = new double[(long)g * g];
            var (start, end) = Range(x.Rows, w, workers);
            for (int i = start; i < end; i++)
            {
                var idx = x.RowIndices(i);
                var val = x.RowValues(i);
                for (int a = 0; a < idx.Length; a++)
                {
                    double va = val[a];
                    if (va == 0) continue;
                    long off = (long)idx[a] * g;
                    for (int b = a; b < idx.Length; b++) acc[off + idx[b]] += va * val[b];
                }
            }
            parts[w] = acc;
        });
        for (int w = 1; w < workers; w++)
        {
            var p = parts[w];
            var s = parts[0];
            for (long q = 0; q < s.Length; q++) s[q] += p[q];
        }
        return parts[0];
    }

    // (X - 1 μ^T) M for a genes x cols row-major M: cells x cols.
    private static double[] CenteredTimes(CsrMatrix x, double[] mean, double[] m, int cols)
    {
        var shift = new double[cols];
        for (int g = 0; g < x.Columns; g++)
            for (int c = 0; c < cols; c++) shift[c] += mean[g] * m[(long)g * cols + c];
        var result = new double[(long)x.Rows * cols];
        Parallel.For(0, x.Rows, i =>
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            long off = (long)i * cols;
            for (int c = 0; c < cols; c++) result[off + c] = -shift[c];
            for (int q = 0; q < idx.Length; q++)
            {
                double v = val[q];
                long src = (long)idx[q] * cols;
                for (int c = 0; c < cols; c++) result[off + c] += v * m[src + c];
            }
        });
        return result;
    }

    // (X - 1 μ^T)^T Y for a cells x cols row-major Y: genes x cols.
    private static double[] CenteredTransposeTimes(CsrMatrix x, double[] mean, double[] y, int cols)
    {
        int g = x.Columns;
        int workers = Workers((long)g * cols * sizeof(double));
        var parts = new double[workers][];
        var colSums = new double[workers][];
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var acc = new double[(long)g * cols];
            var sums = new double[cols];
            var (start, end) = Range(x.Rows, w, workers);
            for (int i = start; i < end; i++)
            {
                var idx = x.RowIndices(i);
                var val = x.RowValues(i);
                long off = (long)i * cols;
                for (int c = 0; c < cols; c++) sums[c] += y[off + c];
                for (int q = 0; q < idx.Length; q++)
                {
                    double v = val[q];
                    long dst = (long)idx[q] * cols;
                    for (int c = 0; c < cols; c++) acc[dst + c] += v * y[off + c];
                }
            }
            parts[w] = acc;
            colSums[w] = sums;
        });
        var result = parts[0];
        var total = colSums[0];
        for (int w = 1; w < workers; w++)
        {
            for (long q = 0; q < result.Length; q++) result[q] += parts[w][q];
            for (int c = 0; c < cols; c++) total[c] += colSums[w][c];
        }
        for (int j = 0; j < g; j++)
            for (int c = 0; c < cols; c++) result[(long)j * cols + c] -= mean[j] * total[c];
        return result;
    }

    /// <summary>Projects sparse cells x genes rows to cells x components (row-major), centering implicitly.</summary>
    internal float[] Transform(CsrMatrix x)
    {
        if (x.Columns != GeneCount) throw new ArgumentException($"The matrix has {x.Columns} genes; the PCA was fitted on {GeneCount}.");
        int k = ComponentCount;
        var shift = new float[k];
        for (int g = 0; g < GeneCount; g++)
            TensorPrimitives.MultiplyAdd(Components.AsSpan(g * k, k), Mean[g], shift, shift);
        var result = new float[(long)x.Rows * k];
        Parallel.For(0, x.Rows, i =>
        {
            var dst = result.AsSpan((int)((long)i * k), k);
            TensorPrimitives.Negate(shift, dst);
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
                TensorPrimitives.MultiplyAdd(Components.AsSpan(idx[q] * k, k), val[q], dst, dst);
        });
        return result;
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

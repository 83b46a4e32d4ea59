using System.Diagnostics;
using Microsoft.ML;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Embedding;

/// <summary>
/// t-distributed stochastic neighbour embedding into 2-D (van der Maaten and Hinton 2008) for pictures of cells, as
/// scikit-learn's <c>TSNE</c> (1.2+ defaults): exact affinities and gradient for small inputs, nearest-neighbour
/// affinities with the Barnes-Hut quadtree approximation (van der Maaten 2014) for larger ones. Plain C#, parallel over
/// points, deterministic for a given seed whatever the thread count. Typical input: 50 PCA components of
/// log-normalized expression.
/// </summary>
/// <example>
/// <code>
/// var tsne = new TSne(new TSneOptions { Seed = 42 });
/// TSneResult result = tsne.Fit(pcs, dimensions: 50);   // pcs: row-major cells x 50
/// float x0 = result.X(0), y0 = result.Y(0);
/// </code>
/// </example>
public sealed class TSne
{
    private const double MomentumEarly = 0.5;  // scikit-learn's momentum during early exaggeration
    private const double MomentumLate = 0.8;   // and afterwards
    private const double MinGain = 0.01;
    private const double InitialScale = 1e-4;  // standard deviation of the starting layout
    internal const int PointsPerTask = 64;
    private const int ExactHardLimit = 20_000; // 3.2 GB of affinities

    private readonly TSneOptions _options;

    /// <summary>Creates a t-SNE with the given options (copied and checked now).</summary>
    /// <param name="options">Options; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public TSne(TSneOptions? options = null)
    {
        _options = (options ?? new TSneOptions()).Clone();
        _options.Validate();
    }

    /// <summary>Embeds points given as one array per point.</summary>
    /// <param name="data">One row per point, all of the same length.</param>
    /// <param name="cancellationToken">Checked every iteration.</param>
    public TSneResult Fit(float[][] data, CancellationToken cancellationToken = default)
    {
        var flat = EuclideanKernels.Flatten(data, nameof(data), out int dims);
        return FitCore(flat, dims, cancellationToken);
    }

    /// <summary>Embeds the points of a row-major matrix.</summary>
    /// <param name="data">Row-major, <c>n * dimensions</c> values, finite.</param>
    /// <param name="dimensions">Values per point.</param>
    /// <param name="cancellationToken">Checked every iteration.</param>
    /// <exception cref="ArgumentException">The shape is wrong, a value is not finite, or the perplexity is not below the point count.</exception>
    public TSneResult Fit(float[] data, int dimensions, CancellationToken cancellationToken = default)
    {
        EuclideanKernels.CheckRowMajor(data, dimensions, nameof(data));
        return FitCore(data, dimensions, cancellationToken);
    }

    /// <summary>Embeds the rows of an <see cref="IDataView"/> using a known-size <c>Vector&lt;float&gt;</c> column (for example PCA output).</summary>
    /// <param name="data">Rows are points (cells).</param>
    /// <param name="featureColumn">Name of the vector column.</param>
    /// <param name="cancellationToken">Checked every iteration.</param>
    public TSneResult Fit(IDataView data, string featureColumn, CancellationToken cancellationToken = default)
    {
        var flat = DataViewColumns.ReadVectors(data, featureColumn, nameof(featureColumn), out int dims);
        EuclideanKernels.CheckRowMajor(flat, dims, featureColumn);
        return FitCore(flat, dims, cancellationToken);
    }

    private TSneResult FitCore(float[] x, int dims, CancellationToken ct)
    {
        var o = _options;
        var watch = Stopwatch.StartNew();
        int n = x.Length / dims;
        if (n < 2) throw new ArgumentException($"t-SNE needs at least 2 points; got {n}.", "data");
        if (o.Perplexity >= n)
            throw new ArgumentOutOfRangeException(nameof(TSneOptions.Perplexity), o.Perplexity,
                $"Perplexity must be less than the number of points ({n}).");
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxDegreeOfParallelism, CancellationToken = ct };
        bool exact = o.Method == TSneMethod.Exact || (o.Method == TSneMethod.Auto && n <= o.ExactMaxCount);
        if (exact && n > ExactHardLimit)
            throw new ArgumentOutOfRangeException(nameof(TSneOptions.Method), o.Method,
                $"The exact method keeps an n x n affinity matrix; {n} points would need {8.0 * n * n / (1 << 30):F1} GiB. Use BarnesHut.");
        double lr = o.LearningRate ?? Math.Max(n / o.EarlyExaggeration / 4, 50);

        double[]? pDense = null;
        int[] rowPtr = Array.Empty<int>(), cols = Array.Empty<int>();
        double[] pVals = Array.Empty<double>();
        if (exact)
        {
            pDense = TSneAffinities.DenseJoint(x, n, dims, o.Perplexity, po);
        }
        else
        {
            int k = Math.Min(n - 1, (int)(3 * o.Perplexity + 1));
            (rowPtr, cols, pVals) = TSneAffinities.SparseJoint(x, n, dims, k, o.Perplexity, po);
        }
        ct.ThrowIfCancellationRequested();

        var y = o.Initialization == TSneInitialization.Pca
            ? TSneInitializer.Pca(x, n, dims, InitialScale, o.Seed, po) ?? TSneInitializer.Random(n, InitialScale, o.Seed)
            : TSneInitializer.Random(n, InitialScale, o.Seed);

        var grad = new double[2 * n];
        var update = new double[2 * n];
        var gains = new double[2 * n];
        var sumQ = new double[n];
        var attract = new double[2 * n];
        var tree = exact ? null : new QuadTree(n);
        double theta2 = o.Theta * o.Theta;
        int tasks = (n + PointsPerTask - 1) / PointsPerTask;
        double kl = double.NaN;

        for (int it = 0; it < o.Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            bool early = it < o.EarlyExaggerationIterations;
            if (it == 0 || it == o.EarlyExaggerationIterations)
            {
                // scikit-learn restarts momentum and gains for each phase.
                Array.Clear(update);
                Array.Fill(gains, 1.0);
            }
            double exaggeration = early ? o.EarlyExaggeration : 1.0;
            double momentum = early ? MomentumEarly : MomentumLate;

            double z;
            if (exact)
            {
                z = ExactForces(y, n, pDense!, grad, attract, sumQ, tasks, po);
            }
            else
            {
                tree!.Build(y);
                z = BarnesHutForces(y, n, tree, theta2, rowPtr, cols, pVals, grad, attract, sumQ, tasks, po);
            }
            // grad holds the repulsion numerator, attract the attraction: dC/dy_i = 4 (exag * attract - repulsion / Z).
            double invZ = 1.0 / z;
            for (int q = 0; q < 2 * n; q++)
                grad[q] = 4.0 * (exaggeration * attract[q] - grad[q] * invZ);

            bool report = o.Progress is not null && ((it + 1) % o.ProgressInterval == 0 || it + 1 == o.Iterations);
            if (report)
                kl = exact ? ExactKl(y, n, pDense!, z) : SparseKl(y, n, rowPtr, cols, pVals, z);

            for (int q = 0; q < 2 * n; q++)
            {
                double g = grad[q];
                gains[q] = update[q] * g < 0 ? gains[q] + 0.2 : Math.Max(gains[q] * 0.8, MinGain);
                update[q] = momentum * update[q] - lr * gains[q] * g;
                y[q] += update[q];
            }
            if (report) o.Progress!(new TSneProgress(it + 1, o.Iterations, kl, early));
        }

        var result = new float[2 * n];
        for (int q = 0; q < 2 * n; q++)
        {
            if (!double.IsFinite(y[q]))
                throw new InvalidOperationException($"t-SNE diverged: point {q / 2} has a non-finite coordinate. Lower the learning rate ({lr}).");
            result[q] = (float)y[q];
        }
        // The final KL was measured before the last step; measure it at the returned positions.
        kl = exact ? ExactKl(y, n, pDense!, ExactZ(y, n, tasks, po, sumQ)) : SparseKl(y, n, rowPtr, cols, pVals, BarnesHutZ(y, n, tree!, theta2, sumQ, tasks, po));
        return new TSneResult(result, n, kl, exact ? TSneMethod.Exact : TSneMethod.BarnesHut, lr, watch.Elapsed);
    }

    /// <summary>Fills <paramref name="repulsion"/> and <paramref name="attraction"/>; returns Z = sum_{i != j} q_ij.</summary>
    internal static double ExactForces(double[] y, int n, double[] p, double[] repulsion, double[] attraction, double[] sumQ, int tasks, ParallelOptions po)
    {
        Parallel.For(0, tasks, po, t =>
        {
            int i1 = Math.Min(n, (t + 1) * PointsPerTask);
            for (int i = t * PointsPerTask; i < i1; i++)
            {
                double xi = y[2 * i], yi = y[2 * i + 1];
                double rx = 0, ry = 0, ax = 0, ay = 0, z = 0;
                long row = (long)i * n;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    z += q;
                    double pq = p[row + j] * q;
                    ax += pq * dx;
                    ay += pq * dy;
                    double q2 = q * q;
                    rx += q2 * dx;
                    ry += q2 * dy;
                }
                repulsion[2 * i] = rx; repulsion[2 * i + 1] = ry;
                attraction[2 * i] = ax; attraction[2 * i + 1] = ay;
                sumQ[i] = z;
            }
        });
        return SumInOrder(sumQ);
    }

    internal static double BarnesHutForces(double[] y, int n, QuadTree tree, double theta2, int[] rowPtr, int[] cols, double[] pVals,
        double[] repulsion, double[] attraction, double[] sumQ, int tasks, ParallelOptions po)
    {
        Parallel.For(0, tasks, po, () => new int[QuadTree.StackSize], (t, state, stack) =>
        {
            // Points in tree order: neighbours in a task walk nearly the same cells (cache and branch friendly).
            var order = tree.Permutation;
            int k1 = Math.Min(n, (t + 1) * PointsPerTask);
            for (int k = t * PointsPerTask; k < k1; k++)
            {
                int i = order[k];
                tree.Repulsion(y, i, theta2, stack, out double rx, out double ry, out double z);
                repulsion[2 * i] = rx; repulsion[2 * i + 1] = ry;
                sumQ[i] = z;
                double xi = y[2 * i], yi = y[2 * i + 1];
                double ax = 0, ay = 0;
                for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++)
                {
                    int j = cols[e];
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double pq = pVals[e] / (1.0 + dx * dx + dy * dy);
                    ax += pq * dx;
                    ay += pq * dy;
                }
                attraction[2 * i] = ax; attraction[2 * i + 1] = ay;
            }
            return stack;
        }, _ => { });
        return SumInOrder(sumQ);
    }

    private static double ExactZ(double[] y, int n, int tasks, ParallelOptions po, double[] sumQ)
    {
        Parallel.For(0, tasks, po, t =>
        {
            int i1 = Math.Min(n, (t + 1) * PointsPerTask);
            for (int i = t * PointsPerTask; i < i1; i++)
            {
                double xi = y[2 * i], yi = y[2 * i + 1], z = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) continue;
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    z += 1.0 / (1.0 + dx * dx + dy * dy);
                }
                sumQ[i] = z;
            }
        });
        return SumInOrder(sumQ);
    }

    private static double BarnesHutZ(double[] y, int n, QuadTree tree, double theta2, double[] sumQ, int tasks, ParallelOptions po)
    {
        tree.Build(y);
        Parallel.For(0, tasks, po, () => new int[QuadTree.StackSize], (t, state, stack) =>
        {
            var order = tree.Permutation;
            int k1 = Math.Min(n, (t + 1) * PointsPerTask);
            for (int k = t * PointsPerTask; k < k1; k++)
            {
                int i = order[k];
                tree.Repulsion(y, i, theta2, stack, out _, out _, out double z);
                sumQ[i] = z;
            }
            return stack;
        }, _ => { });
        return SumInOrder(sumQ);
    }

    /// <summary>KL(P || Q) with Q_ij = q_ij / Z over all pairs.</summary>
    internal static double ExactKl(double[] y, int n, double[] p, double z)
    {
        double kl = 0, logZ = Math.Log(z);
        for (int i = 0; i < n; i++)
        {
            long row = (long)i * n;
            for (int j = 0; j < n; j++)
            {
                double pij = p[row + j];
                if (j == i || pij <= 0) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                // log(p / (q / Z)) with log q = -log(1 + d^2)
                kl += pij * (Math.Log(pij) + Math.Log(1.0 + dx * dx + dy * dy) + logZ);
            }
        }
        return kl;
    }

    /// <summary>KL(P || Q) over the stored (non-zero) P entries; pairs with P = 0 contribute nothing.</summary>
    internal static double SparseKl(double[] y, int n, int[] rowPtr, int[] cols, double[] pVals, double z)
    {
        double kl = 0, logZ = Math.Log(z);
        for (int i = 0; i < n; i++)
        {
            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++)
            {
                double pij = pVals[e];
                if (pij <= 0) continue;
                int j = cols[e];
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                kl += pij * (Math.Log(pij) + Math.Log(1.0 + dx * dx + dy * dy) + logZ);
            }
        }
        return kl;
    }

    // Sequential sum in index order: the same result whatever the thread schedule.
    private static double SumInOrder(double[] values)
    {
        double s = 0;
        foreach (double v in values) s += v;
        return s;
    }
}

using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Embedding;

/// <summary>
/// Input affinities of t-SNE: conditional Gaussians on squared Euclidean distances whose bandwidths give the target
/// perplexity (binary search on the precision, as scikit-learn's <c>_binary_search_perplexity</c>), symmetrized as
/// <c>P = (P_j|i + P_i|j) / sum</c>.
/// </summary>
internal static class TSneAffinities
{
    private const int MaxSearchSteps = 100;
    private const double EntropyTolerance = 1e-5;

    /// <summary>Sparse symmetric joint affinities from the <paramref name="k"/> exact nearest neighbours (CSR; rows sum over all to 1).</summary>
    internal static (int[] RowPtr, int[] Cols, double[] Values) SparseJoint(float[] x, int n, int dims, int k, double perplexity, ParallelOptions po)
    {
        var nbr = new int[n * k];
        var sqd = new float[n * k];
        Parallel.For(0, n, po, () => new float[n], (i, _, scratch) =>
        {
            NearestNeighbours(x, n, dims, i, k, scratch, nbr.AsSpan(i * k, k), sqd.AsSpan(i * k, k));
            return scratch;
        }, _ => { });

        var cond = new double[n * k];
        Parallel.For(0, n, po, i => ConditionalRow(sqd.AsSpan(i * k, k), perplexity, cond.AsSpan(i * k, k)));

        // Symmetrize: entry (i, j) gets p_j|i + p_i|j. Rows collect their own neighbours and the points listing them.
        var degree = new int[n];
        for (int i = 0; i < n; i++)
        {
            degree[i] += k;
            for (int t = 0; t < k; t++) degree[nbr[i * k + t]]++;
        }
        var rowPtr = new int[n + 1];
        for (int i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + degree[i];
        var cols = new int[rowPtr[n]];
        var vals = new double[rowPtr[n]];
        var fill = new int[n];
        Array.Copy(rowPtr, fill, n);
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < k; t++)
            {
                int j = nbr[i * k + t];
                double p = cond[i * k + t];
                cols[fill[i]] = j; vals[fill[i]++] = p;
                cols[fill[j]] = i; vals[fill[j]++] = p;
            }
        }
        // Sort each row by column and merge duplicates (pairs that list each other).
        var outPtr = new int[n + 1];
        int w = 0;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            int s = rowPtr[i], e = rowPtr[i + 1];
            Array.Sort(cols, vals, s, e - s);
            int rowStart = w;
            for (int q = s; q < e; q++)
            {
                if (w > rowStart && cols[w - 1] == cols[q]) vals[w - 1] += vals[q];
                else { cols[w] = cols[q]; vals[w] = vals[q]; w++; }
            }
            outPtr[i + 1] = w;
            for (int q = rowStart; q < w; q++) total += vals[q];
        }
        Array.Resize(ref cols, w);
        Array.Resize(ref vals, w);
        double inv = 1.0 / Math.Max(total, double.Epsilon);
        for (int q = 0; q < w; q++) vals[q] *= inv;
        return (outPtr, cols, vals);
    }

    /// <summary>Dense symmetric joint affinities over all pairs (n x n, zero diagonal, sums to 1).</summary>
    internal static double[] DenseJoint(float[] x, int n, int dims, double perplexity, ParallelOptions po)
    {
        var p = new double[(long)n * n];
        Parallel.For(0, n, po, () => (new float[n - 1], new double[n - 1]), (i, _, buf) =>
        {
            var (d, c) = buf;
            var xi = new ReadOnlySpan<float>(x, i * dims, dims);
            int t = 0;
            for (int j = 0; j < n; j++)
                if (j != i) d[t++] = EuclideanKernels.SquaredDistance(xi, new ReadOnlySpan<float>(x, j * dims, dims));
            ConditionalRow(d, perplexity, c);
            t = 0;
            for (int j = 0; j < n; j++)
                if (j != i) p[(long)i * n + j] = c[t++];
            return buf;
        }, _ => { });
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double s = p[(long)i * n + j] + p[(long)j * n + i];
                p[(long)i * n + j] = s;
                p[(long)j * n + i] = s;
                total += 2 * s;
            }
        }
        double inv = 1.0 / Math.Max(total, double.Epsilon);
        for (long q = 0; q < p.Length; q++) p[q] *= inv;
        return p;
    }

    /// <summary>
    /// Conditional probabilities <c>p_j|i ∝ exp(-beta d_ij)</c> (d squared distances) whose entropy is ln(perplexity).
    /// Distances are shifted by their minimum first, which changes nothing after normalization but avoids underflow
    /// when distances are large (for example unscaled counts).
    /// </summary>
    internal static void ConditionalRow(ReadOnlySpan<float> sqDist, double perplexity, Span<double> p)
    {
        int m = sqDist.Length;
        double dmin = double.PositiveInfinity;
        for (int j = 0; j < m; j++) dmin = Math.Min(dmin, sqDist[j]);
        double target = Math.Log(perplexity);
        double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
        for (int step = 0; step < MaxSearchSteps; step++)
        {
            double sum = 0;
            for (int j = 0; j < m; j++)
            {
                double v = Math.Exp(-(sqDist[j] - dmin) * beta);
                p[j] = v;
                sum += v;
            }
            double weighted = 0;
            for (int j = 0; j < m; j++) weighted += (sqDist[j] - dmin) * p[j];
            // sum >= 1 thanks to the shift (the nearest neighbour contributes exp(0)).
            double entropy = Math.Log(sum) + beta * weighted / sum;
            double diff = entropy - target;
            for (int j = 0; j < m; j++) p[j] /= sum;
            if (Math.Abs(diff) <= EntropyTolerance) break;
            if (diff > 0)
            {
                betaMin = beta;
                beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
            }
            else
            {
                betaMax = beta;
                beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
            }
        }
    }

    /// <summary>The k nearest neighbours of point i (excluding itself), ascending by distance, ties by index.</summary>
    private static void NearestNeighbours(float[] x, int n, int dims, int i, int k, float[] scratch, Span<int> nbr, Span<float> sqd)
    {
        var xi = new ReadOnlySpan<float>(x, i * dims, dims);
        for (int j = 0; j < n; j++)
            scratch[j] = EuclideanKernels.SquaredDistance(xi, new ReadOnlySpan<float>(x, j * dims, dims));
        // Max-heap of the k best (distance, index) pairs; the root is the worst kept.
        int size = 0;
        for (int j = 0; j < n; j++)
        {
            if (j == i) continue;
            float d = scratch[j];
            if (size < k)
            {
                int c = size++;
                while (c > 0)
                {
                    int parent = (c - 1) >> 1;
                    if (!Worse(d, j, sqd[parent], nbr[parent])) break;
                    sqd[c] = sqd[parent]; nbr[c] = nbr[parent];
                    c = parent;
                }
                sqd[c] = d; nbr[c] = j;
            }
            else if (Worse(sqd[0], nbr[0], d, j))
            {
                int c = 0;
                while (true)
                {
                    int l = 2 * c + 1;
                    if (l >= k) break;
                    int r = l + 1;
                    int big = r < k && Worse(sqd[r], nbr[r], sqd[l], nbr[l]) ? r : l;
                    if (!Worse(sqd[big], nbr[big], d, j)) break;
                    sqd[c] = sqd[big]; nbr[c] = nbr[big];
                    c = big;
                }
                sqd[c] = d; nbr[c] = j;
            }
        }
        // Heap sort into ascending order.
        for (int end = k - 1; end > 0; end--)
        {
            (sqd[0], sqd[end]) = (sqd[end], sqd[0]);
            (nbr[0], nbr[end]) = (nbr[end], nbr[0]);
            float d = sqd[0]; int j = nbr[0];
            int c = 0;
            while (true)
            {
                int l = 2 * c + 1;
                if (l >= end) break;
                int r = l + 1;
                int big = r < end && Worse(sqd[r], nbr[r], sqd[l], nbr[l]) ? r : l;
                if (!Worse(sqd[big], nbr[big], d, j)) break;
                sqd[c] = sqd[big]; nbr[c] = nbr[big];
                c = big;
            }
            sqd[c] = d; nbr[c] = j;
        }
    }

    private static bool Worse(float da, int ja, float db, int jb) => da > db || (da == db && ja > jb);
}

namespace ScGnn.MLNet.Embedding;

/// <summary>Starting layouts for t-SNE.</summary>
internal static class TSneInitializer
{
    // Up to this many input dimensions the covariance matrix is formed and diagonalized exactly.
    private const int CovarianceMaxDims = 256;
    private const int SubspaceBlock = 12;
    private const int SubspaceIterations = 12;

    /// <summary>Normal draws (Box-Muller on the seeded <see cref="System.Random"/>) with the given standard deviation.</summary>
    internal static double[] Random(int n, double scale, int seed)
    {
        var rng = new Random(seed);
        var y = new double[2 * n];
        for (int q = 0; q < y.Length; q++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            y[q] = scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return y;
    }

    /// <summary>
    /// Scores on the first two principal components, signs fixed so that each component's largest-magnitude loading is
    /// positive, scaled so the first has standard deviation <paramref name="scale"/> (as scikit-learn's <c>init="pca"</c>).
    /// Exact eigenvectors of the covariance for up to 256 dimensions; randomized subspace iteration with a Rayleigh-Ritz
    /// step beyond. Null when the data has no spread.
    /// </summary>
    internal static double[]? Pca(float[] x, int n, int dims, double scale, int seed, ParallelOptions po)
    {
        var mean = new double[dims];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < dims; t++) mean[t] += x[i * dims + t];
        for (int t = 0; t < dims; t++) mean[t] /= n;

        double[] directions; // 2 x dims (second row zero when dims == 1)
        if (dims <= CovarianceMaxDims)
        {
            var cov = Covariance(x, n, dims, mean, po);
            var (_, vecs) = Jacobi(cov, dims);
            directions = TopTwo(vecs, dims, dims);
        }
        else
        {
            directions = RandomizedTopTwo(x, n, dims, mean, seed, po);
        }

        for (int c = 0; c < 2; c++)
        {
            int arg = 0;
            for (int t = 1; t < dims; t++)
                if (Math.Abs(directions[c * dims + t]) > Math.Abs(directions[c * dims + arg])) arg = t;
            if (directions[c * dims + arg] < 0)
                for (int t = 0; t < dims; t++) directions[c * dims + t] = -directions[c * dims + t];
        }
        var scores = new double[n * 2];
        Project(x, n, dims, mean, directions, 2, scores, po);
        double ss = 0, m0 = 0;
        for (int i = 0; i < n; i++) m0 += scores[2 * i];
        m0 /= n;
        for (int i = 0; i < n; i++) ss += (scores[2 * i] - m0) * (scores[2 * i] - m0);
        double sd = Math.Sqrt(ss / n);
        if (!(sd > 1e-300)) return null;
        for (int q = 0; q < scores.Length; q++) scores[q] = scores[q] / sd * scale;
        return scores;
    }

    private static double[] Covariance(float[] x, int n, int dims, double[] mean, ParallelOptions po)
    {
        // Upper triangle accumulated per row chunk, then summed in chunk order (deterministic).
        const int Chunk = 256;
        int chunks = (n + Chunk - 1) / Chunk;
        var partial = new double[chunks][];
        Parallel.For(0, chunks, po, c =>
        {
            var acc = new double[dims * dims];
            var row = new double[dims];
            int i1 = Math.Min(n, (c + 1) * Chunk);
            for (int i = c * Chunk; i < i1; i++)
            {
                for (int t = 0; t < dims; t++) row[t] = x[i * dims + t] - mean[t];
                for (int a = 0; a < dims; a++)
                {
                    double ra = row[a];
                    if (ra == 0) continue;
                    int off = a * dims;
                    for (int b = a; b < dims; b++) acc[off + b] += ra * row[b];
                }
            }
            partial[c] = acc;
        });
        var cov = new double[dims * dims];
        foreach (var acc in partial)
            for (int q = 0; q < cov.Length; q++) cov[q] += acc[q];
        for (int a = 0; a < dims; a++)
            for (int b = a + 1; b < dims; b++) cov[b * dims + a] = cov[a * dims + b];
        return cov;
    }

    private static double[] RandomizedTopTwo(float[] x, int n, int dims, double[] mean, int seed, ParallelOptions po)
    {
        int b = Math.Min(SubspaceBlock, dims);
        var rng = new Random(seed);
        var v = new double[b * dims];
        for (int q = 0; q < v.Length; q++) v[q] = rng.NextDouble() - 0.5;
        Orthonormalize(v, b, dims);
        var s = new double[n * b];
        for (int iter = 0; iter < SubspaceIterations; iter++)
        {
            Project(x, n, dims, mean, v, b, s, po);
            Array.Clear(v);
            for (int i = 0; i < n; i++)
                for (int c = 0; c < b; c++)
                {
                    double si = s[i * b + c];
                    int off = c * dims;
                    for (int t = 0; t < dims; t++) v[off + t] += si * (x[i * dims + t] - mean[t]);
                }
            Orthonormalize(v, b, dims);
        }
        // Rayleigh-Ritz: diagonalize the covariance restricted to the subspace.
        Project(x, n, dims, mean, v, b, s, po);
        var small = new double[b * b];
        for (int i = 0; i < n; i++)
            for (int p = 0; p < b; p++)
                for (int q = 0; q < b; q++) small[p * b + q] += s[i * b + p] * s[i * b + q];
        var (_, u) = Jacobi(small, b);
        var top = TopTwo(u, b, b); // 2 x b coefficients
        var result = new double[2 * dims];
        for (int c = 0; c < 2; c++)
            for (int p = 0; p < b; p++)
            {
                double w = top[c * b + p];
                for (int t = 0; t < dims; t++) result[c * dims + t] += w * v[p * dims + t];
            }
        return result;
    }

    /// <summary>The eigenvectors (columns of <paramref name="vecs"/>) of the two largest eigenvalues, as 2 rows.</summary>
    private static double[] TopTwo(double[] vecs, int size, int dims)
    {
        // Jacobi returns eigenvalues sorted descending, vectors as columns.
        var r = new double[2 * dims];
        for (int c = 0; c < Math.Min(2, size); c++)
            for (int t = 0; t < dims; t++) r[c * dims + t] = vecs[t * size + c];
        return r;
    }

    /// <summary>Cyclic Jacobi eigendecomposition of a symmetric matrix; eigenvalues descending, eigenvectors as columns.</summary>
    internal static (double[] Values, double[] Vectors) Jacobi(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int p = 0; p < n; p++)
            {
                diag += a[p * n + p] * a[p * n + p];
                for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double app = a[p * n + p], aqq = a[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (i, j) => values[j].CompareTo(values[i]) != 0 ? values[j].CompareTo(values[i]) : i.CompareTo(j));
        var sortedValues = new double[n];
        var sortedVectors = new double[n * n];
        for (int c = 0; c < n; c++)
        {
            sortedValues[c] = values[order[c]];
            for (int k = 0; k < n; k++) sortedVectors[k * n + c] = v[k * n + order[c]];
        }
        return (sortedValues, sortedVectors);
    }

    private static void Project(float[] x, int n, int dims, double[] mean, double[] v, int comps, double[] scores, ParallelOptions po)
    {
        Parallel.For(0, (n + 255) / 256, po, chunk =>
        {
            int i1 = Math.Min(n, (chunk + 1) * 256);
            for (int i = chunk * 256; i < i1; i++)
                for (int c = 0; c < comps; c++)
                {
                    double s = 0;
                    int off = c * dims;
                    for (int t = 0; t < dims; t++) s += (x[i * dims + t] - mean[t]) * v[off + t];
                    scores[i * comps + c] = s;
                }
        });
    }

    /// <summary>Modified Gram-Schmidt on the rows of <paramref name="v"/>; a vanishing row is left zero.</summary>
    private static void Orthonormalize(double[] v, int rows, int dims)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int p = 0; p < r; p++)
            {
                double dot = 0;
                for (int t = 0; t < dims; t++) dot += v[r * dims + t] * v[p * dims + t];
                for (int t = 0; t < dims; t++) v[r * dims + t] -= dot * v[p * dims + t];
            }
            double norm = 0;
            for (int t = 0; t < dims; t++) norm += v[r * dims + t] * v[r * dims + t];
            norm = Math.Sqrt(norm);
            if (norm > 1e-300)
                for (int t = 0; t < dims; t++) v[r * dims + t] /= norm;
            else
                for (int t = 0; t < dims; t++) v[r * dims + t] = 0;
        }
    }
}

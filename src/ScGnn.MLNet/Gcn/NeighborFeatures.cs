using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Per-entry neighbourhood summaries for the skip connection (<see cref="Imputation.ScGnnOptions.SkipConnection"/>):
/// for cell i and gene j, over i's graph neighbours k (self excluded, weights <c>Â[i,k]</c>),
/// <list type="number">
/// <item>the weighted mean <c>sum_k w_ik x_kj / sum_k w_ik</c> (kNN smoothing, zeros included);</item>
/// <item>the weighted mean of the non-zero values only, <c>sum_k w_ik x_kj / sum_k w_ik [x_kj != 0]</c>, or 0 when
/// no neighbour expresses the gene: the neighbourhood's "value given expressed", which is what a dropout hides.</item>
/// </list>
/// The cell's own value is excluded so that a masked entry's feature is the same whether or not it is masked.
/// </summary>
internal static class NeighborFeatures
{
    internal const int Count = 2;

    /// <summary>Both features as dense row-major cells x genes arrays, on the scale of <paramref name="x"/>.</summary>
    internal static float[][] Compute(NormalizedAdjacency a, float[] x, int cells, int genes)
    {
        if (x.Length != (long)cells * genes) throw new ArgumentException("Input size does not match cells x genes.");
        var mean = new float[x.Length];
        var expressedMean = new float[x.Length];
        Parallel.For(0, cells, () => (new double[genes], new double[genes]), (i, _, acc) =>
        {
            var (sum, weightNonZero) = acc;
            Array.Clear(sum); Array.Clear(weightNonZero);
            double weight = 0;
            for (int q = a.RowPointers[i]; q < a.RowPointers[i + 1]; q++)
            {
                int k = a.Columns[q];
                if (k == i) continue;
                double w = a.Values[q];
                weight += w;
                var row = x.AsSpan(k * genes, genes);
                for (int j = 0; j < genes; j++)
                {
                    float v = row[j];
                    if (v != 0) { sum[j] += w * v; weightNonZero[j] += w; }
                }
            }
            var m = mean.AsSpan(i * genes, genes);
            var e = expressedMean.AsSpan(i * genes, genes);
            for (int j = 0; j < genes; j++)
            {
                m[j] = weight > 0 ? (float)(sum[j] / weight) : 0f;
                e[j] = weightNonZero[j] > 0 ? (float)(sum[j] / weightNonZero[j]) : 0f;
            }
            return acc;
        }, _ => { });
        return new[] { mean, expressedMean };
    }

    /// <summary>
    /// Per-gene least squares of the targets on the features plus an intercept (a small ridge keeps genes with few
    /// or collinear targets finite): the skip connection's starting point, so the network learns the residual.
    /// </summary>
    /// <returns>The coefficients per feature (each of length genes) and the intercept per gene.</returns>
    internal static (float[][] Coefficients, float[] Intercept) FitLeastSquares(float[][] features, int genes,
        int[] cells, int[] targetGenes, float[] values)
    {
        int f = features.Length, p = f + 1;
        // Normal equations per gene over [features..., 1].
        var xtx = new double[genes * p * p];
        var xty = new double[genes * p];
        Span<double> row = stackalloc double[p];
        for (int e = 0; e < cells.Length; e++)
        {
            int g = targetGenes[e];
            long at = (long)cells[e] * genes + g;
            for (int a = 0; a < f; a++) row[a] = features[a][at];
            row[f] = 1;
            int o = g * p * p;
            for (int a = 0; a < p; a++)
            {
                xty[g * p + a] += row[a] * values[e];
                for (int b = 0; b < p; b++) xtx[o + a * p + b] += row[a] * row[b];
            }
        }
        var coefficients = Enumerable.Range(0, f).Select(_ => new float[genes]).ToArray();
        var intercept = new float[genes];
        var m = new double[p, p + 1];
        for (int g = 0; g < genes; g++)
        {
            int o = g * p * p;
            double n = xtx[o + f * p + f];
            if (n == 0) continue;
            double trace = 0;
            for (int a = 0; a < p; a++) trace += xtx[o + a * p + a];
            double ridge = 1e-3 * trace / p + 1e-9;
            for (int a = 0; a < p; a++)
            {
                for (int b = 0; b < p; b++) m[a, b] = xtx[o + a * p + b] + (a == b && a < f ? ridge : 0);
                m[a, p] = xty[g * p + a];
            }
            if (!Solve(m, p)) continue;
            for (int a = 0; a < f; a++) coefficients[a][g] = (float)m[a, p];
            intercept[g] = (float)m[f, p];
        }
        return (coefficients, intercept);
    }

    // Gauss-Jordan with partial pivoting on an augmented p x (p+1) system; the solution is left in column p.
    private static bool Solve(double[,] m, int p)
    {
        for (int c = 0; c < p; c++)
        {
            int piv = c;
            for (int r = c + 1; r < p; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[piv, c])) piv = r;
            if (Math.Abs(m[piv, c]) < 1e-12) return false;
            if (piv != c) for (int k = 0; k <= p; k++) (m[c, k], m[piv, k]) = (m[piv, k], m[c, k]);
            for (int r = 0; r < p; r++)
            {
                if (r == c) continue;
                double factor = m[r, c] / m[c, c];
                if (factor == 0) continue;
                for (int k = c; k <= p; k++) m[r, k] -= factor * m[c, k];
            }
        }
        for (int c = 0; c < p; c++) m[c, p] /= m[c, c];
        return true;
    }
}

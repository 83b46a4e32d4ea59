using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

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
    /// <summary>Features per hop: the weighted mean and the weighted mean of the expressed values.</summary>
    internal const int PerHop = 2;

    /// <summary>Most hops the skip connection supports.</summary>
    internal const int MaxHops = 3;

    /// <summary>
    /// The features for hops 1..<paramref name="hops"/> as dense row-major cells x genes arrays on the scale of
    /// <paramref name="x"/>, ordered [mean_1, expressed_1, mean_2, expressed_2, ...]. Hop h weighs cell k by
    /// <c>(Â^h)[i,k]</c>, self excluded: hop 2 reaches the neighbours' neighbours.
    /// </summary>
    internal static float[][] Compute(NormalizedAdjacency a, float[] x, int cells, int genes, int hops = 1)
    {
        if (x.Length != (long)cells * genes) throw new ArgumentException("Input size does not match cells x genes.");
        if (hops < 1 || hops > MaxHops) throw new ArgumentOutOfRangeException(nameof(hops), hops, $"Hops must be 1 to {MaxHops}.");
        var features = new List<float[]>();
        var (ptr, cols, vals) = (a.RowPointers, a.Columns, a.Values);
        for (int h = 1; h <= hops; h++)
        {
            if (h > 1) (ptr, cols, vals) = Multiply(ptr, cols, vals, a, cells);
            features.AddRange(Summaries(ptr, cols, vals, x, cells, genes));
        }
        return features.ToArray();
    }

    /// <summary>
    /// The same features as <see cref="Compute"/> for rows <c>[start, start + count)</c> only, read from a sparse
    /// matrix: dense blocks of <paramref name="count"/> x genes, bit-identical to the matching rows of <see cref="Compute"/>.
    /// </summary>
    internal static float[][] ComputeRows(NormalizedAdjacency a, CsrMatrix x, int start, int count, int hops)
    {
        if (hops < 1 || hops > MaxHops) throw new ArgumentOutOfRangeException(nameof(hops), hops, $"Hops must be 1 to {MaxHops}.");
        int cells = x.Rows, genes = x.Columns;
        var features = Enumerable.Range(0, PerHop * hops).Select(_ => new float[(long)count * genes]).ToArray();
        Parallel.For(0, count, () => (new double[genes], new double[genes], new double[cells], new List<int>()), (r, _, acc) =>
        {
            var (sum, weightNonZero, dense, touched) = acc;
            int i = start + r;
            // Hop 1 is row i of Â; hop h + 1 is (hop h row) x Â, accumulated as Multiply does.
            int[] cols = a.Columns[a.RowPointers[i]..a.RowPointers[i + 1]];
            float[] vals = a.Values[a.RowPointers[i]..a.RowPointers[i + 1]];
            for (int h = 1; h <= hops; h++)
            {
                if (h > 1)
                {
                    touched.Clear();
                    for (int q = 0; q < cols.Length; q++)
                        for (int p = a.RowPointers[cols[q]]; p < a.RowPointers[cols[q] + 1]; p++)
                        {
                            int k = a.Columns[p];
                            if (dense[k] == 0) touched.Add(k);
                            dense[k] += (double)vals[q] * a.Values[p];
                        }
                    touched.Sort();
                    cols = touched.ToArray();
                    vals = touched.Select(k => (float)dense[k]).ToArray();
                    foreach (int k in touched) dense[k] = 0;
                }
                Array.Clear(sum); Array.Clear(weightNonZero);
                double weight = 0;
                for (int q = 0; q < cols.Length; q++)
                {
                    int k = cols[q];
                    if (k == i) continue;
                    double w = vals[q];
                    weight += w;
                    var idx = x.RowIndices(k); var val = x.RowValues(k);
                    for (int e = 0; e < idx.Length; e++)
                    {
                        float v = val[e];
                        if (v != 0) { sum[idx[e]] += w * v; weightNonZero[idx[e]] += w; }
                    }
                }
                var m = features[PerHop * (h - 1)].AsSpan((int)((long)r * genes), genes);
                var ex = features[PerHop * (h - 1) + 1].AsSpan((int)((long)r * genes), genes);
                for (int j = 0; j < genes; j++)
                {
                    m[j] = weight > 0 ? (float)(sum[j] / weight) : 0f;
                    ex[j] = weightNonZero[j] > 0 ? (float)(sum[j] / weightNonZero[j]) : 0f;
                }
            }
            return acc;
        }, _ => { });
        return features;
    }

    private static float[][] Summaries(int[] ptr, int[] cols, float[] vals, float[] x, int cells, int genes)
    {
        var mean = new float[x.Length];
        var expressedMean = new float[x.Length];
        Parallel.For(0, cells, () => (new double[genes], new double[genes]), (i, _, acc) =>
        {
            var (sum, weightNonZero) = acc;
            Array.Clear(sum); Array.Clear(weightNonZero);
            double weight = 0;
            for (int q = ptr[i]; q < ptr[i + 1]; q++)
            {
                int k = cols[q];
                if (k == i) continue;
                double w = vals[q];
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

    // Sparse product (CSR) x Â, rows in parallel: the next hop's weights.
    private static (int[], int[], float[]) Multiply(int[] ptr, int[] cols, float[] vals, NormalizedAdjacency a, int cells)
    {
        var rowCols = new int[cells][];
        var rowVals = new float[cells][];
        Parallel.For(0, cells, () => (new double[cells], new List<int>()), (i, _, acc) =>
        {
            var (dense, touched) = acc;
            touched.Clear();
            for (int q = ptr[i]; q < ptr[i + 1]; q++)
                for (int r = a.RowPointers[cols[q]]; r < a.RowPointers[cols[q] + 1]; r++)
                {
                    int k = a.Columns[r];
                    if (dense[k] == 0) touched.Add(k);
                    dense[k] += (double)vals[q] * a.Values[r];
                }
            touched.Sort();
            rowCols[i] = touched.ToArray();
            rowVals[i] = touched.Select(k => (float)dense[k]).ToArray();
            foreach (int k in touched) dense[k] = 0;
            return acc;
        }, _ => { });
        var outPtr = new int[cells + 1];
        for (int i = 0; i < cells; i++) outPtr[i + 1] = outPtr[i] + rowCols[i].Length;
        var outCols = new int[outPtr[cells]];
        var outVals = new float[outPtr[cells]];
        for (int i = 0; i < cells; i++)
        {
            rowCols[i].CopyTo(outCols, outPtr[i]);
            rowVals[i].CopyTo(outVals, outPtr[i]);
        }
        return (outPtr, outCols, outVals);
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

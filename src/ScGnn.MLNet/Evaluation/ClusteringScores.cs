using Microsoft.ML;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Clustering metrics that ML.NET lacks: the silhouette score of a labelled embedding, the adjusted Rand index and the
/// normalized mutual information with scikit-learn's normalization (ML.NET's evaluator normalizes NMI differently; see
/// <see cref="NmiNormalization.TrueLabelEntropy"/>). Named <c>ClusteringScores</c> so that it does not clash with
/// <c>Microsoft.ML.Data.ClusteringMetrics</c> in files that import both namespaces.
/// Labels may be of any type (<c>int</c>, <c>uint</c> from ML.NET's <c>PredictedLabel</c>, <c>string</c> cell types);
/// only equality matters.
/// </summary>
public static class ClusteringScores
{
    // Query rows per work item and embedding rows per tile: a tile (512 x 50 floats = 100 KB) stays in L2 while
    // every query row of the block runs over it.
    private const int QueryBlock = 16;
    private const int PointTile = 512;

    /// <summary>Silhouette score of an embedding given as one array per cell.</summary>
    /// <typeparam name="TLabel">Label type; only equality matters.</typeparam>
    /// <param name="embedding">One row per cell, all of the same length (for example 50 PCA components or 2 t-SNE coordinates).</param>
    /// <param name="labels">One label per cell; between 2 and n - 1 distinct labels.</param>
    /// <param name="options">Exact or sampled; <c>null</c> for the defaults.</param>
    public static SilhouetteResult Silhouette<TLabel>(float[][] embedding, IReadOnlyList<TLabel> labels, SilhouetteOptions? options = null)
        where TLabel : notnull
    {
        var flat = EuclideanKernels.Flatten(embedding, nameof(embedding), out int dims);
        return SilhouetteCore(flat, dims, labels, options ?? new SilhouetteOptions());
    }

    /// <summary>
    /// Silhouette score (Euclidean) of a row-major embedding: exact (every pair) up to
    /// <see cref="SilhouetteOptions.ExactMaxCount"/> cells, a seeded sampled estimate beyond, as the options say.
    /// For cell <c>i</c> in cluster <c>C</c>, <c>a(i)</c> is the mean distance to the other cells of <c>C</c>,
    /// <c>b(i)</c> the smallest mean distance to the cells of another cluster, and <c>s(i) = (b - a) / max(a, b)</c>;
    /// a cell alone in its cluster has <c>s(i) = 0</c> (as scikit-learn). Distances are float, sums double.
    /// </summary>
    /// <typeparam name="TLabel">Label type; only equality matters.</typeparam>
    /// <param name="embedding">Row-major, <c>n * dimensions</c> values.</param>
    /// <param name="dimensions">Values per cell.</param>
    /// <param name="labels">One label per cell; between 2 and n - 1 distinct labels.</param>
    /// <param name="options">Exact or sampled; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a value is not finite, or the label count is outside [2, n - 1].</exception>
    public static SilhouetteResult Silhouette<TLabel>(float[] embedding, int dimensions, IReadOnlyList<TLabel> labels, SilhouetteOptions? options = null)
        where TLabel : notnull
    {
        EuclideanKernels.CheckRowMajor(embedding, dimensions, nameof(embedding));
        return SilhouetteCore(embedding, dimensions, labels, options ?? new SilhouetteOptions());
    }

    /// <summary>
    /// Silhouette score of the rows of an <see cref="IDataView"/>: a known-size <c>Vector&lt;float&gt;</c> embedding
    /// column (for example PCA output) and a label column (text cell types, or the key-typed <c>PredictedLabel</c> of
    /// ML.NET's KMeans, or an integer/float scalar).
    /// </summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="embeddingColumn">Known-size <c>Vector&lt;float&gt;</c> column.</param>
    /// <param name="labelColumn">Label column; a missing label (empty text, key 0, NaN) is an error.</param>
    /// <param name="options">Exact or sampled; <c>null</c> for the defaults.</param>
    public static SilhouetteResult Silhouette(IDataView data, string embeddingColumn, string labelColumn, SilhouetteOptions? options = null)
    {
        var x = DataViewColumns.ReadVectors(data, embeddingColumn, nameof(embeddingColumn), out int dims);
        var labels = DataViewColumns.ReadLabels(data, labelColumn, nameof(labelColumn));
        EuclideanKernels.CheckRowMajor(x, dims, embeddingColumn);
        return SilhouetteCore(x, dims, labels, options ?? new SilhouetteOptions());
    }

    /// <summary>Exact silhouette <c>s(i)</c> of every cell (as <c>sklearn.metrics.silhouette_samples</c>); O(n^2 d).</summary>
    /// <typeparam name="TLabel">Label type; only equality matters.</typeparam>
    /// <param name="embedding">Row-major, <c>n * dimensions</c> values.</param>
    /// <param name="dimensions">Values per cell.</param>
    /// <param name="labels">One label per cell; between 2 and n - 1 distinct labels.</param>
    public static double[] SilhouetteSamples<TLabel>(float[] embedding, int dimensions, IReadOnlyList<TLabel> labels)
        where TLabel : notnull
    {
        int n = EuclideanKernels.CheckRowMajor(embedding, dimensions, nameof(embedding));
        var codes = EncodeSilhouetteLabels(labels, n, out int k);
        var queries = new int[n];
        for (int i = 0; i < n; i++) queries[i] = i;
        return SilhouetteOf(embedding, dimensions, codes, k, queries);
    }

    /// <summary>
    /// Adjusted Rand index (Hubert and Arabie 1985) between two labelings, computed from pair counts as
    /// <c>sklearn.metrics.adjusted_rand_score</c>: 1 for identical partitions (up to renaming), about 0 for independent
    /// ones, negative when worse than chance. Symmetric.
    /// </summary>
    /// <typeparam name="TTrue">Type of the true labels.</typeparam>
    /// <typeparam name="TPred">Type of the predicted labels (for example ML.NET's <c>uint</c> cluster ids).</typeparam>
    /// <param name="labelsTrue">Reference labels, one per cell.</param>
    /// <param name="labelsPred">Cluster assignments, one per cell.</param>
    public static double AdjustedRandIndex<TTrue, TPred>(IReadOnlyList<TTrue> labelsTrue, IReadOnlyList<TPred> labelsPred)
        where TTrue : notnull where TPred : notnull
    {
        var t = Contingency(labelsTrue, labelsPred, out int n);
        double nn = n;
        double sumSquares = 0, sumRows = 0, sumCols = 0;
        foreach (long c in t.Cells) sumSquares += (double)c * c;
        foreach (long a in t.RowSums) sumRows += (double)a * a;
        foreach (long b in t.ColumnSums) sumCols += (double)b * b;
        // Ordered-pair confusion matrix (sklearn.metrics.pair_confusion_matrix).
        double tp = sumSquares - nn;
        double fp = sumCols - sumSquares;
        double fn = sumRows - sumSquares;
        double tn = nn * nn - fp - fn - sumSquares;
        if (fn == 0 && fp == 0) return 1.0; // identical partitions, including the all-singleton and single-cluster cases
        return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
    }

    /// <summary>Adjusted Rand index between two label columns of an <see cref="IDataView"/> (text, key, or integer/float scalars).</summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="trueLabelColumn">Reference labels (for example cell types).</param>
    /// <param name="predictedLabelColumn">Cluster assignments (for example KMeans' <c>PredictedLabel</c>).</param>
    public static double AdjustedRandIndex(IDataView data, string trueLabelColumn, string predictedLabelColumn)
        => AdjustedRandIndex(DataViewColumns.ReadLabels(data, trueLabelColumn, nameof(trueLabelColumn)),
            DataViewColumns.ReadLabels(data, predictedLabelColumn, nameof(predictedLabelColumn)));

    /// <summary>Normalized mutual information between two label columns of an <see cref="IDataView"/>.</summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="trueLabelColumn">Reference labels (for example cell types).</param>
    /// <param name="predictedLabelColumn">Cluster assignments (for example KMeans' <c>PredictedLabel</c>).</param>
    /// <param name="normalization">Denominator; arithmetic mean of the two entropies by default (scikit-learn).</param>
    public static double NormalizedMutualInformation(IDataView data, string trueLabelColumn, string predictedLabelColumn,
        NmiNormalization normalization = NmiNormalization.Arithmetic)
        => NormalizedMutualInformation(DataViewColumns.ReadLabels(data, trueLabelColumn, nameof(trueLabelColumn)),
            DataViewColumns.ReadLabels(data, predictedLabelColumn, nameof(predictedLabelColumn)), normalization);

    /// <summary>
    /// Normalized mutual information <c>I(U; V) / norm</c> between true labels <c>U</c> and clusters <c>V</c>, with the
    /// arithmetic mean of the entropies as the default normalization (scikit-learn's default). As scikit-learn: 1 when
    /// both labelings have a single class, 0 when the mutual information is 0.
    /// ML.NET's <c>mlContext.Clustering.Evaluate</c> reports <c>I(U; V) / H(U)</c> instead
    /// (<see cref="NmiNormalization.TrueLabelEntropy"/>).
    /// </summary>
    /// <typeparam name="TTrue">Type of the true labels.</typeparam>
    /// <typeparam name="TPred">Type of the predicted labels.</typeparam>
    /// <param name="labelsTrue">Reference labels, one per cell.</param>
    /// <param name="labelsPred">Cluster assignments, one per cell.</param>
    /// <param name="normalization">Denominator; arithmetic mean of the two entropies by default.</param>
    public static double NormalizedMutualInformation<TTrue, TPred>(IReadOnlyList<TTrue> labelsTrue, IReadOnlyList<TPred> labelsPred,
        NmiNormalization normalization = NmiNormalization.Arithmetic)
        where TTrue : notnull where TPred : notnull
    {
        if (!Enum.IsDefined(normalization))
            throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Unknown normalization.");
        var t = Contingency(labelsTrue, labelsPred, out int n);
        if (t.RowSums.Length == 1 && t.ColumnSums.Length == 1) return 1.0;
        double mi = MutualInformation(t, n);
        if (mi == 0) return 0.0;
        double hTrue = Entropy(t.RowSums, n), hPred = Entropy(t.ColumnSums, n);
        double norm = normalization switch
        {
            NmiNormalization.Arithmetic => 0.5 * (hTrue + hPred),
            NmiNormalization.Geometric => Math.Sqrt(hTrue * hPred),
            NmiNormalization.Min => Math.Min(hTrue, hPred),
            NmiNormalization.Max => Math.Max(hTrue, hPred),
            _ => hTrue,
        };
        // mi > 0 implies both entropies > 0, so norm > 0.
        return Math.Min(mi / norm, 1.0);
    }

    /// <summary>Mutual information <c>I(U; V)</c> in nats (as <c>sklearn.metrics.mutual_info_score</c>).</summary>
    /// <typeparam name="TTrue">Type of the true labels.</typeparam>
    /// <typeparam name="TPred">Type of the predicted labels.</typeparam>
    /// <param name="labelsTrue">Reference labels, one per cell.</param>
    /// <param name="labelsPred">Cluster assignments, one per cell.</param>
    public static double MutualInformation<TTrue, TPred>(IReadOnlyList<TTrue> labelsTrue, IReadOnlyList<TPred> labelsPred)
        where TTrue : notnull where TPred : notnull
    {
        var t = Contingency(labelsTrue, labelsPred, out int n);
        return MutualInformation(t, n);
    }

    private static double MutualInformation(ContingencyTable t, int n)
    {
        double mi = 0, logN = Math.Log(n);
        for (int i = 0; i < t.RowSums.Length; i++)
        {
            for (int j = 0; j < t.ColumnSums.Length; j++)
            {
                long c = t.Cells[i * t.ColumnSums.Length + j];
                if (c == 0) continue;
                // p_ij log(p_ij / (p_i p_j)) = (c/n) (log c + log n - log a_i - log b_j)
                mi += c / (double)n * (Math.Log(c) + logN - Math.Log(t.RowSums[i]) - Math.Log(t.ColumnSums[j]));
            }
        }
        return Math.Max(mi, 0.0);
    }

    private static double Entropy(long[] counts, int n)
    {
        double h = 0;
        foreach (long c in counts)
        {
            if (c == 0) continue;
            double p = c / (double)n;
            h -= p * Math.Log(p);
        }
        return h;
    }

    private readonly record struct ContingencyTable(long[] Cells, long[] RowSums, long[] ColumnSums);

    private static ContingencyTable Contingency<TTrue, TPred>(IReadOnlyList<TTrue> labelsTrue, IReadOnlyList<TPred> labelsPred, out int n)
        where TTrue : notnull where TPred : notnull
    {
        var u = EuclideanKernels.Encode(labelsTrue, nameof(labelsTrue), out int ku);
        var v = EuclideanKernels.Encode(labelsPred, nameof(labelsPred), out int kv);
        if (u.Length != v.Length)
            throw new ArgumentException($"labelsTrue has {u.Length} labels but labelsPred has {v.Length}.", nameof(labelsPred));
        n = u.Length;
        if (n == 0) throw new ArgumentException("No labels.", nameof(labelsTrue));
        var cells = new long[checked((long)ku * kv)];
        var rows = new long[ku];
        var cols = new long[kv];
        for (int i = 0; i < n; i++)
        {
            cells[u[i] * kv + v[i]]++;
            rows[u[i]]++;
            cols[v[i]]++;
        }
        return new ContingencyTable(cells, rows, cols);
    }

    private static int[] EncodeSilhouetteLabels<TLabel>(IReadOnlyList<TLabel> labels, int n, out int k) where TLabel : notnull
    {
        var codes = EuclideanKernels.Encode(labels, nameof(labels), out k);
        if (codes.Length != n)
            throw new ArgumentException($"{codes.Length} labels for {n} cells.", nameof(labels));
        if (k < 2 || k > n - 1)
            throw new ArgumentException($"The silhouette needs between 2 and n - 1 = {n - 1} distinct labels; got {k}.", nameof(labels));
        return codes;
    }

    private static SilhouetteResult SilhouetteCore<TLabel>(float[] x, int dims, IReadOnlyList<TLabel> labels, SilhouetteOptions options)
        where TLabel : notnull
    {
        options.Validate();
        int n = x.Length / dims;
        var codes = EncodeSilhouetteLabels(labels, n, out int k);
        bool exact = options.Method switch
        {
            SilhouetteMethod.Exact => true,
            SilhouetteMethod.Sampled => options.SampleSize >= n,
            _ => n <= options.ExactMaxCount || options.SampleSize >= n,
        };
        int[] queries;
        if (exact)
        {
            queries = new int[n];
            for (int i = 0; i < n; i++) queries[i] = i;
        }
        else
        {
            queries = RandomSubset.Ascending(n, options.SampleSize, new Random(options.Seed));
        }
        var s = SilhouetteOf(x, dims, codes, k, queries);
        double sum = 0;
        foreach (double v in s) sum += v;
        double mean = sum / s.Length;
        double se = 0;
        if (!exact)
        {
            double ss = 0;
            foreach (double v in s) ss += (v - mean) * (v - mean);
            int m = s.Length;
            double variance = m > 1 ? ss / (m - 1) : 0;
            se = Math.Sqrt(variance / m * (1.0 - (double)m / n));
        }
        return new SilhouetteResult(mean, exact, s.Length, n, k, se);
    }

    /// <summary>Exact silhouette of each query cell against all cells; blocked over queries (parallel) and over points (cache).</summary>
    private static double[] SilhouetteOf(float[] x, int dims, int[] codes, int k, int[] queries)
    {
        int n = codes.Length;
        var clusterSize = new int[k];
        foreach (int c in codes) clusterSize[c]++;
        var result = new double[queries.Length];
        int blocks = (queries.Length + QueryBlock - 1) / QueryBlock;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => new double[QueryBlock * k], (block, _, sums) =>
        {
            int q0 = block * QueryBlock;
            int qCount = Math.Min(QueryBlock, queries.Length - q0);
            Array.Clear(sums, 0, qCount * k);
            for (int t0 = 0; t0 < n; t0 += PointTile)
            {
                int t1 = Math.Min(n, t0 + PointTile);
                for (int qi = 0; qi < qCount; qi++)
                {
                    var xq = new ReadOnlySpan<float>(x, queries[q0 + qi] * dims, dims);
                    var row = sums.AsSpan(qi * k, k);
                    for (int j = t0; j < t1; j++)
                    {
                        float d2 = EuclideanKernels.SquaredDistance(xq, new ReadOnlySpan<float>(x, j * dims, dims));
                        row[codes[j]] += Math.Sqrt(d2);
                    }
                }
            }
            for (int qi = 0; qi < qCount; qi++)
            {
                int own = codes[queries[q0 + qi]];
                if (clusterSize[own] == 1)
                {
                    result[q0 + qi] = 0;
                    continue;
                }
                var row = sums.AsSpan(qi * k, k);
                double a = row[own] / (clusterSize[own] - 1);
                double b = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                    if (c != own) b = Math.Min(b, row[c] / clusterSize[c]);
                double denom = Math.Max(a, b);
                result[q0 + qi] = denom > 0 ? (b - a) / denom : 0; // all-identical points: 0, as scikit-learn
            }
            return sums;
        }, _ => { });
        return result;
    }
}

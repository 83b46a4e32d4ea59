using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Downstream check of an expression matrix (raw or imputed) against known cell types, the way scRNA-seq
/// imputation papers and benchmarks score clustering: <c>log1p</c> -> exact PCA to 50 components -> KMeans with
/// k = number of cell types (best inertia of 10 k-means++ initialisations) for seeds 1-5; the ARI and NMI
/// (arithmetic) of the clusters against the types, mean and sd over the seeds, and the silhouette of the true types
/// on the PCA embedding. With the defaults this is scikit-learn's
/// <c>KMeans(k, n_init=10, random_state=s).fit(PCA(50, svd_solver="full").fit_transform(np.log1p(X)))</c>;
/// the clusters of a seed differ from scikit-learn's (another random generator), the scores agree within the
/// seed-to-seed spread. Reads the output only: any matrix of the same cells can be compared.
/// </summary>
public static class ClusteringEvaluator
{
    /// <summary>True when the labels can be scored: 2 to n - 1 distinct labels for n cells.</summary>
    /// <param name="labels">One label per cell.</param>
    public static bool CanEvaluate(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int k = labels.Distinct(StringComparer.Ordinal).Count();
        return k >= 2 && k < labels.Count;
    }

    /// <summary>Scores the expression column of <paramref name="data"/> against its label column.</summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="labelColumnName">Labels: text cell types, a key, or an integer/float scalar; a missing label is an error.</param>
    /// <param name="expressionColumnName">Known-size <c>Vector&lt;float&gt;</c> column of non-negative values (counts, normalized or imputed).</param>
    /// <param name="options">Transform, k, seeds; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, a value is negative or not finite, or there are fewer than 2 or as many labels as cells.</exception>
    public static ClusteringEvaluation Evaluate(IDataView data, string labelColumnName = ScGnnDefaults.CellTypeColumnName,
        string expressionColumnName = ScGnnDefaults.ExpressionColumnName, ClusteringEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var labels = DataViewColumns.ReadLabels(data, labelColumnName, nameof(labelColumnName));
        var matrix = ExpressionMatrix.FromDataView(data, expressionColumnName, null);
        return Evaluate(matrix, labels, options);
    }

    /// <summary>Scores a matrix against labels aligned with its cells (for example from <see cref="CellLabels.Align(IReadOnlyList{string}, CellLabelJoinOptions?)"/>).</summary>
    /// <param name="matrix">Cells x genes, non-negative.</param>
    /// <param name="labels">One label per cell, in the matrix's cell order.</param>
    /// <param name="options">Transform, k, seeds; <c>null</c> for the defaults.</param>
    /// <exception cref="ArgumentException">The label count differs from the cell count, a value is negative or not finite, or there are fewer than 2 or as many labels as cells.</exception>
    public static ClusteringEvaluation Evaluate(ExpressionMatrix matrix, IReadOnlyList<string> labels, ClusteringEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new ClusteringEvaluatorOptions();
        options.Validate();
        int n = matrix.CellCount;
        if (labels.Count != n)
            throw new ArgumentException($"{labels.Count} labels for {n} cells.", nameof(labels));
        for (int i = 0; i < n; i++)
            if (string.IsNullOrEmpty(labels[i])) throw new ArgumentException($"Cell {i} ('{matrix.CellIds[i]}') has an empty label.", nameof(labels));
        int labelCount = labels.Distinct(StringComparer.Ordinal).Count();
        if (labelCount < 2 || labelCount >= n)
            throw new ArgumentException($"Clustering scores need 2 to n - 1 = {n - 1} distinct labels; got {labelCount}.", nameof(labels));
        int k = options.ClusterCount ?? labelCount;
        if (k > n) throw new ArgumentOutOfRangeException(nameof(options), k, $"ClusterCount {k} exceeds the {n} cells.");

        var x = Checked(matrix, options.Log1p);
        // Exact PCA (the covariance's eigenvectors at any gene count), as scikit-learn's svd_solver="full".
        var pca = PcaProjection.Fit(x, options.ComponentCount, exact: true);
        int dims = pca.ComponentCount;
        var embedding = pca.Transform(x);
        var silhouette = ClusteringScores.Silhouette(embedding, dims, labels, options.Silhouette);
        var runs = new ClusteringRun[options.SeedCount];
        for (int s = 0; s < runs.Length; s++)
        {
            int seed = options.FirstSeed + s;
            var r = KMeansClustering.Fit(embedding, n, dims, k, options.InitializationCount, options.MaximumIterations, options.Tolerance, seed);
            runs[s] = new ClusteringRun(seed, ClusteringScores.AdjustedRandIndex(labels, r.Labels),
                ClusteringScores.NormalizedMutualInformation(labels, r.Labels), r.Inertia, r.Iterations, r.Labels);
        }
        return new ClusteringEvaluation(n, matrix.GeneCount, options.Log1p, dims, k, labelCount, options.InitializationCount, runs, silhouette, embedding);
    }

    private static CsrMatrix Checked(ExpressionMatrix matrix, bool log1p)
    {
        var x = CsrMatrix.From(matrix);
        for (int i = 0; i < x.Rows; i++)
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int q = 0; q < val.Length; q++)
                if (!float.IsFinite(val[q]) || (log1p && val[q] < 0))
                    throw new ArgumentException(
                        $"Cell {i} ('{matrix.CellIds[i]}'), gene '{matrix.GeneIds[idx[q]]}' is {val[q]}; values must be finite{(log1p ? " and non-negative for log1p" : "")}.",
                        nameof(matrix));
        }
        return log1p ? x.Log1p() : x;
    }
}

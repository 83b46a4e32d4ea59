using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.MLNet;

/// <summary>
/// Single-cell preprocessing on <see cref="TransformsCatalog"/> (<c>mlContext.Transforms</c>): the SCGNN paper's
/// variable-gene selection, median library-size normalization and simulated dropout (§3.1), plus scanpy-style
/// <c>log1p</c> and per-gene scaling. Every estimator reads a known-size <c>Vector&lt;Single&gt;</c> column (cells are
/// rows, genes are slots, gene ids as <c>SlotNames</c>), checks it in <c>GetOutputSchema</c> before any work, keeps
/// sparse rows sparse where the math allows, carries slot names through, and its transformer saves and loads with
/// <c>mlContext.Model.Save/Load</c>.
/// </summary>
public static class PreprocessingCatalog
{
    /// <summary>
    /// Variable-gene selection (paper §3.1): keeps the genes with <c>variance / (1 + mean) &gt; minDispersion</c>
    /// (sample variance, n-1), ordered by descending dispersion as in the paper, or the
    /// <paramref name="topGeneCount"/> genes with the largest dispersion. See <see cref="VariableGeneSelectingEstimator"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column of raw counts; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="minDispersion">Threshold on <c>variance / (1 + mean)</c>; default 0.5 (the paper's).</param>
    /// <param name="topGeneCount">When set, keep this many top genes instead of thresholding.</param>
    public static VariableGeneSelectingEstimator SelectVariableGenes(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null,
        double minDispersion = VariableGeneSelectingEstimator.Defaults.MinDispersion, int? topGeneCount = null) =>
        SelectVariableGenes(catalog, new VariableGeneSelectingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            MinDispersion = minDispersion,
            TopGeneCount = topGeneCount,
        });

    /// <summary>Variable-gene selection with options. See <see cref="VariableGeneSelectingEstimator"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, threshold or top-gene count, and order of the kept genes.</param>
    public static VariableGeneSelectingEstimator SelectVariableGenes(this TransformsCatalog catalog, VariableGeneSelectingEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>
    /// Median library-size normalization (paper §3.1; scanpy <c>normalize_total</c>): scales each cell to the median
    /// cell total learned in Fit, <c>x / total * median</c>. See <see cref="LibrarySizeNormalizingEstimator"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="dropEmptyCells">Drop cells whose total is zero instead of failing (the transformer is then not row-to-row).</param>
    public static LibrarySizeNormalizingEstimator NormalizeMedianLibrarySize(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null,
        bool dropEmptyCells = LibrarySizeNormalizingEstimator.Defaults.DropEmptyCells) =>
        NormalizeMedianLibrarySize(catalog, new LibrarySizeNormalizingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            DropEmptyCells = dropEmptyCells,
        });

    /// <summary>
    /// Library-size normalization with options (for example a fixed <c>TargetSum</c>, scanpy's <c>target_sum</c>).
    /// See <see cref="LibrarySizeNormalizingEstimator"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, fixed target, empty-cell handling.</param>
    public static LibrarySizeNormalizingEstimator NormalizeMedianLibrarySize(this TransformsCatalog catalog, LibrarySizeNormalizingEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>
    /// Simulated dropout (paper §3.1): masks a seeded <c>floor(p * nnz)</c> of the non-zero entries (default
    /// <c>p = min(density, 0.3)</c>) and adds a mask column with the masked entries' true values.
    /// See <see cref="DropoutSimulatingEstimator"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Masked output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="maskColumnName">Mask column; default <c>"DropoutMask"</c>.</param>
    /// <param name="maskRate">Fraction of non-zero entries to mask; null means <c>min(density, 0.3)</c>.</param>
    /// <param name="seed">Seed of the masking; default 1.</param>
    public static DropoutSimulatingEstimator SimulateDropout(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null,
        string maskColumnName = DropoutSimulatingEstimator.Defaults.MaskColumnName, double? maskRate = null,
        int seed = DropoutSimulatingEstimator.Defaults.Seed) =>
        SimulateDropout(catalog, new DropoutSimulatingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            MaskColumnName = maskColumnName,
            MaskRate = maskRate,
            Seed = seed,
        });

    /// <summary>Simulated dropout with options. See <see cref="DropoutSimulatingEstimator"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, rate, seed and the cell-id column keying the mask.</param>
    public static DropoutSimulatingEstimator SimulateDropout(this TransformsCatalog catalog, DropoutSimulatingEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>
    /// <c>ln(1 + x)</c> on every value (scanpy <c>pp.log1p</c>, natural logarithm); sparse rows stay sparse.
    /// See <see cref="Log1pEstimator"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    public static Log1pEstimator Log1p(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null) =>
        Log1p(catalog, new Log1pEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary><c>ln(1 + x)</c> on every value, with options. See <see cref="Log1pEstimator"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Column names.</param>
    public static Log1pEstimator Log1p(this TransformsCatalog catalog, Log1pEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>
    /// Per-gene scaling as scanpy <c>pp.scale</c>: <c>(x - mean) / sd</c> with the sample standard deviation (n-1),
    /// optionally clipped. See <see cref="GeneScalingEstimator"/> for how it differs from ML.NET's
    /// <c>NormalizeMeanVariance</c>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="zeroCenter">Subtract each gene's mean (the output is then dense); default true.</param>
    /// <param name="maxValue">Clip scaled values to this bound (scanpy <c>max_value</c>); default none.</param>
    public static GeneScalingEstimator ScaleGenes(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null,
        bool zeroCenter = GeneScalingEstimator.Defaults.ZeroCenter, double? maxValue = null) =>
        ScaleGenes(catalog, new GeneScalingEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ZeroCenter = zeroCenter,
            MaxValue = maxValue,
        });

    /// <summary>Per-gene scaling with options. See <see cref="GeneScalingEstimator"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, centering and clipping.</param>
    public static GeneScalingEstimator ScaleGenes(this TransformsCatalog catalog, GeneScalingEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);
}

using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.MLNet;

/// <summary>
/// Single-cell preprocessing on <see cref="TransformsCatalog"/> (<c>mlContext.Transforms</c>): the SCGNN paper's
/// variable-gene selection, median library-size normalization and simulated dropout (§3.1), plus scanpy-style
/// <c>log1p</c> and per-gene scaling. Every estimator reads a known-size <c>Vector&lt;Single&gt;</c> column (cells are
/// rows, genes are slots, gene ids as <c>SlotNames</c>), keeps sparse rows sparse where the math allows, and its
/// transformer saves and loads with <c>mlContext.Model.Save/Load</c>.
/// </summary>
public static class PreprocessingCatalog
{
    /// <summary>
    /// <c>ln(1 + x)</c> on every value (scanpy <c>pp.log1p</c>, natural logarithm); sparse rows stay sparse.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Output column; default <c>"Expression"</c>.</param>
    /// <param name="inputColumnName">Input column; null means <paramref name="outputColumnName"/>.</param>
    public static Log1pEstimator Log1p(this TransformsCatalog catalog,
        string outputColumnName = ScGnnDefaults.ExpressionColumnName, string? inputColumnName = null) =>
        Log1p(catalog, new Log1pEstimator.Options { OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary><c>ln(1 + x)</c> on every value, with options.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Column names.</param>
    public static Log1pEstimator Log1p(this TransformsCatalog catalog, Log1pEstimator.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);
}

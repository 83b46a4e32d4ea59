using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Pipeline;

namespace ScGnn.MLNet;

/// <summary>
/// The SCGNN recipe as one ML.NET estimator chain on raw counts, so that a program (and the <c>scgnn</c> app) builds
/// it once: <c>SelectVariableGenes</c> (paper §3.1) -> <c>NormalizeMedianLibrarySize</c> (§3.1) -> optionally
/// <c>SimulateDropout</c> (an evaluation mask, §3.1) -> <c>ImputeWithScGnn</c> (§3.2-3.4). Every step reads and
/// writes the <c>Expression</c> column; the imputer adds <c>Imputed</c>.
/// </summary>
public static class ScGnnPipelineCatalog
{
    /// <summary>The recipe with the library defaults: gene selection, normalization, ScGnn; no mask.</summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    public static EstimatorChain<ITransformer> ScGnnPipeline(this TransformsCatalog catalog) =>
        ScGnnPipeline(catalog, new ScGnnPipelineOptions());

    /// <summary>The recipe with options: which preprocessing steps, an evaluation mask, the imputer's options.</summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="options">The steps and their settings; validated here, before any estimator is built.</param>
    /// <returns>An unfitted chain; <c>Fit</c> on raw counts, then save the fitted chain with <c>mlContext.Model.Save</c>.</returns>
    public static EstimatorChain<ITransformer> ScGnnPipeline(this TransformsCatalog catalog, ScGnnPipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var chain = new EstimatorChain<ITransformer>();
        if (options.SelectGenes) chain = chain.Append<ITransformer>(catalog.SelectVariableGenes());
        if (options.Normalize) chain = chain.Append<ITransformer>(catalog.NormalizeMedianLibrarySize());
        if (options.EvaluationMaskRate is double rate)
            chain = chain.Append<ITransformer>(catalog.SimulateDropout(maskRate: rate, seed: options.EvaluationMaskSeed));
        return chain.Append<ITransformer>(catalog.ImputeWithScGnn(options.Imputation));
    }
}

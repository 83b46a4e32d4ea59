using ScGnn.MLNet.Imputation;

namespace ScGnn.MLNet.Pipeline;

/// <summary>
/// Options of <see cref="ScGnnPipelineCatalog.ScGnnPipeline(Microsoft.ML.TransformsCatalog, ScGnnPipelineOptions)"/> (<c>mlContext.Transforms.ScGnnPipeline</c>):
/// which preprocessing steps run before the imputer, an optional evaluation mask, and the imputer's own options.
/// </summary>
public sealed class ScGnnPipelineOptions
{
    /// <summary>
    /// Variable-gene selection first (paper §3.1: <c>variance / (1 + mean) &gt; 0.5</c>, sample variance n-1). Default
    /// true; false imputes every gene of the input.
    /// </summary>
    public bool SelectGenes { get; set; } = true;

    /// <summary>Median library-size normalization (<c>x / total * median total</c>) before the imputer. Default true.</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>
    /// For evaluation only: hide this fraction of the non-zero entries (a seeded <c>SimulateDropout</c> step before the
    /// imputer) so that they can be scored. Null (the default) adds no mask. A model fitted with a mask hides the
    /// same share of every new cell's values, so never save one for use on other data.
    /// </summary>
    public double? EvaluationMaskRate { get; set; }

    /// <summary>Seed of the evaluation mask. Default 1.</summary>
    public int EvaluationMaskSeed { get; set; } = 1;

    /// <summary>The imputer's options (<see cref="ScGnnOptions"/>; the library defaults unless set).</summary>
    public ScGnnOptions Imputation { get; set; } = new();

    /// <summary>Checks the options; called by the catalog method before any estimator is built.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The mask rate is not in (0, 1].</exception>
    /// <exception cref="ArgumentNullException">No imputer options.</exception>
    public void Validate()
    {
        if (EvaluationMaskRate is double rate && !(rate > 0 && rate <= 1))
            throw new ArgumentOutOfRangeException(nameof(EvaluationMaskRate), $"The evaluation mask rate must be in (0, 1], not {rate}.");
        ArgumentNullException.ThrowIfNull(Imputation, nameof(Imputation));
    }
}

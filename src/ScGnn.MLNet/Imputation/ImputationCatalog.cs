using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Imputation;

/// <summary>Catalog extension methods for SCGNN imputation.</summary>
public static class ImputationCatalog
{
    /// <summary>
    /// SCGNN dropout imputation with the library's defaults (<see cref="ScGnnTrainer.Defaults"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Column to add (same genes and slot names as the input).</param>
    /// <param name="inputColumnName">Known-size vector of Single: normalized counts, cells as rows, genes as slots.</param>
    /// <param name="seed">Seed for splits, masks, initialization and dropout.</param>
    /// <param name="epochs">Training epochs.</param>
    public static ScGnnTrainer ImputeWithScGnn(this TransformsCatalog catalog,
        string outputColumnName = ScGnnTrainer.Defaults.OutputColumnName,
        string inputColumnName = ScGnnDefaults.ExpressionColumnName,
        int seed = ScGnnTrainer.Defaults.Seed,
        int epochs = ScGnnTrainer.Defaults.Epochs) =>
        ImputeWithScGnn(catalog, new ScGnnOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            Seed = seed,
            Epochs = epochs,
        });

    /// <summary>SCGNN dropout imputation with explicit options (for example <see cref="ScGnnOptions.Paper"/>).</summary>
    public static ScGnnTrainer ImputeWithScGnn(this TransformsCatalog catalog, ScGnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ScGnnTrainer(CatalogUtils.GetEnvironment(catalog), options);
    }
}

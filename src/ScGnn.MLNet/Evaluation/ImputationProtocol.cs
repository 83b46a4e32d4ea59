using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// The evaluation protocol of PROTOCOL.md end to end: gene selection and median normalization (fitted once), then
/// per fold a seeded simulated dropout at the paper's rate (<c>min(raw density, 0.3)</c>), a ScGnn fit, and metrics
/// over the masked entries the model never saw as targets. Reports mean ± sd over folds like the paper's Table 2.
/// </summary>
public static class ImputationProtocol
{
    private const string ImputedColumn = "ProtocolImputed";

    /// <summary>Runs the protocol on raw counts (cells as rows, genes as slots of <see cref="ImputationProtocolOptions.InputColumnName"/>).</summary>
    public static ImputationProtocolResult Run(MLContext ml, IDataView rawCounts, ImputationProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(rawCounts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string col = options.InputColumnName;
        double rate = options.MaskRate ?? DropoutSimulatingEstimator.PaperMaskRate(rawCounts, col);

        IDataView data = rawCounts;
        if (options.SelectGenes)
            data = ml.Transforms.SelectVariableGenes(col, col).Fit(data).Transform(data);
        if (options.Normalize)
            data = ml.Transforms.NormalizeMedianLibrarySize(col, col).Fit(data).Transform(data);
        // Materialize once: every fold reads the same preprocessed matrix.
        data = ml.Data.Cache(data);
        var size = ((VectorDataViewType)data.Schema[col].Type).Size;
        long cells = data.GetRowCount() ?? CountRows(data);

        var folds = new List<ImputationFoldResult>();
        for (int f = 0; f < options.Folds; f++)
        {
            int seed = options.FirstSeed + f;
            var masked = ml.Transforms.SimulateDropout(new DropoutSimulatingEstimator.Options
            {
                InputColumnName = col, OutputColumnName = col, MaskRate = rate, Seed = seed,
            }).Fit(data).Transform(data);
            masked = ml.Data.Cache(masked);

            var model = options.Model.Clone();
            model.Seed = seed;
            model.InputColumnName = col;
            model.OutputColumnName = ImputedColumn;
            model.MaskColumnName = options.UseMaskAsTargets ? DropoutSimulatingEstimator.Defaults.MaskColumnName : null;
            if (options.UseMaskAsTargets) model.TestFraction = options.TestFraction;
            var sw = Stopwatch.StartNew();
            var imputer = ml.Transforms.ImputeWithScGnn(model).Fit(masked);
            double fitSeconds = sw.Elapsed.TotalSeconds;
            var imputed = imputer.Transform(masked);

            ImputationFoldResult result;
            if (options.UseMaskAsTargets)
            {
                // Paper: the masked entries of training and validation cells were targets; the test cells' were not.
                var seen = Enumerable.Repeat(true, checked((int)cells)).ToArray();
                foreach (int i in imputer.TestCells) seen[i] = false;
                var eval = ImputationEvaluator.Evaluate(imputed, ImputedColumn, DropoutSimulatingEstimator.Defaults.MaskColumnName, seen);
                result = new ImputationFoldResult(seed, eval.Unseen!, eval.Seen, fitSeconds, imputer.BestEpoch);
            }
            else
            {
                var eval = ImputationEvaluator.Evaluate(imputed, ImputedColumn, DropoutSimulatingEstimator.Defaults.MaskColumnName);
                result = new ImputationFoldResult(seed, eval.Overall, null, fitSeconds, imputer.BestEpoch);
            }
            folds.Add(result);
            options.FoldCompleted?.Invoke(result);
        }
        return new ImputationProtocolResult(folds, (int)cells, size, rate);
    }

    private static long CountRows(IDataView data)
    {
        long n = 0;
        using var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>());
        while (cursor.MoveNext()) n++;
        return n;
    }
}

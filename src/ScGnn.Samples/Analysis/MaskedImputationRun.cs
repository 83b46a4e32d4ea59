using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Pipeline;
using ScGnn.MLNet.Preprocessing;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// One fit of the paper's pipeline with an evaluation mask: SelectVariableGenes -> NormalizeMedianLibrarySize ->
/// SimulateDropout (rate min(raw density, 0.3)) -> ImputeWithScGnn, with the columns the reports need read back.
/// The imputer draws its own training targets from the entries left, so the DropoutMask entries are never seen.
/// </summary>
internal sealed class MaskedImputationRun
{
    private MaskedImputationRun(MLContext ml, TransformerChain<ITransformer> model, IDataView raw, IDataView scored,
        ExpressionMatrix masked, ExpressionMatrix mask, float[] imputed, double maskRate, TimeSpan fitTime, TimeSpan imputeTime)
    {
        Context = ml;
        Model = model;
        Raw = raw;
        Scored = scored;
        Masked = masked;
        Mask = mask;
        Imputed = imputed;
        MaskRate = maskRate;
        FitTime = fitTime;
        ImputeTime = imputeTime;
        var parts = ModelFile.Flatten(model).ToList();
        Selection = parts.OfType<VariableGeneSelectingTransformer>().First();
        Normalization = parts.OfType<LibrarySizeNormalizingTransformer>().First();
        Imputer = parts.OfType<ScGnnImputationTransformer>().First();
    }

    public MLContext Context { get; }
    public TransformerChain<ITransformer> Model { get; }
    public IDataView Raw { get; }
    public IDataView Scored { get; }

    /// <summary>The imputer's input: normalized counts of the kept genes with the evaluation mask applied.</summary>
    public ExpressionMatrix Masked { get; }

    /// <summary>Masked positions with their true (normalized) values.</summary>
    public ExpressionMatrix Mask { get; }

    /// <summary>Dense row-major cells x kept genes.</summary>
    public float[] Imputed { get; }

    public double MaskRate { get; }
    public TimeSpan FitTime { get; }
    public TimeSpan ImputeTime { get; }
    public VariableGeneSelectingTransformer Selection { get; }
    public LibrarySizeNormalizingTransformer Normalization { get; }
    public ScGnnImputationTransformer Imputer { get; }
    public int Genes => Masked.GeneCount;

    /// <summary>
    /// The pipeline for other data: the fitted gene selection, normalization and imputer, without the evaluation
    /// mask (a model meant for new cells must not hide a share of their observed values).
    /// </summary>
    public TransformerChain<ITransformer> ModelForNewData() => new(Selection, Normalization, Imputer);

    public ExpressionMatrix ImputedMatrix() => ExpressionMatrix.FromDense(Imputed, Masked.CellIds, Masked.GeneIds);

    /// <summary>
    /// The complete data (no evaluation mask): the fitted selection and normalization applied to the raw counts, the
    /// fitted imputer applied to that (a transform: its own kNN graph in the fitted PCA space, no retraining), and the
    /// same imputer's <see cref="ImputationOutputMode.Smoothed"/> output of it (for clustering).
    /// </summary>
    public (ExpressionMatrix Normalized, ExpressionMatrix Imputed, ExpressionMatrix Smoothed) Complete()
    {
        var normalized = Normalization.Transform(Selection.Transform(Raw));
        var imputed = Imputer.Transform(normalized);
        var values = ExpressionMatrix.FromDataView(imputed, Imputer.OutputColumnName, null).ToDense();
        var matrix = ExpressionMatrix.FromDataView(normalized, ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName);
        var smoothed = ExpressionMatrix.FromDataView(Imputer.WithOutputMode(ImputationOutputMode.Smoothed).Transform(normalized), Imputer.OutputColumnName, null);
        return (matrix, ExpressionMatrix.FromDense(values, matrix.CellIds, matrix.GeneIds), smoothed);
    }

    /// <summary>
    /// The clustering rows of the demo and the report: complete data raw vs imputed (the comparison a user cares
    /// about), then the imputer's masked input vs its output (same information on both sides), then the complete
    /// data's output meant for clustering.
    /// </summary>
    public ClusteringComparison CompareClustering(IReadOnlyList<string> labels, ProgressReporter progress) =>
        CompareClustering(labels, progress, Complete, () => Masked, ImputedMatrix);

    public static ClusteringComparison CompareClustering(IReadOnlyList<string> labels, ProgressReporter progress,
        Func<(ExpressionMatrix Normalized, ExpressionMatrix Imputed, ExpressionMatrix Smoothed)> complete, Func<ExpressionMatrix> masked,
        Func<ExpressionMatrix> imputedFromMasked)
    {
        (ExpressionMatrix Normalized, ExpressionMatrix Imputed, ExpressionMatrix Smoothed)? full = null;
        return ClusteringComparison.Run(new (string, Func<ExpressionMatrix>)[]
        {
            (RawRow, () => (full ??= complete()).Normalized),
            (ImputedRow, () => (full ??= complete()).Imputed),
            (MaskedRow, masked),
            (MaskedImputedRow, imputedFromMasked),
            (SmoothedRow, () => (full ??= complete()).Smoothed),
        }, labels, progress);
    }

    public const string RawRow = "raw (normalized)";
    public const string ImputedRow = "ScGnn imputed";
    public const string MaskedRow = "raw with the evaluation mask";
    public const string SmoothedRow = "ScGnn smoothed (for clustering)";
    public const string MaskedImputedRow = "ScGnn imputed from that";

    public static MaskedImputationRun Fit(ExpressionMatrix rawMatrix, ScGnnOptions options, int maskSeed, CommandContext context)
    {
        var progress = context.Progress;
        var ml = new MLContext(options.Seed);
        using var log = new LibraryLog(ml, context);
        var raw = rawMatrix.ToDataView();
        double maskRate = Math.Min(rawMatrix.Density, 0.3);
        using var training = new TrainingProgress(progress, "Gene selection, normalization, evaluation mask");
        log.BeforeStage = training.EndPrepare;
        var userProgress = options.Progress;
        options.Progress = p => { training.OnEpoch(p); userProgress?.Invoke(p); };
        var pipeline = ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions
        {
            EvaluationMaskRate = maskRate,
            EvaluationMaskSeed = maskSeed,
            Imputation = options,
        });
        var watch = Stopwatch.StartNew();
        training.Begin();
        var model = pipeline.Fit(raw);
        var fitTime = watch.Elapsed;

        using var step = progress.Step("Imputing (graph + forward)");
        watch.Restart();
        var scored = model.Transform(raw);
        var imputed = ExpressionMatrix.FromDataView(scored, "Imputed", null).ToDense();
        var imputeTime = watch.Elapsed;
        var masked = ExpressionMatrix.FromDataView(scored, ScGnnDefaults.ExpressionColumnName, ScGnnDefaults.CellIdColumnName);
        var mask = ExpressionMatrix.FromDataView(scored, "DropoutMask", ScGnnDefaults.CellIdColumnName);
        step.Complete($"{Fmt.N(masked.CellCount)} cells x {Fmt.N(masked.GeneCount)} genes");
        return new MaskedImputationRun(ml, model, raw, scored, masked, mask, imputed, maskRate, fitTime, imputeTime);
    }

    /// <summary>Imputed and true values at the masked entries, in row-major order.</summary>
    public (float[] Predicted, float[] Truth) MaskedEntries()
    {
        int genes = Genes;
        var predicted = new float[Mask.StoredCount];
        var truth = new float[Mask.StoredCount];
        int n = 0;
        for (int i = 0; i < Mask.CellCount; i++)
        {
            var idx = Mask.RowIndices(i);
            var val = Mask.RowValues(i);
            for (int k = 0; k < idx.Length; k++)
            {
                if (val[k] == 0) continue;
                predicted[n] = Imputed[(long)i * genes + idx[k]];
                truth[n++] = val[k];
            }
        }
        return (predicted[..n], truth[..n]);
    }
}

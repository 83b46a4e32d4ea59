using ScGnn.MLNet.Embedding;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.Plotting;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>The three PNGs of a report: t-SNE raw vs imputed (when cell types are known), predicted vs true on the masked entries, and the loss curves.</summary>
internal static class ReportFigures
{
    public const string TsneFile = "tsne.png";
    public const string PredictedFile = "predicted-vs-true.png";
    public const string LossFile = "loss.png";

    /// <summary>Writes the figures into <paramref name="folder"/> and returns the file names written.</summary>
    public static List<string> Write(string folder, float[] predicted, float[] truth, IReadOnlyList<ScGnnEpochProgress> history, int keptEpoch,
        ClusteringComparison? clustering, IReadOnlyList<string>? labels, int seed, ProgressReporter progress, CancellationToken cancellation)
    {
        var written = new List<string>();
        if (clustering is not null && labels is not null)
        {
            var raw = Embed("t-SNE (raw)", clustering.Raw, seed, progress, cancellation);
            var imputed = Embed("t-SNE (imputed)", clustering.Imputed, seed, progress, cancellation);
            // Silhouettes in the titles are on the 2-D maps (as the paper's Figure 2); report.md also gives them on PCA 50.
            ScGnnPlots.SaveTsneComparison(Path.Combine(folder, TsneFile), raw.Embedding, imputed.Embedding, labels,
                rawTitle: "Raw (normalized)", imputedTitle: "ScGnn imputed");
            written.Add(TsneFile);
        }
        using (var step = progress.Step("Plotting"))
        {
            ScGnnPlots.SavePredictedVsTrue(Path.Combine(folder, PredictedFile), predicted, truth, logScale: true,
                seed: seed, title: "Masked entries");
            written.Add(PredictedFile);
            if (history.Count > 0)
            {
                // The dashed line marks the imputer's BestEpoch: the one definition of the kept epoch (0 = starting weights),
                // on the loss it was chosen by.
                ScGnnPlots.SaveLossCurves(Path.Combine(folder, LossFile), history.Select(h => h.TrainLoss).ToArray(),
                    history.Select(h => h.ValidationLoss).ToArray(), logScale: LogScaleFits(history),
                    title: "ScGnn masked-entry MSE per epoch", keptEpoch: keptEpoch,
                    selectionLoss: history.Any(TrainingProgress.Shrunk) ? history.Select(h => h.SelectionLoss).ToArray() : null);
                written.Add(LossFile);
            }
            step.Complete(string.Join(", ", written));
        }
        return written;
    }

    private static TSneResult Embed(string label, ClusteringEvaluation evaluation, int seed, ProgressReporter progress, CancellationToken cancellation)
    {
        int n = evaluation.CellCount;
        var options = new TSneOptions { Seed = seed, ProgressInterval = 10 };
        // Perplexity must stay below the cell count; tiny inputs get a smaller one.
        if (n <= 3 * options.Perplexity + 1) options.Perplexity = Math.Max(1, (n - 1) / 3.0);
        using var bar = progress.Start(label, options.Iterations, "iterations");
        options.Progress = p => bar.Report(p.Iteration, $"KL {Fmt.F(p.KlDivergence, 3)}");
        var result = new TSne(options).Fit(evaluation.Embedding.ToArray(), evaluation.ComponentCount, cancellation);
        bar.Complete($"KL {Fmt.F(result.KlDivergence, 3)}");
        return result;
    }

    /// <summary>A log axis only when the losses span more than a decade (else it would carry one or two ticks).</summary>
    private static bool LogScaleFits(IReadOnlyList<ScGnnEpochProgress> history)
    {
        var values = history.SelectMany(h => new[] { h.TrainLoss, h.ValidationLoss, h.SelectionLoss }).Where(double.IsFinite).ToList();
        return values.Count > 0 && values.Min() > 0 && values.Max() / values.Min() > 10;
    }
}

using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>Puts the sections of report.md together in the same order for the demo and the report command.</summary>
internal static class ReportComposer
{
    public static ReportDocument Compose(string title, IEnumerable<string> setup, IReadOnlyList<AccuracySection> accuracy,
        ClusteringComparison? clustering, IReadOnlyList<string> figures, IEnumerable<string>? modelLines, IEnumerable<(string Step, TimeSpan Time)> timings)
    {
        var doc = new ReportDocument(title);
        doc.Heading("Setup").Bullets(setup);
        doc.Heading("Imputation accuracy");
        foreach (var section in accuracy)
            doc.Paragraph(section.Explanation).Table(section.Table());
        if (clustering is not null)
        {
            doc.Heading("Clustering: raw vs imputed").Table(clustering.Table()).Paragraph(
                clustering.Description + " (`ClusteringEvaluator`, the same evaluation in every command; mean ± sd over the KMeans seeds.) " +
                "The first two rows compare the complete data: the normalized counts (\"raw\") and the fitted imputer applied to them " +
                "(a transform with its own kNN graph, no retraining). The next two compare the imputer's training input (the same " +
                "counts with the evaluation mask applied) with its output, so both sides of that pair carry the same information. " +
                "\"ScGnn smoothed\" is the same imputer's output for clustering (`ImputationOutputMode.Smoothed`) of the complete data.");
        }
        if (figures.Count > 0)
        {
            doc.Heading("Figures");
            foreach (var f in figures)
            {
                string caption = f switch
                {
                    ReportFigures.TsneFile => "t-SNE of the PCA embeddings of the complete data, raw (left) vs imputed (right), coloured by cell type; silhouettes in the titles are on the 2-D maps (paper Figure 2), those in the table on PCA 50.",
                    ReportFigures.PredictedFile => "Imputed vs true values on the masked entries (log scale), least-squares line and identity.",
                    ReportFigures.LossFile => "Training and validation loss (masked-entry MSE) per epoch; with the library default a third line gives each epoch's validation loss with its change of the start shrunk (cross-fitted), the loss the kept epoch is chosen by. The dashed line marks the epoch kept (the imputer's `BestEpoch`, the same number as in Setup).",
                    _ => f,
                };
                doc.Paragraph(caption).Image(f, Path.GetFileNameWithoutExtension(f));
            }
        }
        if (modelLines is not null) doc.Heading("Model").Bullets(modelLines);
        var t = new ConsoleTable("step", "time");
        foreach (var (step, time) in timings) t.Row(step, ProgressReporter.Seconds(time));
        doc.Heading("Timings").Table(t);
        return doc;
    }
}

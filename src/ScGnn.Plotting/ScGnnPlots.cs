using System.Globalization;
using ScGnn.MLNet.Evaluation;
using ScottPlot;

namespace ScGnn.Plotting;

/// <summary>
/// The figures of an imputation report as PNG files (ScottPlot 5 on SkiaSharp): raw vs imputed t-SNE coloured by cell
/// type with the silhouette in each title (paper Figure 2), predicted vs true values on the masked entries with the
/// fitted line and Pearson r (the reference notebook's regplot), and training/validation loss per epoch. Every file is
/// written atomically (temporary file in the same folder, then moved over the target).
/// </summary>
public static class ScGnnPlots
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Width of the side-by-side t-SNE figure.</summary>
        public const int ComparisonWidth = 1600;

        /// <summary>Height of the side-by-side t-SNE figure.</summary>
        public const int ComparisonHeight = 700;

        /// <summary>Width and height of the predicted-vs-true figure.</summary>
        public const int ScatterSize = 800;

        /// <summary>Width of the loss figure.</summary>
        public const int LossWidth = 900;

        /// <summary>Height of the loss figure.</summary>
        public const int LossHeight = 550;

        /// <summary>Most points drawn in the predicted-vs-true scatter; more are subsampled (seeded).</summary>
        public const int MaxScatterPoints = 20_000;
    }

    /// <summary>
    /// Two t-SNE panels side by side (left: raw, right: imputed), points coloured by cell type with one shared legend,
    /// each title carrying its silhouette score (paper Figure 2).
    /// </summary>
    /// <param name="path">Target .png file; its folder is created if missing; an existing file is replaced.</param>
    /// <param name="rawEmbedding">Row-major n x 2 coordinates of the raw data (for example <c>TSneResult.Embedding</c>).</param>
    /// <param name="imputedEmbedding">Row-major n x 2 coordinates of the imputed data, same cells in the same order.</param>
    /// <param name="cellTypes">Cell type of each cell.</param>
    /// <param name="rawSilhouette">Silhouette to show for the raw panel; <c>null</c> computes it on the 2-D coordinates.</param>
    /// <param name="imputedSilhouette">Silhouette to show for the imputed panel; <c>null</c> computes it on the 2-D coordinates.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="rawTitle">Left panel title (before the silhouette).</param>
    /// <param name="imputedTitle">Right panel title (before the silhouette).</param>
    public static void SaveTsneComparison(string path, float[] rawEmbedding, float[] imputedEmbedding, IReadOnlyList<string> cellTypes,
        double? rawSilhouette = null, double? imputedSilhouette = null,
        int width = Defaults.ComparisonWidth, int height = Defaults.ComparisonHeight,
        string rawTitle = "Raw", string imputedTitle = "Imputed")
    {
        var full = PngFile.CheckTarget(path, width, height);
        ArgumentNullException.ThrowIfNull(rawEmbedding);
        ArgumentNullException.ThrowIfNull(imputedEmbedding);
        ArgumentNullException.ThrowIfNull(cellTypes);
        int n = cellTypes.Count;
        if (rawEmbedding.Length != 2 * n)
            throw new ArgumentException($"rawEmbedding has {rawEmbedding.Length} values; expected 2 x {n} cells.", nameof(rawEmbedding));
        if (imputedEmbedding.Length != 2 * n)
            throw new ArgumentException($"imputedEmbedding has {imputedEmbedding.Length} values; expected 2 x {n} cells.", nameof(imputedEmbedding));
        for (int i = 0; i < n; i++)
            if (cellTypes[i] is null) throw new ArgumentException($"Cell type {i} is null.", nameof(cellTypes));

        // Types in order of decreasing size (ties by name) so colours are stable and the big groups are drawn first.
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (!groups.TryGetValue(cellTypes[i], out var list)) groups[cellTypes[i]] = list = new List<int>();
            list.Add(i);
        }
        var types = groups.Keys.OrderByDescending(t => groups[t].Count).ThenBy(t => t, StringComparer.Ordinal).ToArray();
        var palette = types.Length <= 10 ? (IPalette)new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();

        double rawS = rawSilhouette ?? SilhouetteOf(rawEmbedding, cellTypes);
        double impS = imputedSilhouette ?? SilhouetteOf(imputedEmbedding, cellTypes);
        string source = rawSilhouette is null || imputedSilhouette is null ? " (2-D)" : "";
        float marker = n > 5000 ? 2.5f : n > 1000 ? 3.5f : 5f;

        using var left = EmbeddingPanel(rawEmbedding, groups, types, palette, marker, Title(rawTitle, rawS, source), legend: false);
        using var right = EmbeddingPanel(imputedEmbedding, groups, types, palette, marker, Title(imputedTitle, impS, source), legend: true);
        using var surface = PngFile.CreateSurface(width, height);
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        // The right panel also holds the legend, so it gets the legend's width on top of an equal share.
        int longestLabel = types.Max(t => t.Length + 3 + groups[t].Count.ToString(CultureInfo.InvariantCulture).Length);
        int legendWidth = Math.Min(width / 4, 40 + 9 * longestLabel);
        int plotWidth = (width - legendWidth) / 2;
        // Each panel renders on its own surface (a plot clears the whole canvas it is given), then both are composed.
        DrawPanel(surface.Canvas, left, 0, plotWidth, height);
        DrawPanel(surface.Canvas, right, plotWidth, width - plotWidth, height);
        PngFile.Write(surface, full);
    }

    /// <summary>
    /// Predicted vs true values over the masked entries: a scatter (at most <paramref name="maxPoints"/> points, a seeded
    /// uniform subsample beyond), the least-squares line of predicted on true, the identity line, and the Pearson r
    /// of all entries (not just those drawn) in the title.
    /// </summary>
    /// <param name="path">Target .png file; its folder is created if missing; an existing file is replaced.</param>
    /// <param name="predicted">Imputed values at the masked entries.</param>
    /// <param name="truth">True values at the same entries.</param>
    /// <param name="logScale">Draw <c>log10(1 + value)</c> on both axes (ticks labelled in original units); the line is then fitted on that scale.</param>
    /// <param name="maxPoints">Most points drawn.</param>
    /// <param name="seed">Seed of the subsample.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="title">Title before the statistics; default "Masked entries".</param>
    public static void SavePredictedVsTrue(string path, ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, bool logScale = false,
        int maxPoints = Defaults.MaxScatterPoints, int seed = 1,
        int width = Defaults.ScatterSize, int height = Defaults.ScatterSize, string title = "Masked entries")
    {
        var full = PngFile.CheckTarget(path, width, height);
        if (maxPoints < 2) throw new ArgumentOutOfRangeException(nameof(maxPoints), maxPoints, "maxPoints must be at least 2.");
        var metrics = ImputationMetrics.Compute(predicted, truth); // checks lengths and finiteness
        if (logScale)
            for (int i = 0; i < truth.Length; i++)
                if (predicted[i] <= -1 || truth[i] <= -1)
                    throw new ArgumentException($"Entry {i} is {Math.Min(predicted[i], truth[i])}; log scale needs values above -1.", nameof(predicted));
        int n = predicted.Length;
        var idx = Subsample(n, maxPoints, seed);
        var xs = new double[idx.Length];
        var ys = new double[idx.Length];
        for (int k = 0; k < idx.Length; k++)
        {
            xs[k] = Scale(truth[idx[k]], logScale);
            ys[k] = Scale(predicted[idx[k]], logScale);
        }

        using var plot = new Plot();
        var pts = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, idx.Length > 5000 ? 2.5f : 4f, new Color(31, 119, 180, 90));
        pts.LegendText = idx.Length < n ? $"entries ({idx.Length:N0} of {n:N0} drawn)" : "entries";

        double lo = 0, hi = 1;
        if (xs.Length > 0)
        {
            lo = Math.Min(xs.Min(), ys.Min());
            hi = Math.Max(xs.Max(), ys.Max());
            if (hi <= lo) hi = lo + 1;
        }
        var identity = plot.Add.Line(lo, lo, hi, hi);
        identity.LineColor = Colors.Gray;
        identity.LinePattern = LinePattern.Dashed;
        identity.LineWidth = 1.5f;
        identity.LegendText = "y = x";
        if (FitLine(predicted, truth, logScale) is var (slope, intercept) && double.IsFinite(slope))
        {
            double xLo = xs.Length > 0 ? xs.Min() : 0, xHi = xs.Length > 0 ? xs.Max() : 1;
            var fit = plot.Add.Line(xLo, intercept + slope * xLo, xHi, intercept + slope * xHi);
            fit.LineColor = new Color(214, 39, 40);
            fit.LineWidth = 2.5f;
            fit.LegendText = string.Create(CultureInfo.InvariantCulture,
                $"least squares{(logScale ? " on log10(1 + v)" : "")}: y = {slope:G3} x {(intercept < 0 ? "-" : "+")} {Math.Abs(intercept):G3}");
        }
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"{title}: Pearson r = {metrics.PearsonR:F3}, MSE = {metrics.Mse:G4}, n = {n:N0}"), 15);
        plot.XLabel(logScale ? "true value (log scale)" : "true value");
        plot.YLabel(logScale ? "imputed value (log scale)" : "imputed value");
        if (logScale)
        {
            plot.Axes.Bottom.TickGenerator = LogTicks(lo, hi, 1);
            plot.Axes.Left.TickGenerator = LogTicks(lo, hi, 1);
        }
        plot.Axes.SetLimits(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo), lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo));
        plot.ShowLegend(Alignment.UpperLeft);
        Save(plot, full, width, height);
    }

    /// <summary>
    /// Training (and validation) loss per epoch as lines, with a dashed line at the epoch kept: <paramref name="keptEpoch"/>
    /// when given (the imputer's <c>BestEpoch</c>, 0 = the starting weights), else the epoch with the lowest validation
    /// loss. Non-finite values are left out.
    /// </summary>
    /// <remarks>
    /// The losses are those of <c>ScGnnImputationTransformer.TrainingHistory</c>: entry i is measured on the weights
    /// entering epoch i + 1, that is after i epochs, and is drawn at x = i. So the starting weights are at 0, and
    /// the kept epoch's line passes through the point of the weights kept (with the library default's shrinkage toward
    /// the start, through that epoch's unshrunk point, at or above the kept weights' validation loss).
    /// </remarks>
    /// <param name="path">Target .png file; its folder is created if missing; an existing file is replaced.</param>
    /// <param name="trainingLoss">Loss of each epoch's step, entry i measured on the weights after i epochs (the start first).</param>
    /// <param name="validationLoss">Validation loss of the same weights, entry for entry, or <c>null</c>.</param>
    /// <param name="logScale">Logarithmic loss axis (losses must be positive).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    /// <param name="title">Figure title.</param>
    /// <param name="keptEpoch">The epochs behind the weights kept (0, the start, to the epoch count, the last step's weights,
    /// which were never scored), or null for the lowest validation loss.</param>
    /// <param name="selectionLoss">The loss the kept epoch was chosen by, entry for entry (<c>ScGnnEpochProgress.SelectionLoss</c>:
    /// with the library default, each epoch's change of the start shrunk by its cross-fitted fraction), drawn as a third
    /// line that the kept epoch's mark reads; or <c>null</c> when the epochs were chosen by <paramref name="validationLoss"/>.</param>
    public static void SaveLossCurves(string path, IReadOnlyList<double> trainingLoss, IReadOnlyList<double>? validationLoss = null,
        bool logScale = false, int width = Defaults.LossWidth, int height = Defaults.LossHeight, string title = "Loss per epoch",
        int? keptEpoch = null, IReadOnlyList<double>? selectionLoss = null)
    {
        var full = PngFile.CheckTarget(path, width, height);
        ArgumentNullException.ThrowIfNull(trainingLoss);
        if (trainingLoss.Count == 0) throw new ArgumentException("No epochs.", nameof(trainingLoss));
        if (keptEpoch is int k && (k < 0 || k > trainingLoss.Count))
            throw new ArgumentOutOfRangeException(nameof(keptEpoch), k, $"The kept epoch must be 0 to {trainingLoss.Count}.");

        using var plot = new Plot();
        var (tx, ty) = Series(trainingLoss, logScale, nameof(trainingLoss));
        var train = plot.Add.ScatterLine(tx, ty, new Color(31, 119, 180));
        train.LineWidth = 2;
        train.LegendText = "training";
        string subtitle = "";
        if (validationLoss is not null && validationLoss.Count > 0)
        {
            var (vx, vy) = Series(validationLoss, logScale, nameof(validationLoss));
            var valid = plot.Add.ScatterLine(vx, vy, new Color(255, 127, 14));
            valid.LineWidth = 2;
            valid.LegendText = "validation";
            if (selectionLoss is not null)
            {
                if (selectionLoss.Count != validationLoss.Count)
                    throw new ArgumentException($"{selectionLoss.Count} selection losses for {validationLoss.Count} validation losses.", nameof(selectionLoss));
                var (sx, sy) = Series(selectionLoss, logScale, nameof(selectionLoss));
                var shrunk = plot.Add.ScatterLine(sx, sy, new Color(44, 160, 44));
                shrunk.LineWidth = 2;
                shrunk.LegendText = "validation, change of the start shrunk (the epoch rule)";
            }
            if (KeptMark(selectionLoss ?? validationLoss, keptEpoch, selectionLoss is null ? "validation" : "shrunk validation") is { } mark)
            {
                var line = plot.Add.VerticalLine(mark.X, 1.5f, Colors.Gray, LinePattern.Dashed);
                line.LegendText = mark.Legend;
                subtitle = mark.Subtitle;
            }
        }
        plot.Title(title + subtitle, 15);
        plot.XLabel("epochs trained (0 = the starting weights)");
        plot.YLabel(logScale ? "loss (log scale)" : "loss");
        if (logScale)
        {
            double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
            var others = new[] { validationLoss, selectionLoss }.Where(l => l is not null && l.Count > 0).SelectMany(l => Series(l!, true, nameof(validationLoss)).Y);
            foreach (var v in ty.Concat(others))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
            plot.Axes.Left.TickGenerator = LogTicks(lo, hi, 0);
        }
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, full, width, height);
    }

    private static Plot EmbeddingPanel(float[] xy, Dictionary<string, List<int>> groups, string[] types, IPalette palette,
        float markerSize, string title, bool legend)
    {
        var plot = new Plot();
        for (int t = 0; t < types.Length; t++)
        {
            var members = groups[types[t]];
            var xs = new double[members.Count];
            var ys = new double[members.Count];
            for (int k = 0; k < members.Count; k++)
            {
                xs[k] = xy[2 * members[k]];
                ys[k] = xy[2 * members[k] + 1];
            }
            var color = palette.GetColor(t);
            var m = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, markerSize, color.WithAlpha(200));
            if (legend)
            {
                // A bigger symbol in the legend than on the map, so the colours can be told apart.
                m.LegendText = "";
                plot.Legend.ManualItems.Add(new LegendItem
                {
                    LabelText = $"{types[t]} ({members.Count})",
                    MarkerShape = MarkerShape.FilledCircle,
                    MarkerSize = 10,
                    MarkerFillColor = color,
                    MarkerLineColor = color,
                });
            }
        }
        plot.Title(title, 16);
        plot.XLabel("t-SNE 1");
        plot.YLabel("t-SNE 2");
        plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
        plot.Axes.Left.TickLabelStyle.IsVisible = false;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.HideGrid();
        if (legend) plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void DrawPanel(SkiaSharp.SKCanvas target, Plot plot, int left, int width, int height)
    {
        using var panel = PngFile.CreateSurface(width, height);
        plot.Render(panel.Canvas, new PixelRect(0, width, height, 0));
        using var image = panel.Snapshot();
        target.DrawImage(image, left, 0);
    }

    private static string Title(string name, double silhouette, string source) => string.Create(CultureInfo.InvariantCulture,
        $"{name}: silhouette{source} = {silhouette:F3}");

    private static double SilhouetteOf(float[] xy, IReadOnlyList<string> labels)
    {
        int distinct = labels.Distinct(StringComparer.Ordinal).Count();
        if (distinct < 2 || distinct > labels.Count - 1) return double.NaN;
        return ClusteringScores.Silhouette(xy, 2, labels).Score;
    }

    private static double Scale(float v, bool log) => log ? Math.Log10(1.0 + v) : v;

    /// <summary>Least squares of predicted on true (on the drawn scale), over all entries, double sums.</summary>
    private static (double Slope, double Intercept) FitLine(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, bool log)
    {
        int n = truth.Length;
        if (n < 2) return (double.NaN, double.NaN);
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += Scale(truth[i], log); my += Scale(predicted[i], log); }
        mx /= n; my /= n;
        double sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = Scale(truth[i], log) - mx;
            sxx += dx * dx;
            sxy += dx * (Scale(predicted[i], log) - my);
        }
        if (!(sxx > 0)) return (double.NaN, double.NaN);
        double slope = sxy / sxx;
        return (slope, my - slope * mx);
    }

    /// <summary>Sorted indices of a seeded uniform sample of <paramref name="max"/> of <paramref name="n"/> (all when n ≤ max).</summary>
    internal static int[] Subsample(int n, int max, int seed)
    {
        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        if (n <= max) return all;
        var rng = new Random(seed);
        for (int i = 0; i < max; i++)
        {
            int j = rng.Next(i, n);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var picked = all.AsSpan(0, max).ToArray();
        Array.Sort(picked);
        return picked;
    }

    /// <summary>
    /// Ticks for an axis drawn as <c>log10(v + offset)</c> (offset 1 for the log1p scatter, 0 for losses), labelled in
    /// original units: 1, 2, 5 x 10^k over short ranges, 1 x 10^k over long ones, 1-9 x 10^k within one decade.
    /// </summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double lo, double hi, double offset)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double span = hi - lo;
        double[] mantissas = span > 3 ? new[] { 1.0 } : span > 0.7 ? new[] { 1.0, 2, 5 } : new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9 };
        var values = new List<double>();
        if (offset > 0) values.Add(0);
        int dLo = (int)Math.Floor(Math.Min(lo, hi)) - 1, dHi = (int)Math.Ceiling(hi) + 1;
        for (int d = dLo; d <= dHi; d++)
            foreach (double m in mantissas) values.Add(m * Math.Pow(10, d));
        double pad = 0.03 * Math.Max(span, 1e-9);
        foreach (double v in values)
        {
            double pos = Math.Log10(v + offset);
            if (double.IsNaN(pos) || pos < lo - pad || pos > hi + pad) continue;
            ticks.AddMajor(pos, v.ToString("G4", CultureInfo.InvariantCulture));
        }
        return ticks;
    }

    /// <summary>
    /// Where the loss plot's dashed line goes, its legend and the title's addition: at <paramref name="keptEpoch"/> with
    /// that entry's loss (entry i = the weights after i epochs), or at the lowest loss; null when there is neither.
    /// </summary>
    internal static (int X, string Legend, string Subtitle)? KeptMark(IReadOnlyList<double> validationLoss, int? keptEpoch, string lossName = "validation")
    {
        var inv = CultureInfo.InvariantCulture;
        if (keptEpoch is int kept)
        {
            string legend = kept == 0 ? "kept: the starting weights" : string.Create(inv, $"kept: epoch {kept}");
            string what = kept == 0 ? "kept: the starting weights" : string.Create(inv, $"kept epoch {kept}");
            return kept < validationLoss.Count && double.IsFinite(validationLoss[kept])
                ? (kept, legend, string.Create(inv, $" ({what}, {lossName} {validationLoss[kept]:G4})"))
                : (kept, legend, $" ({what})");
        }
        int best = -1;
        for (int e = 0; e < validationLoss.Count; e++)
            if (double.IsFinite(validationLoss[e]) && (best < 0 || validationLoss[e] < validationLoss[best])) best = e;
        return best < 0 ? null
            : (best, string.Create(inv, $"best {lossName}: epoch {best}"), string.Create(inv, $" (best {lossName} {validationLoss[best]:G4} at epoch {best})"));
    }

    private static (double[] X, double[] Y) Series(IReadOnlyList<double> values, bool log, string name)
    {
        var xs = new List<double>(values.Count);
        var ys = new List<double>(values.Count);
        for (int e = 0; e < values.Count; e++)
        {
            double v = values[e];
            if (!double.IsFinite(v)) continue;
            if (log && v <= 0) throw new ArgumentException($"{name}[{e}] is {v}; a log scale needs positive losses.", name);
            xs.Add(e);
            ys.Add(log ? Math.Log10(v) : v);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    private static void Save(Plot plot, string fullPath, int width, int height)
    {
        using var surface = PngFile.CreateSurface(width, height);
        plot.Render(surface.Canvas, new PixelRect(0, width, height, 0));
        PngFile.Write(surface, fullPath);
    }
}

using System.Buffers.Binary;
using ScGnn.MLNet.Embedding;
using ScGnn.MLNet.Tests.Evaluation;
using ScGnn.Plotting;

namespace ScGnn.MLNet.Tests.Plotting;

public sealed class ScGnnPlotsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "scgnn-plots-" + Guid.NewGuid().ToString("N"));

    public ScGnnPlotsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        // SCGNN_KEEP_PLOTS=1 keeps the PNGs for looking at them.
        if (Environment.GetEnvironmentVariable("SCGNN_KEEP_PLOTS") != "1") Directory.Delete(_dir, recursive: true);
        else Console.WriteLine("plots kept in " + _dir);
    }

    /// <summary>Checks the PNG signature and reads width and height from the IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, "file too short for a PNG");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private void AssertNoTempFiles() => Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

    [Fact]
    public void Tsne_comparison_is_a_png_of_the_requested_size()
    {
        var (x, labels) = ClusteringScoresTests.Blobs(n: 300, dims: 6, clusters: 3, spread: 1f, seed: 1);
        var (noisy, _) = ClusteringScoresTests.Blobs(n: 300, dims: 6, clusters: 3, spread: 4f, seed: 1);
        var options = new TSneOptions { Perplexity = 20, Iterations = 300 };
        var raw = new TSne(options).Fit(noisy, 6);
        var imputed = new TSne(options).Fit(x, 6);
        var types = labels.Select(l => l switch { 0 => "neuron", 1 => "astrocyte", _ => "oligodendrocyte" }).ToArray();
        var path = Path.Combine(_dir, "sub", "tsne.png");
        ScGnnPlots.SaveTsneComparison(path, raw.Embedding, imputed.Embedding, types, width: 1200, height: 500);
        Assert.Equal((1200, 500), PngSize(path));
        // Replacing an existing file works and leaves no temporary file behind.
        ScGnnPlots.SaveTsneComparison(path, raw.Embedding, imputed.Embedding, types, 0.157, 0.334, width: 1000, height: 450);
        Assert.Equal((1000, 450), PngSize(path));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "sub"), "*.tmp"));
        Assert.Throws<ArgumentException>(() => ScGnnPlots.SaveTsneComparison(path, raw.Embedding, imputed.Embedding, types.Take(10).ToArray()));
    }

    [Fact]
    public void Predicted_vs_true_is_a_png_of_the_requested_size_linear_and_log()
    {
        var rng = new Random(3);
        int n = 30_000; // more than drawn: exercises the subsample
        var truth = new float[n];
        var pred = new float[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = (float)Math.Exp(rng.NextDouble() * 5);
            pred[i] = Math.Max(0, truth[i] * (float)(0.6 + 0.5 * rng.NextDouble()) + (float)rng.NextDouble() * 3);
        }
        var linear = Path.Combine(_dir, "pred_vs_true.png");
        var log = Path.Combine(_dir, "pred_vs_true_log.png");
        ScGnnPlots.SavePredictedVsTrue(linear, pred, truth, width: 700, height: 640);
        ScGnnPlots.SavePredictedVsTrue(log, pred, truth, logScale: true, width: 640, height: 700);
        Assert.Equal((700, 640), PngSize(linear));
        Assert.Equal((640, 700), PngSize(log));
        AssertNoTempFiles();
        Assert.Throws<ArgumentException>(() => ScGnnPlots.SavePredictedVsTrue(linear, pred, truth.AsSpan(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScGnnPlots.SavePredictedVsTrue(linear, pred, truth, width: 10));
    }

    [Fact]
    public void Subsample_is_seeded_sorted_and_complete_when_small()
    {
        Assert.Equal(new[] { 0, 1, 2 }, ScGnnPlots.Subsample(3, 5, 1));
        var a = ScGnnPlots.Subsample(1000, 50, 7);
        Assert.Equal(a, ScGnnPlots.Subsample(1000, 50, 7));
        Assert.Equal(50, a.Distinct().Count());
        Assert.Equal(a.OrderBy(v => v), a);
    }

    [Fact]
    public void Loss_curves_are_a_png_of_the_requested_size()
    {
        var train = Enumerable.Range(0, 200).Select(e => 100 * Math.Exp(-e / 30.0) + 10).ToArray();
        var valid = Enumerable.Range(0, 200).Select(e => 100 * Math.Exp(-e / 30.0) + 12 + 0.0004 * (e - 120) * (e - 120)).ToArray();
        valid[5] = double.NaN; // skipped, not fatal
        var path = Path.Combine(_dir, "loss.png");
        ScGnnPlots.SaveLossCurves(path, train, valid, width: 900, height: 500);
        Assert.Equal((900, 500), PngSize(path));
        var logPath = Path.Combine(_dir, "loss_log.png");
        ScGnnPlots.SaveLossCurves(logPath, train, valid, logScale: true, width: 800, height: 480);
        Assert.Equal((800, 480), PngSize(logPath));
        ScGnnPlots.SaveLossCurves(Path.Combine(_dir, "train_only.png"), train);
        AssertNoTempFiles();
        Assert.Throws<ArgumentException>(() => ScGnnPlots.SaveLossCurves(path, Array.Empty<double>()));
        ScGnnPlots.SaveLossCurves(Path.Combine(_dir, "kept.png"), train, valid, keptEpoch: 0);
        Assert.True(new FileInfo(Path.Combine(_dir, "kept.png")).Length > 1000);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScGnnPlots.SaveLossCurves(path, train, valid, keptEpoch: train.Length + 1));
        Assert.Throws<ArgumentException>(() => ScGnnPlots.SaveLossCurves(path, new[] { 1.0, -1.0 }, logScale: true));
        // The loss the epochs were chosen by, as a third line, entry for entry with the validation loss.
        var shrunk = valid.Select(v => v - 1).ToArray();
        ScGnnPlots.SaveLossCurves(Path.Combine(_dir, "shrunk.png"), train, valid, logScale: true, keptEpoch: 3, selectionLoss: shrunk);
        Assert.True(new FileInfo(Path.Combine(_dir, "shrunk.png")).Length > 1000);
        Assert.Throws<ArgumentException>(() => ScGnnPlots.SaveLossCurves(path, train, valid, selectionLoss: shrunk[..10]));
    }

    [Fact]
    public void The_kept_line_marks_the_entry_of_the_weights_kept()
    {
        // Entry i holds the losses of the weights after i epochs: entry 0 is the start.
        double[] valid = [5, 4, 3, double.NaN, 3.5];
        Assert.Equal((0, "kept: the starting weights", " (kept: the starting weights, validation 5)"), ScGnnPlots.KeptMark(valid, 0));
        Assert.Equal((2, "kept: epoch 2", " (kept epoch 2, validation 3)"), ScGnnPlots.KeptMark(valid, 2));
        Assert.Equal((3, "kept: epoch 3", " (kept epoch 3)"), ScGnnPlots.KeptMark(valid, 3));
        // The last step's weights (kept without validation) were never scored.
        Assert.Equal((5, "kept: epoch 5", " (kept epoch 5)"), ScGnnPlots.KeptMark(valid, 5));
        Assert.Equal((2, "best validation: epoch 2", " (best validation 3 at epoch 2)"), ScGnnPlots.KeptMark(valid, null));
        Assert.Null(ScGnnPlots.KeptMark([double.NaN], null));
        // Marked on the loss the epochs were chosen by when the plot names it.
        Assert.Equal((2, "kept: epoch 2", " (kept epoch 2, shrunk validation 3)"), ScGnnPlots.KeptMark(valid, 2, "shrunk validation"));
    }
}

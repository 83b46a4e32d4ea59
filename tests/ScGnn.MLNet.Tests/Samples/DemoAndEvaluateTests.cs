using System.Text.Json;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>The main job, the report and the evaluation protocol, run with few epochs.</summary>
[Collection(TorchCollection.Name)]
public sealed class DemoAndEvaluateTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Demo_writes_report_figures_and_a_model_that_reloads_identically()
    {
        var run = ScgnnApp.Run(_dir.Path, "--out", "report", "--epochs", "5");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("identical output", run.Stdout);
        Assert.Contains("masked entries", run.Stdout);
        Assert.Contains("dropout zeros vs true counts", run.Stdout);
        Assert.Contains("silhouette", run.Stdout);
        Assert.EndsWith(_dir.File("report"), run.Stdout.TrimEnd());
        foreach (var (file, width, height) in new[] { ("tsne.png", 1600, 700), ("predicted-vs-true.png", 800, 800), ("loss.png", 900, 550) })
            AssertPng(_dir.File(Path.Combine("report", file)), width, height);
        var md = File.ReadAllText(_dir.File("report/report.md"));
        Assert.Contains("![tsne](tsne.png)", md);
        Assert.Contains("| ScGnn |", md);
        Assert.True(new FileInfo(_dir.File("report/model.zip")).Length > 1000);
        // The model for other data leaves the evaluation mask out.
        var model = new Microsoft.ML.MLContext(1).Model.Load(_dir.File("report/model.zip"), out _);
        var steps = ((IEnumerable<Microsoft.ML.ITransformer>)model).Select(t => t.GetType().Name).ToArray();
        Assert.Equal(new[] { "VariableGeneSelectingTransformer", "LibrarySizeNormalizingTransformer", "ScGnnImputationTransformer" }, steps);
        Assert.Contains("evaluation mask (`SimulateDropout`) is left out", md);
        // One kept epoch everywhere (issue 12 item 3): report.md, the console and the plot use the imputer's BestEpoch.
        var imputer = ((IEnumerable<Microsoft.ML.ITransformer>)model).OfType<ScGnn.MLNet.Imputation.ScGnnImputationTransformer>().Single();
        int kept = imputer.BestEpoch;
        // With a trained epoch shrunk toward the start, the fraction kept follows it.
        string fraction = kept > 0 && imputer.KeptFraction < 1
            ? $", its change of the start kept at {imputer.KeptFraction.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}" : "";
        Assert.Contains($"epoch kept: {kept}{fraction}.", md);
        Assert.Contains($"epoch kept {kept}", run.Stdout);
        Assert.Contains("marks the epoch kept (the imputer's `BestEpoch`", md);
        Assert.Equal(new[] { "report" }, _dir.Entries());
        Assert.Empty(Directory.GetFiles(_dir.File("report"), "*.tmp"));
    }

    [Fact]
    public void Evaluate_prints_a_table_and_writes_json()
    {
        var input = SampleData.Write(_dir.Path, "cells.csv", out var labels);
        var run = ScgnnApp.Run(_dir.Path, "evaluate", "--input", input, "--labels", labels, "--folds", "2", "--epochs", "4", "--json", "eval.json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("mean ± sd", run.Stdout);
        Assert.Contains("clustering (KMeans k = 3", run.Stdout);
        using var json = JsonDocument.Parse(File.ReadAllBytes(_dir.File("eval.json")));
        var root = json.RootElement;
        Assert.Equal(120, root.GetProperty("cells").GetInt32());
        var folds = root.GetProperty("folds");
        Assert.Equal(2, folds.GetArrayLength());
        Assert.Equal(1, folds[0].GetProperty("seed").GetInt32());
        Assert.Equal(2, folds[1].GetProperty("seed").GetInt32());
        double mse0 = folds[0].GetProperty("unseen").GetProperty("mse").GetDouble();
        double mse1 = folds[1].GetProperty("unseen").GetProperty("mse").GetDouble();
        Assert.Equal((mse0 + mse1) / 2, root.GetProperty("summary").GetProperty("mse").GetProperty("mean").GetDouble(), 9);
        Assert.Equal("test-cell-masked-entries", root.GetProperty("scored").GetString());
        Assert.True(folds[0].GetProperty("seen").GetProperty("count").GetInt64() > folds[0].GetProperty("unseen").GetProperty("count").GetInt64());
        var clustering = root.GetProperty("clustering");
        Assert.Equal(3, clustering.GetArrayLength());
        Assert.Equal("ScGnn imputed", clustering[1].GetProperty("data").GetString());
        Assert.Equal("ScGnn smoothed (for clustering)", clustering[2].GetProperty("data").GetString());
        Assert.InRange(clustering[2].GetProperty("normalizedMutualInformation").GetProperty("mean").GetDouble(), 0, 1);
        // The library's clustering evaluation: KMeans seeds 1-5, whatever the folds.
        Assert.Equal(5, clustering[1].GetProperty("adjustedRandIndex").GetProperty("runs").GetInt32());
        Assert.StartsWith("KMeans (k = 3", clustering[1].GetProperty("method").GetString());
        Assert.InRange(clustering[1].GetProperty("adjustedRandIndex").GetProperty("mean").GetDouble(), -1, 1);
    }

    [Fact]
    public void Impute_and_evaluate_report_the_same_clustering()
    {
        // Issue 12 item 7: one clustering evaluation (the library's ClusteringEvaluator) for every command.
        var input = SampleData.Write(_dir.Path, "cells.csv", out var labels);
        var impute = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "out.csv", "--labels", labels, "--epochs", "4", "--seed", "2");
        Assert.True(impute.ExitCode == 0, impute.ToString());
        var evaluate = ScgnnApp.Run(_dir.Path, "evaluate", "--input", input, "--labels", labels, "--folds", "2", "--epochs", "4", "--seed", "2");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        foreach (var row in new[] { "raw (normalized)", "ScGnn imputed" })
        {
            string Line(AppRun run) => run.Stdout.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(row + " ", StringComparison.Ordinal));
            Assert.Equal(Line(impute), Line(evaluate));
            Assert.Contains("±", Line(impute));
        }
        Assert.Contains("KMeans (k = 3, best inertia of 10 k-means++ initialisations, seeds 1-5)", impute.Stdout);
        Assert.Contains("KMeans (k = 3, best inertia of 10 k-means++ initialisations, seeds 1-5)", evaluate.Stdout);
    }

    [Fact]
    public void Evaluate_help_promises_only_what_it_prints()
    {
        var run = ScgnnApp.Run(_dir.Path, "evaluate", "--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("MSE / Pearson r", run.Stdout);
        Assert.DoesNotContain("leave zeros", run.Stdout);
    }

    [Fact]
    public void Evaluate_can_score_every_masked_entry()
    {
        var input = SampleData.Write(_dir.Path, "cells.csv", out _);
        var run = ScgnnApp.Run(_dir.Path, "evaluate", "--input", input, "--folds", "1", "--epochs", "3", "--score-all-masked", "--json", "eval.json");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(File.ReadAllBytes(_dir.File("eval.json")));
        var fold = json.RootElement.GetProperty("folds")[0];
        Assert.False(fold.TryGetProperty("seen", out _));
        Assert.True(fold.GetProperty("unseen").GetProperty("count").GetInt64() > 100);
        Assert.False(json.RootElement.TryGetProperty("clustering", out _));
    }

    [Fact]
    public void Report_needs_labels_and_writes_the_figures()
    {
        var input = SampleData.Write(_dir.Path, "cells.csv", out var labels);
        var run = ScgnnApp.Run(_dir.Path, "report", "--input", input, "--labels", labels, "--out", "out", "--epochs", "4");
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var file in new[] { "tsne.png", "predicted-vs-true.png", "loss.png", "report.md" })
            Assert.True(File.Exists(_dir.File(Path.Combine("out", file))), file);
    }

    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        int w = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
        int h = (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23];
        Assert.Equal((width, height), (w, h));
    }
}

using Microsoft.ML;
using ScGnn.MLNet.Imputation;
using System.Globalization;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Tests.Data;
using ScGnn.MLNet.Tests.Persistence;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>
/// <c>scgnn impute --model</c> then <c>scgnn apply</c> in separate processes: the same input gives a byte-identical
/// file; damaged models give one line and no output.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class ImputeApplyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("counts.csv", "imputed.csv", false)]
    [InlineData("counts.tsv", "imputed.parquet", false)]
    [InlineData("tenx", "imputed-tenx", true)]
    public void Apply_writes_exactly_what_impute_wrote(string inputName, string outputName, bool preprocessedInput)
    {
        var input = SampleData.Write(_dir.Path, inputName, out _);
        var extra = preprocessedInput ? new[] { "--no-filter", "--no-normalize" } : Array.Empty<string>();
        var impute = ScgnnApp.Run(_dir.Path, new[] { "impute", "--input", input, "--output", outputName, "--model", "model.zip", "--epochs", "8", "--seed", "5" }
            .Concat(extra).ToArray());
        Assert.True(impute.ExitCode == 0, impute.ToString());
        Assert.Equal("", impute.Stderr);
        // Redirected output: progress as plain lines, never carriage returns.
        Assert.DoesNotContain('\r', impute.Stdout);
        Assert.Contains("Training ScGnn", impute.Stdout);

        var apply = ScgnnApp.Run(_dir.Path, "apply", "--model", "model.zip", "--input", input, "--output", "applied-" + outputName);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        foreach (var file in Files(_dir.File(outputName)))
        {
            var relative = Path.GetRelativePath(_dir.File(outputName), file);
            var twin = Directory.Exists(_dir.File(outputName)) ? Path.Combine(_dir.File("applied-" + outputName), relative) : _dir.File("applied-" + outputName);
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(twin));
        }

        // The imputed matrix: same cells, observed values kept, zeros filled with non-negative predictions.
        var observed = ExpressionFile.Read(input);
        var imputed = ExpressionFile.Read(_dir.File(outputName));
        Assert.Equal(observed.CellIds, imputed.CellIds);
        if (preprocessedInput)
        {
            Assert.Equal(observed.GeneIds, imputed.GeneIds);
            var before = observed.ToDense();
            var after = imputed.ToDense();
            for (int i = 0; i < before.Length; i++)
                if (before[i] != 0) Assert.Equal(before[i], after[i]);
            Assert.True(after.Count(v => v != 0) > before.Count(v => v != 0));
            Assert.All(after, v => Assert.True(v >= 0));
        }
        else
        {
            Assert.InRange(imputed.GeneCount, 10, observed.GeneCount - 1);
        }
    }

    [Fact]
    public void Csv_output_has_the_documented_layout()
    {
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "out.csv", "--epochs", "3");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(_dir.File("out.csv"));
        var header = lines[0].Split(',');
        Assert.Equal("cell", header[0]);
        Assert.Equal(121, lines.Length);
        var first = lines[1].Split(',');
        Assert.Equal("Cell1", first[0]);
        Assert.Equal(header.Length, first.Length);
        foreach (var field in first.Skip(1))
            Assert.True(float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0, field);
    }

    [Fact]
    public void Smoothed_output_says_what_it_holds_and_keeps_the_layout()
    {
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "smoothed.csv", "--epochs", "3", "--smoothed");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("smoothed over ScGnn's cell graph", run.Stdout);
        Assert.Contains("no network fitted", run.Stdout);
        Assert.DoesNotContain("Training ScGnn", run.Stdout);
        // Each cross-validated k reaches the open step (an indented line when redirected) with the time left.
        var perK = run.Stdout.Split('\n').Where(l => l.StartsWith("    smoothing cross-validated k = ", StringComparison.Ordinal)).ToArray();
        Assert.True(perK.Length >= 2, run.ToString());
        Assert.All(perK, l => Assert.Contains("s left to cross-validate", l));
        // The saved model holds the smoothing settings: apply gives the same file, and the evaluator's smoothed row
        // (from a trained model's WithOutputMode) is the same output.
        var saved = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "smoothed-m.csv", "--epochs", "3", "--smoothed", "--model", "smoothed.zip");
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.File("smoothed.csv")), File.ReadAllBytes(_dir.File("smoothed-m.csv")));
        var applied = ScgnnApp.Run(_dir.Path, "apply", "--model", "smoothed.zip", "--input", input, "--output", "smoothed-a.csv");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.File("smoothed.csv")), File.ReadAllBytes(_dir.File("smoothed-a.csv")));
        var plain = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "plain.csv", "--epochs", "3");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Contains("zeros filled by ScGnn, observed values kept", plain.Stdout);
        var a = File.ReadAllLines(_dir.File("smoothed.csv"));
        var b = File.ReadAllLines(_dir.File("plain.csv"));
        Assert.Equal(b.Length, a.Length);
        Assert.Equal(b[0], a[0]);
        foreach (var line in a.Skip(1))
            foreach (var field in line.Split(',').Skip(1))
                Assert.True(float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && float.IsFinite(v), field);
    }

    [Fact]
    public void Bad_model_files_give_one_line_and_write_nothing()
    {
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var fit = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "imputed.csv", "--model", "model.zip", "--epochs", "3");
        Assert.True(fit.ExitCode == 0, fit.ToString());
        var zip = File.ReadAllBytes(_dir.File("model.zip"));

        File.WriteAllBytes(_dir.File("truncated.zip"), zip.AsSpan(0, zip.Length / 2).ToArray());
        File.WriteAllText(_dir.File("text.zip"), "this is not a model\n");
        string entry = ModelFiles.FindEntry(zip, "ScGnnImputation");
        File.WriteAllBytes(_dir.File("tampered.zip"), ModelFiles.EditEntry(zip, entry, bytes =>
        {
            bytes[ModelFiles.ModelBlockStart(bytes) + 64] ^= 0x5A;
            return bytes;
        }));
        File.WriteAllBytes(_dir.File("future.zip"), ModelFiles.EditEntry(zip, entry, bytes =>
        {
            BitConverter.GetBytes(0x00990001u).CopyTo(bytes, ModelFiles.ModelVerWrittenOffset);
            BitConverter.GetBytes(0x00990001u).CopyTo(bytes, ModelFiles.ModelVerReadableOffset);
            return bytes;
        }));

        var expected = new Dictionary<string, string>
        {
            ["truncated.zip"] = "zip",
            ["text.zip"] = "zip",
            ["tampered.zip"] = "SCGNN imputation",
            ["future.zip"] = "00990001",
            ["missing.zip"] = "no such model file",
        };
        var before = _dir.Entries().OrderBy(e => e).ToArray();
        foreach (var (model, mention) in expected)
        {
            var run = ScgnnApp.Run(_dir.Path, "apply", "--model", model, "--input", input, "--output", "out-" + model + ".csv");
            var line = ScgnnApp.AssertOneLineError(run, 1);
            Assert.Contains(mention, line, StringComparison.OrdinalIgnoreCase);
            if (model != "missing.zip") Assert.Contains(model, line);
        }
        // No output and no temporary files left behind.
        Assert.Equal(before, _dir.Entries().OrderBy(e => e).ToArray());
    }

    [Fact]
    public void Apply_on_cells_with_other_genes_names_the_difference()
    {
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var fit = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "imputed.csv", "--model", "model.zip", "--epochs", "3",
            "--no-filter", "--no-normalize");
        Assert.True(fit.ExitCode == 0, fit.ToString());
        var other = ExpressionFile.Read(input);
        var renamed = new ExpressionMatrix(other.CellIds, other.GeneIds.Select((g, j) => j == 0 ? "NotAGene" : g).ToArray(),
            other.RowPointers.ToArray(), other.ColumnIndices.ToArray(), other.Values.ToArray());
        ExpressionFile.Write(renamed, _dir.File("other.csv"));
        var run = ScgnnApp.Run(_dir.Path, "apply", "--model", "model.zip", "--input", "other.csv", "--output", "out.csv");
        var line = ScgnnApp.AssertOneLineError(run, 1);
        Assert.Contains("NotAGene", line);
        Assert.False(File.Exists(_dir.File("out.csv")));
    }

    [Fact]
    public void Apply_warns_loudly_when_the_model_masks_observed_values()
    {
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var ml = new MLContext(seed: 1);
        var data = ExpressionFile.Read(input).ToDataView();
        var model = ml.Transforms.SelectVariableGenes()
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Append(ml.Transforms.SimulateDropout(maskRate: 0.2, seed: 3))
            .Append(ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 2, Seed = 1 }))
            .Fit(data);
        ml.Model.Save(model, data.Schema, _dir.File("masked.zip"));

        var run = ScgnnApp.Run(_dir.Path, "apply", "--model", "masked.zip", "--input", input, "--output", "out.csv");
        Assert.True(run.ExitCode == 0, run.ToString());
        var warning = Assert.Single(run.StderrLines);
        Assert.StartsWith("warning: ", warning);
        Assert.Contains("SimulateDropout", warning);
        Assert.Contains("rate 0.2", warning);
    }

    [Fact]
    public void Library_warnings_and_stages_reach_the_user()
    {
        // Issue 12 items 11 and 12: the library's stages (ML.NET log) are progress steps; its warnings are warning: lines.
        var input = SampleData.Write(_dir.Path, "counts.csv", out _);
        var fit = ScgnnApp.Run(_dir.Path, "impute", "--input", input, "--output", "imputed.csv", "--model", "model.zip", "--epochs", "2");
        Assert.True(fit.ExitCode == 0, fit.ToString());
        Assert.Contains("ScGnn: cell graph (PCA", fit.Stdout);
        Assert.Contains("ScGnn: reading column 'Expression'", fit.Stdout);
        var few = ExpressionFile.Read(input);
        int five = few.RowPointers[5];
        ExpressionFile.Write(new ExpressionMatrix(few.CellIds.Take(5).ToArray(), few.GeneIds, few.RowPointers[..6].ToArray(),
            few.ColumnIndices[..five].ToArray(), few.Values[..five].ToArray()), _dir.File("five.csv"));

        var run = ScgnnApp.Run(_dir.Path, "apply", "--model", "model.zip", "--input", "five.csv", "--output", "five-imputed.csv");
        Assert.True(run.ExitCode == 0, run.ToString());
        var warning = Assert.Single(run.StderrLines);
        Assert.StartsWith("warning: ScGnn: a batch of 5 cells is too small", warning);
    }

    private static IEnumerable<string> Files(string path) =>
        Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories).OrderBy(f => f) : new[] { path };
}

using PureHDF;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>
/// <c>scgnn impute</c> with AnnData: the same data as .h5ad and as a 10x folder gives the same numbers, the .h5ad
/// output carries obs/var and records the run in uns, <c>--labels obs:NAME</c> reads cell types from obs, and an
/// unknown output extension fails before any work.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class H5adImputeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string H5ad, string TenX, string Labels) WriteBoth()
    {
        var sim = SampleData.Simulate();
        var categories = sim.Groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var obs = new AnnotationTable(sim.Observed.CellCount,
            [AnnotationColumn.Categorical("cell_type", categories, sim.Groups.Select(g => Array.IndexOf(categories, g)).ToArray())]);
        var h5ad = _dir.File("counts.h5ad");
        H5adWriter.Write(sim.Observed.WithAnnotations(obs, null), h5ad);
        var tenx = _dir.File("counts10x");
        TenXWriter.Write(sim.Observed, tenx);
        var labels = _dir.File("labels.tsv");
        File.WriteAllLines(labels, sim.Observed.CellIds.Zip(sim.Groups, (c, g) => c + "\t" + g));
        return (h5ad, tenx, labels);
    }

    [Fact]
    public void Impute_gives_the_same_numbers_from_h5ad_and_10x_and_carries_obs_var_uns()
    {
        var (h5ad, tenx, labels) = WriteBoth();
        var a = ScgnnApp.Run(_dir.Path, "impute", "--input", h5ad, "--output", "out.h5ad", "--labels", "obs:cell_type", "--epochs", "8", "--seed", "5");
        Assert.True(a.ExitCode == 0, a.ToString());
        var b = ScgnnApp.Run(_dir.Path, "impute", "--input", tenx, "--output", "out10x", "--labels", labels, "--epochs", "8", "--seed", "5");
        Assert.True(b.ExitCode == 0, b.ToString());

        var fromH5ad = H5adReader.Read(_dir.File("out.h5ad"));
        var fromTenX = TenXReader.Read(_dir.File("out10x"));
        Assert.Equal(fromTenX.CellIds, fromH5ad.CellIds);
        Assert.Equal(fromTenX.GeneIds, fromH5ad.GeneIds);
        Assert.Equal(fromTenX.RowPointers.ToArray(), fromH5ad.RowPointers.ToArray());
        Assert.Equal(fromTenX.ColumnIndices.ToArray(), fromH5ad.ColumnIndices.ToArray());
        Assert.Equal(fromTenX.Values.ToArray(), fromH5ad.Values.ToArray());
        // The clustering table from obs labels is the one from the labels file.
        Assert.Equal(Table(b.Stdout), Table(a.Stdout));

        var sim = SampleData.Simulate();
        Assert.Equal(sim.Groups, fromH5ad.CellAnnotations!["cell_type"].ToText());
        Assert.NotNull(fromH5ad.GeneAnnotations);
        using var file = H5File.OpenRead(_dir.File("out.h5ad"));
        Assert.Equal("impute", file.Dataset("uns/scgnn/options/command").Read<string>());
        Assert.Equal("X", file.Dataset("uns/scgnn/options/input_matrix").Read<string>());
        Assert.Equal(fromH5ad.GeneIds, file.Dataset("uns/scgnn/kept_genes").Read<string[]>());
        Assert.Contains("epochs", file.Dataset("uns/scgnn/options/settings").Read<string>(), StringComparison.OrdinalIgnoreCase);
        // Every entry of an imputed matrix is filled, so X is a dense array.
        Assert.Equal([(ulong)fromH5ad.CellCount, (ulong)fromH5ad.GeneCount], file.Dataset("X").Space.Dimensions);
        Assert.Equal("array", file.Dataset("X").Attribute("encoding-type").Read<string>());

        // Without --labels the file is written from the transform's cursor: the same file content.
        var c = ScgnnApp.Run(_dir.Path, "impute", "--input", h5ad, "--output", "streamed.h5ad", "--epochs", "8", "--seed", "5");
        Assert.True(c.ExitCode == 0, c.ToString());
        var streamed = H5adReader.Read(_dir.File("streamed.h5ad"));
        Assert.Equal(fromH5ad.CellIds, streamed.CellIds);
        Assert.Equal(fromH5ad.GeneIds, streamed.GeneIds);
        Assert.Equal(fromH5ad.RowPointers.ToArray(), streamed.RowPointers.ToArray());
        Assert.Equal(fromH5ad.ColumnIndices.ToArray(), streamed.ColumnIndices.ToArray());
        Assert.Equal(fromH5ad.Values.ToArray(), streamed.Values.ToArray());
        Assert.Equal(sim.Groups, streamed.CellAnnotations!["cell_type"].ToText());
        Assert.Equal(fromH5ad.GeneAnnotations!.Columns.Select(col => col.Name), streamed.GeneAnnotations!.Columns.Select(col => col.Name));
    }

    [Fact]
    public void Unknown_output_extension_and_missing_obs_column_fail_up_front()
    {
        var (h5ad, tenx, _) = WriteBoth();
        var xlsx = ScgnnApp.Run(_dir.Path, "impute", "--input", h5ad, "--output", "out.xlsx");
        var line = ScgnnApp.AssertOneLineError(xlsx, 2);
        Assert.Contains("'.xlsx'", line);
        Assert.DoesNotContain("Reading", xlsx.Stdout);
        Assert.False(File.Exists(_dir.File("out.xlsx")) || Directory.Exists(_dir.File("out.xlsx")));

        var obs = ScgnnApp.Run(_dir.Path, "impute", "--input", h5ad, "--output", "o.h5ad", "--labels", "obs:celltype");
        Assert.Contains("has no obs column 'celltype'; its columns: cell_type", ScgnnApp.AssertOneLineError(obs, 1));
        var noObs = ScgnnApp.Run(_dir.Path, "impute", "--input", tenx, "--output", "o.h5ad", "--labels", "obs:cell_type");
        Assert.Contains("need an .h5ad input", ScgnnApp.AssertOneLineError(noObs, 1));
        Assert.False(File.Exists(_dir.File("o.h5ad")));
    }

    [Fact]
    public void Layer_and_raw_choose_the_matrix_and_a_missing_one_names_those_the_file_holds()
    {
        var (h5ad, tenx, _) = WriteBoth();
        var sim = SampleData.Simulate();
        var layerOnly = _dir.File("layer.h5ad");
        H5adWriter.Write(sim.Observed, layerOnly, new H5adWriterOptions { Layer = "counts" });

        var noX = ScgnnApp.Run(_dir.Path, "impute", "--input", layerOnly, "--output", "a.csv");
        Assert.EndsWith("has no X; it holds layers/counts (--layer counts).", ScgnnApp.AssertOneLineError(noX, 1));
        var noRaw = ScgnnApp.Run(_dir.Path, "impute", "--input", layerOnly, "--raw", "--output", "a.csv");
        Assert.Contains("has no raw/X (adata.raw is None); it holds layers/counts (--layer counts).", ScgnnApp.AssertOneLineError(noRaw, 1));
        Assert.Contains("both choose", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "impute", "--input", h5ad, "--raw", "--layer", "counts", "--output", "a.csv"), 2));
        Assert.Contains("applies to .h5ad input", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "impute", "--input", tenx, "--layer", "counts", "--output", "a.csv"), 2));
        Assert.False(File.Exists(_dir.File("a.csv")));

        // The layer holds the same counts as the 10x folder: the same file, and no warning (they are counts).
        var fromLayer = ScgnnApp.Run(_dir.Path, "impute", "--input", layerOnly, "--layer", "counts", "--output", "layer.csv", "--epochs", "4");
        Assert.True(fromLayer.ExitCode == 0, fromLayer.ToString());
        Assert.DoesNotContain("warning:", fromLayer.Stderr);
        var fromTenX = ScgnnApp.Run(_dir.Path, "impute", "--input", tenx, "--output", "tenx.csv", "--epochs", "4");
        Assert.True(fromTenX.ExitCode == 0, fromTenX.ToString());
        Assert.Equal(File.ReadAllBytes(_dir.File("tenx.csv")), File.ReadAllBytes(_dir.File("layer.csv")));
        // An .h5ad output records the matrix read.
        Assert.True(ScgnnApp.Run(_dir.Path, "impute", "--input", layerOnly, "--layer", "counts", "--output", "from-layer.h5ad", "--epochs", "2").ExitCode == 0);
        using var file = H5File.OpenRead(_dir.File("from-layer.h5ad"));
        Assert.Equal("layers/counts", file.Dataset("uns/scgnn/options/input_matrix").Read<string>());
    }

    [Fact]
    public void Values_that_are_not_counts_get_a_warning_naming_the_entry_unless_imputed_as_given()
    {
        var counts = SampleData.Simulate().Observed;
        var logValues = counts.Values.ToArray().Select(v => MathF.Log(1 + v)).ToArray();
        var logged = new ExpressionMatrix(counts.CellIds, counts.GeneIds, counts.RowPointers.ToArray(), counts.ColumnIndices.ToArray(), logValues);
        var path = _dir.File("log.h5ad");
        H5adWriter.Write(logged, path);
        // The first stored value that is not a whole number: log(1 + v) is one only for v = 0, which is not stored.
        int cell = 0;
        while (counts.RowPointers[cell + 1] == 0) cell++;
        string gene = counts.GeneIds[counts.ColumnIndices[0]];

        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", path, "--output", "a.csv", "--epochs", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        var warning = Assert.Single(run.StderrLines, l => l.StartsWith("warning: ", StringComparison.Ordinal));
        Assert.Contains($"X holds values that are not whole numbers (cell '{counts.CellIds[cell]}', gene '{gene}': ", warning);
        Assert.Contains("as log-transformed values are", warning);
        Assert.Contains($"largest {logValues.Max().ToString("G5", System.Globalization.CultureInfo.InvariantCulture)}", warning);
        Assert.Contains("pass --no-filter --no-normalize", warning);
        Assert.DoesNotContain("also holds", warning);

        var asGiven = ScgnnApp.Run(_dir.Path, "impute", "--input", path, "--output", "b.csv", "--epochs", "2", "--no-filter", "--no-normalize", "--model", "asgiven.zip");
        Assert.True(asGiven.ExitCode == 0, asGiven.ToString());
        Assert.DoesNotContain("warning:", asGiven.Stderr);

        // apply warns when its model selects genes or normalizes, as a model fitted on counts does; not otherwise.
        var countsPath = _dir.File("counts.h5ad");
        H5adWriter.Write(counts, countsPath);
        Assert.True(ScgnnApp.Run(_dir.Path, "impute", "--input", countsPath, "--output", "d.csv", "--epochs", "2", "--model", "counts.zip").ExitCode == 0);
        var applied = ScgnnApp.Run(_dir.Path, "apply", "--model", "counts.zip", "--input", path, "--output", "e.csv");
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains("The model selects genes or normalizes", Assert.Single(applied.StderrLines, l => l.StartsWith("warning: ", StringComparison.Ordinal)));
        var appliedAsGiven = ScgnnApp.Run(_dir.Path, "apply", "--model", "asgiven.zip", "--input", path, "--output", "f.csv");
        Assert.True(appliedAsGiven.ExitCode == 0, appliedAsGiven.ToString());
        Assert.DoesNotContain("warning:", appliedAsGiven.Stderr);

        // The same values in a CSV name the input, not an .h5ad matrix.
        var csv = _dir.File("log.csv");
        ExpressionFile.Write(logged, csv);
        var fromCsv = ScgnnApp.Run(_dir.Path, "impute", "--input", csv, "--output", "c.csv", "--epochs", "2");
        Assert.True(fromCsv.ExitCode == 0, fromCsv.ToString());
        Assert.Contains(": the input holds values that are not whole numbers", Assert.Single(fromCsv.StderrLines, l => l.StartsWith("warning: ", StringComparison.Ordinal)));
    }

    private static string[] Table(string stdout) =>
        stdout.Split('\n').Where(l => l.Contains("ScGnn imputed", StringComparison.Ordinal) || l.Contains("raw (normalized)", StringComparison.Ordinal)).ToArray();
}

using ScGnn.MLNet.Data;
using ScGnn.MLNet.Simulation;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>
/// The app never destroys what the user has (issue 13 item 5, issue 12 items 5 and 13): outputs are checked before
/// any work, never an input, committed together, and temporaries of killed runs are cleaned up.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class OutputSafetyTests : IDisposable
{
    private const string Csv = "cell,g1,g2\nc1,1,0\nc2,0,3\nc3,2,1\n";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("out.xlsx", ".parquet")]
    [InlineData("out.h5", "read")]
    public void Unwritable_output_type_is_refused_before_reading(string output, string mention)
    {
        // The input does not even exist: the output check comes first, so nothing is read or trained.
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "missing.csv", "--output", output);
        var line = ScgnnApp.AssertOneLineError(run, 2);
        Assert.StartsWith("error: --output ", line);
        Assert.Contains(output, line);
        Assert.Contains(mention, line);
        Assert.Empty(_dir.Entries());
    }

    [Fact]
    public void Output_in_an_unwritable_folder_is_refused_before_reading()
    {
        _dir.Write("in.csv", Csv);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "/proc/out.csv");
        var line = ScgnnApp.AssertOneLineError(run, 1);
        Assert.Contains("cannot write in /proc", line);
        Assert.DoesNotContain("Reading", run.Stdout);
    }

    [Fact]
    public void Model_equal_to_output_is_refused()
    {
        _dir.Write("in.csv", Csv);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "same.csv", "--model", "same.csv");
        Assert.Contains("--output", ScgnnApp.AssertOneLineError(run, 2));
        Assert.Equal(new[] { "in.csv" }, _dir.Entries());
    }

    [Fact]
    public void Model_inside_the_input_10x_folder_is_refused_and_the_matrix_kept()
    {
        var input = SampleData.Write(_dir.Path, "tenx", out _);
        var matrix = Directory.GetFiles(input, "matrix.mtx*").Single();
        var before = File.ReadAllBytes(matrix);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "tenx", "--output", "out.csv", "--model", matrix);
        Assert.Contains("input", ScgnnApp.AssertOneLineError(run, 2));
        Assert.Equal(before, File.ReadAllBytes(matrix));
        // Named by its matrix file, the input is still the whole folder.
        var run2 = ScgnnApp.Run(_dir.Path, "impute", "--input", matrix, "--output", "out.csv", "--model", Path.Combine(input, "model.zip"));
        Assert.Contains("input folder", ScgnnApp.AssertOneLineError(run2, 2));
        Assert.False(File.Exists(_dir.File("out.csv")));
    }

    [Fact]
    public void Model_equal_to_labels_is_refused()
    {
        SampleData.Write(_dir.Path, "in.csv", out var labels);
        var before = File.ReadAllText(labels);
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "out.csv", "--labels", labels, "--model", labels);
        Assert.Contains("is an input", ScgnnApp.AssertOneLineError(run, 2));
        Assert.Equal(before, File.ReadAllText(labels));
    }

    [Fact]
    public void Apply_output_over_its_model_is_refused()
    {
        _dir.Write("in.csv", Csv);
        _dir.Write("m.zip", "not read");
        var run = ScgnnApp.Run(_dir.Path, "apply", "--model", "m.zip", "--input", "in.csv", "--output", "m.zip");
        ScgnnApp.AssertOneLineError(run, 2);
        Assert.Equal("not read", File.ReadAllText(_dir.File("m.zip")));
    }

    [Fact]
    public void An_unwritable_model_leaves_the_existing_output_as_it_was()
    {
        SampleData.Write(_dir.Path, "in.csv", out _);
        _dir.Write("out.csv", "previous result\n");
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "out.csv", "--model", "/proc/m.zip", "--epochs", "2");
        Assert.Contains("--model", ScgnnApp.AssertOneLineError(run, 1));
        Assert.Equal("previous result\n", File.ReadAllText(_dir.File("out.csv")));
    }

    [Fact]
    public void Stale_temporaries_of_killed_runs_are_removed_and_overwrites_are_reported()
    {
        SampleData.Write(_dir.Path, "in.csv", out _);
        // A staging file of a process that no longer exists, and a library temporary untouched for an hour.
        var staging = _dir.Write(".out.csv.scgnn-2147483600-0badf00d.tmp.csv", "partial");
        var libraryTemp = _dir.Write(".out.csv.0123456789ab.tmp", "partial");
        File.SetLastWriteTimeUtc(libraryTemp, DateTime.UtcNow.AddHours(-1));
        var fresh = _dir.Write(".out.csv.ba9876543210.tmp", "maybe another run writing now");
        var unrelated = _dir.Write(".other.csv.scgnn-2147483600-0badf00d.tmp.csv", "not ours to touch");

        var first = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "out.csv", "--model", "m.zip", "--epochs", "2");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.False(File.Exists(staging));
        Assert.False(File.Exists(libraryTemp));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(unrelated));
        Assert.DoesNotContain("replaced", first.Stdout);

        var second = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "out.csv", "--model", "m.zip", "--epochs", "2");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("out.csv (replaced the existing file)", second.Stdout);
        Assert.Contains("m.zip (replaced the existing file)", second.Stdout);
        Assert.DoesNotContain(_dir.Entries(), e => e.Contains(".scgnn-", StringComparison.Ordinal) && !e.StartsWith(".other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_terminated_run_leaves_no_staging_file_and_the_existing_output_untouched()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // The smoothed output is computed as the writer pulls its first row, so the staged file exists for the whole
        // smoothing (seconds at 10,000 cells), a window the signal cannot miss.
        var sim = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 10_000, GeneCount = 100, GroupCount = 3, Seed = 2 });
        ExpressionFile.Write(sim.Observed, _dir.File("in.csv"));
        File.WriteAllText(_dir.File("out.csv"), "previous result\n");
        using var process = ScgnnApp.Start(_dir.Path, "impute", "--input", "in.csv", "--output", "out.csv", "--smoothed", "--no-filter");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool staged = false;
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            // The staged output (".out.csv.scgnn-...") or the library's temporary of it ("..out.csv.scgnn-..."), not
            // the folder's write probe.
            if (_dir.Entries().Any(e => e.TrimStart('.').StartsWith("out.csv.scgnn-", StringComparison.Ordinal))) { staged = true; break; }
            Thread.Sleep(1);
        }
        if (!staged) Assert.Fail($"the run ended before its output was staged: {await stdout}{await stderr}");
        Assert.Equal(0, Kill(process.Id, SigTerm));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
        string output = await stdout + await stderr;
        Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {output}");
        Assert.DoesNotContain(_dir.Entries(), e => e.Contains(".scgnn-", StringComparison.Ordinal));
        Assert.Equal("previous result\n", File.ReadAllText(_dir.File("out.csv")));
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

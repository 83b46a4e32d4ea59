using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>Command-line errors: non-zero exit, one line "error: ..." naming the problem, nothing written. No TorchSharp work.</summary>
public sealed class CliArgumentTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Unknown_option_is_an_error_naming_it()
    {
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "x.csv", "--output", "y.csv", "--bogus-flag");
        var line = ScgnnApp.AssertOneLineError(run, 2);
        Assert.Contains("'--bogus-flag'", line);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Misspelled_option_suggests_the_right_one()
    {
        var run = ScgnnApp.Run(_dir.Path, "impute", "--inptu", "x.csv");
        var line = ScgnnApp.AssertOneLineError(run, 2);
        Assert.Contains("did you mean --input?", line);
    }

    [Fact]
    public void Missing_input_is_an_error_naming_the_option()
    {
        var run = ScgnnApp.Run(_dir.Path, "impute", "--output", "y.csv");
        var line = ScgnnApp.AssertOneLineError(run, 2);
        Assert.Contains("--input", line);
        Assert.Empty(_dir.Entries());
    }

    [Theory]
    [InlineData("evaluate", "--input")]
    [InlineData("report", "--input")]
    [InlineData("apply", "--model")]
    public void Every_command_names_its_missing_required_option(string command, string option)
    {
        var run = ScgnnApp.Run(_dir.Path, command);
        Assert.Contains($"needs {option}", ScgnnApp.AssertOneLineError(run, 2));
    }

    [Fact]
    public void Missing_input_file_names_the_path()
    {
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "no-such.csv", "--output", "y.csv");
        var line = ScgnnApp.AssertOneLineError(run, 1);
        Assert.Contains("no-such.csv", line);
        Assert.Empty(_dir.Entries());
    }

    [Fact]
    public void Malformed_input_names_file_and_line_and_writes_nothing()
    {
        _dir.Write("bad.csv", "cell,g1,g2\nc1,1,2\nc2,3,oops\n");
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "bad.csv", "--output", "out.csv", "--model", "m.zip");
        var line = ScgnnApp.AssertOneLineError(run, 1);
        Assert.Contains("bad.csv", line);
        Assert.Contains("line 3", line);
        Assert.Equal(new[] { "bad.csv" }, _dir.Entries());
    }

    [Fact]
    public void Unsupported_input_type_is_explained()
    {
        _dir.Write("counts.xlsx", "not a matrix");
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "counts.xlsx", "--output", "out.csv");
        var line = ScgnnApp.AssertOneLineError(run, 1);
        Assert.Contains("counts.xlsx", line);
        Assert.Contains(".csv", line);
    }

    [Fact]
    public void Output_over_the_input_is_refused()
    {
        _dir.Write("in.csv", "cell,g1\nc1,1\nc2,2\nc3,3\n");
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "in.csv", "--output", "in.csv");
        Assert.Contains("input", ScgnnApp.AssertOneLineError(run, 2));
        Assert.Equal("cell,g1\nc1,1\nc2,2\nc3,3\n", File.ReadAllText(_dir.File("in.csv")));
    }

    [Theory]
    [InlineData("--epochs", "zero")]
    [InlineData("--epochs", "0")]
    [InlineData("--seed", "-3")]
    public void Bad_numbers_name_the_option(string option, string value)
    {
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "x.csv", "--output", "y.csv", option, value);
        var line = ScgnnApp.AssertOneLineError(run, 2);
        Assert.Contains(option, line);
        Assert.Contains(value, line);
    }

    [Fact]
    public void Option_without_value_and_stray_argument_are_errors()
    {
        Assert.Contains("--output needs a value", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "impute", "--input", "x.csv", "--output"), 2));
        Assert.Contains("'stray'", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "impute", "stray"), 2));
        Assert.Contains("'frobnicate'", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "frobnicate"), 2));
        Assert.Contains("'--bogus'", ScgnnApp.AssertOneLineError(ScgnnApp.Run(_dir.Path, "--bogus"), 2));
    }

    [Theory]
    [InlineData("impute", "--no-normalize")]
    [InlineData("apply", "--clusters")]
    [InlineData("evaluate", "--folds")]
    [InlineData("report", "--labels")]
    [InlineData("demo", "--out")]
    public void Every_command_has_help(string command, string someOption)
    {
        var run = ScgnnApp.Run(_dir.Path, command, "--help");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Usage:", run.Stdout);
        Assert.Contains(someOption, run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void Top_level_help_lists_the_commands()
    {
        var run = ScgnnApp.Run(_dir.Path, "--help");
        Assert.Equal(0, run.ExitCode);
        foreach (var c in new[] { "demo", "impute", "apply", "evaluate", "report" })
            Assert.Contains("  " + c, run.Stdout);
    }
}

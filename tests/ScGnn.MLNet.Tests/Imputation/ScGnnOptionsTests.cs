using ScGnn.MLNet.Imputation;

namespace ScGnn.MLNet.Tests.Imputation;

public sealed class ScGnnOptionsTests
{
    [Fact]
    public void Only_what_a_user_needs_is_public()
    {
        var names = typeof(ScGnnOptions).GetProperties().Select(p => p.Name).Order().ToArray();
        Assert.Equal(new[]
        {
            "BottleneckRatio", "CancellationToken", "Device", "DropoutRate", "Epochs", "InputColumnName", "LearningRate", "MaskColumnName",
            "MaskRate", "NeighborCount", "OutputColumnName", "OutputMode", "PrincipalComponentCount", "Progress", "Seed", "ThreadCount",
            "ValidationFraction",
        }, names);
    }

    [Fact]
    public void Defaults_and_paper_come_from_the_one_source()
    {
        var d = new ScGnnOptions();
        Assert.Equal(ScGnnTrainer.Defaults.NeighborCount, d.NeighborCount);
        Assert.Equal(10, d.NeighborCount);
        Assert.True(d.SkipConnection);
        Assert.Equal(2, d.SkipConnectionHops);
        Assert.Equal(0, d.TestFraction);
        var p = ScGnnOptions.Paper();
        Assert.Equal(5, p.NeighborCount);
        Assert.Equal(ScGnnTrainer.PaperDefaults.TestFraction, p.TestFraction);
        Assert.Equal(0.05, p.TestFraction);
        Assert.False(p.SkipConnection);
        Assert.Equal(ScGnnInputScale.Counts, p.InputScale);
        Assert.False(p.GraphOnLog1p);
        Assert.False(p.CapAtObservedMaximum);
        Assert.Equal(0, p.EpochSelectionStandardErrors);
        Assert.True(p.IsPaperModel);
        Assert.False(d.IsPaperModel);
    }

    [Fact]
    public void ToString_summarizes_the_settings_in_one_paragraph()
    {
        var d = new ScGnnOptions { Seed = 7, ThreadCount = 2 }.ToString();
        Assert.StartsWith("library default model (2-hop skip connection started on observed values, graph on log1p", d);
        Assert.Contains("PCA 50, k = 10, hidden genes/64, up to 1000 epochs (Adam lr 0.003, weight decay 0.0005, dropout 0.5)", d);
        Assert.Contains("mask rate min(density, 0.3)", d);
        Assert.Contains("validation 5 % of cells", d);
        Assert.Contains("output: zeros imputed, observed values kept", d);
        Assert.EndsWith("device Auto, seed 7, 2 threads.", d);
        Assert.DoesNotContain("\n", d);

        var p = ScGnnOptions.Paper();
        p.MaskColumnName = "DropoutMask";
        p.OutputMode = ImputationOutputMode.Denoise;
        var ps = p.ToString();
        Assert.StartsWith("paper model (no skip connection, counts scale, lowest validation loss kept); PCA 50, k = 5,", ps);
        Assert.Contains("targets from mask column 'DropoutMask'", ps);
        Assert.Contains("validation 5 % of cells, test 5 %", ps);
        Assert.Contains("output: every entry predicted", ps);

        var custom = new ScGnnOptions { MaskRate = 0.1 };
        custom.CapAtObservedMaximum = false;
        Assert.StartsWith("custom model (", custom.ToString());
        Assert.Contains("mask rate 0.1;", custom.ToString());
    }

    [Fact]
    public void Invalid_internal_settings_are_named_too()
    {
        var o = new ScGnnOptions { SkipConnectionHops = 4 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
        Assert.Contains("SkipConnectionHops", e.Message);
        Assert.Contains("(got 4)", e.Message);
    }
}

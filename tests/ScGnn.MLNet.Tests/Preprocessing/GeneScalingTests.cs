using Microsoft.ML;
using ScGnn.MLNet.Preprocessing;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class GeneScalingTests
{
    // g0 1,2,3: mean 2, sample var (1+0+1)/2 = 1, sd 1          -> -1, 0, 1
    // g1 0,0,6: mean 2, sample var (4+4+16)/2 = 12, sd sqrt(12) -> -2/sqrt(12), -2/sqrt(12), 4/sqrt(12)
    // g2 5,5,5: constant, sd taken as 1 (scanpy)               -> 0, 0, 0
    private static readonly float[,] Counts =
    {
        { 1, 0, 5 },
        { 2, 0, 5 },
        { 3, 6, 5 },
    };

    [Fact]
    public void Centers_and_divides_by_the_sample_standard_deviation()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.ScaleGenes().Fit(data);
        Assert.Equal(new[] { 2.0, 2.0, 5.0 }, model.Means);
        Assert.Equal(1.0, model.StandardDeviations[0], 12);
        Assert.Equal(Math.Sqrt(12), model.StandardDeviations[1], 12);
        Assert.Equal(1.0, model.StandardDeviations[2]);
        var rows = Dense(model.Transform(data));
        double s = Math.Sqrt(12);
        AssertRow(new[] { -1, -2 / s, 0 }, rows[0]);
        AssertRow(new[] { 0, -2 / s, 0 }, rows[1]);
        AssertRow(new[] { 1, 4 / s, 0 }, rows[2]);
        Assert.Equal(new[] { "g0", "g1", "g2" }, SlotNames(model.Transform(data).Schema["Expression"]));
    }

    [Fact]
    public void MaxValue_clips_both_sides_when_centering()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var rows = Dense(ml.Transforms.ScaleGenes(maxValue: 0.5).Fit(data).Transform(data));
        AssertRow(new[] { -0.5, -0.5, 0 }, rows[0]);
        AssertRow(new[] { 0.5, 0.5, 0 }, rows[2]);
    }

    [Fact]
    public void Without_centering_rows_stay_sparse_and_only_the_top_is_clipped()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var output = ml.Transforms.ScaleGenes(zeroCenter: false).Fit(data).Transform(data);
        var rows = Dense(output);
        AssertRow(new[] { 1.0, 0, 5 }, rows[0]);
        AssertRow(new[] { 3, 6 / Math.Sqrt(12), 5 }, rows[2]);
        Assert.False(Rows(output)[0].IsDense);
        var clipped = Dense(ml.Transforms.ScaleGenes(zeroCenter: false, maxValue: 2).Fit(data).Transform(data));
        AssertRow(new[] { 2.0, 6 / Math.Sqrt(12), 2 }, clipped[2]);
    }

    [Fact]
    public void MLNet_NormalizeMeanVariance_is_not_scanpy_scale()
    {
        // Why ScaleGenes exists: ML.NET's centering normalizer uses the population variance (n), scanpy n-1.
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var mlnet = Dense(ml.Transforms.NormalizeMeanVariance("Expression", fixZero: false).Fit(data).Transform(data));
        Assert.Equal(-1 / Math.Sqrt(2.0 / 3), mlnet[0][0], 5);
        // Its default (fixZero) does not center at all: it divides by the root mean square sqrt(var_pop + mean^2).
        var fixZero = Dense(ml.Transforms.NormalizeMeanVariance("Expression").Fit(data).Transform(data));
        Assert.Equal(1 / Math.Sqrt(2.0 / 3 + 4), fixZero[0][0], 5);
        Assert.Equal(-1f, Dense(ml.Transforms.ScaleGenes().Fit(data).Transform(data))[0][0], 6);
    }

    [Fact]
    public void Options_and_columns_are_validated()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScaleGenes(maxValue: -1));
        var data = View(Counts);
        var model = ml.Transforms.ScaleGenes().Fit(data);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(View(new float[,] { { 1, 2 } })));
        Assert.Contains("fitted on 3", e.Message);
    }

    private static void AssertRow(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], 5);
    }
}

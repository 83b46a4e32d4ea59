using Microsoft.ML;
using ScGnn.MLNet.Preprocessing;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class LibrarySizeNormalizationTests
{
    // Totals 4, 2, 10, 6: median (numpy, even count) = (4 + 6) / 2 = 5.
    private static readonly float[,] Counts =
    {
        { 1, 3, 0 },
        { 2, 0, 0 },
        { 0, 5, 5 },
        { 6, 0, 0 },
    };

    [Fact]
    public void Scales_every_cell_to_the_median_total()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.NormalizeMedianLibrarySize().Fit(data);
        Assert.Equal(5.0, model.TargetSum);
        Assert.True(model.IsTargetSumLearned);
        var rows = Dense(model.Transform(data));
        Assert.Equal(new[] { 1.25f, 3.75f, 0f }, rows[0]);
        Assert.Equal(new[] { 5f, 0f, 0f }, rows[1]);
        Assert.Equal(new[] { 0f, 2.5f, 2.5f }, rows[2]);
        Assert.Equal(new[] { 5f, 0f, 0f }, rows[3]);
        Assert.All(Rows(model.Transform(data)), r => Assert.False(r.IsDense));
        Assert.Equal(new[] { "g0", "g1", "g2" }, SlotNames(model.Transform(data).Schema["Expression"]));
    }

    [Fact]
    public void Odd_cell_count_takes_the_middle_total_and_TargetSum_fixes_it()
    {
        var ml = new MLContext(seed: 1);
        var three = View(new float[,] { { 1, 3, 0 }, { 2, 0, 0 }, { 0, 5, 5 } });
        Assert.Equal(4.0, ml.Transforms.NormalizeMedianLibrarySize().Fit(three).TargetSum);

        var fixedTarget = ml.Transforms.NormalizeMedianLibrarySize(new LibrarySizeNormalizingEstimator.Options { TargetSum = 10 }).Fit(three);
        Assert.False(fixedTarget.IsTargetSumLearned);
        Assert.Equal(new[] { 2.5f, 7.5f, 0f }, Dense(fixedTarget.Transform(three))[0]);
    }

    [Fact]
    public void Empty_cell_is_an_error_naming_the_cell_at_fit_and_at_transform()
    {
        var ml = new MLContext(seed: 1);
        var data = View(new float[,] { { 1, 3 }, { 2, 0 }, { 0, 0 } }, cellIds: new[] { "AAAC-1", "AAAG-1", "EMPTY-1" });
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.NormalizeMedianLibrarySize().Fit(data));
        Assert.Contains("row 2 (cell 'EMPTY-1')", e.Message);
        Assert.Contains("DropEmptyCells", e.Message);

        // A fixed target needs no pass in Fit, so the empty cell surfaces when its row is read (ML.NET's
        // parallel cursors may wrap it; the innermost exception is ours).
        var model = ml.Transforms.NormalizeMedianLibrarySize(new LibrarySizeNormalizingEstimator.Options { TargetSum = 1 }).Fit(data);
        var inner = Assert.ThrowsAny<InvalidOperationException>(() => Dense(model.Transform(data))).GetBaseException();
        Assert.IsType<InvalidOperationException>(inner);
        Assert.Contains("row 2 (cell 'EMPTY-1')", inner.Message);
    }

    [Fact]
    public void DropEmptyCells_removes_them_and_leaves_them_out_of_the_median()
    {
        var ml = new MLContext(seed: 1);
        var data = View(new float[,] { { 1, 3 }, { 0, 0 }, { 2, 0 }, { 0, 6 } });
        var model = ml.Transforms.NormalizeMedianLibrarySize(dropEmptyCells: true).Fit(data);
        Assert.Equal(4.0, model.TargetSum); // median of 4, 2, 6
        var output = model.Transform(data);
        Assert.Equal(new[] { "c0", "c2", "c3" }, Text(output, "CellId"));
        Assert.Equal(new[] { new[] { 1f, 3f }, new[] { 4f, 0f }, new[] { 0f, 4f } }, Dense(output));
        Assert.False(((ITransformer)model).IsRowToRowMapper);
        var e = Assert.Throws<InvalidOperationException>(() => ((ITransformer)model).GetRowToRowMapper(data.Schema));
        Assert.Contains("DropEmptyCells", e.Message);
    }

    [Fact]
    public void Without_dropping_the_transformer_backs_a_prediction_engine()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.NormalizeMedianLibrarySize().Fit(data);
        Assert.True(((ITransformer)model).IsRowToRowMapper);
        var mapper = ((ITransformer)model).GetRowToRowMapper(data.Schema);
        Assert.Equal("Expression", mapper.OutputSchema["Expression"].Name);
    }

    [Fact]
    public void Wrong_options_and_columns_are_rejected()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.NormalizeMedianLibrarySize(new LibrarySizeNormalizingEstimator.Options { TargetSum = 0 }));
        var data = View(Counts);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.NormalizeMedianLibrarySize("Out", "CellId").Fit(data));
        Assert.Contains("'CellId'", e.Message);
        var model = ml.Transforms.NormalizeMedianLibrarySize().Fit(data);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(ml.Data.LoadFromEnumerable(new[] { new { Expression = 1f } }).Schema));
    }
}

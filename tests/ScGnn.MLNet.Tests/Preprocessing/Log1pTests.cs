using Microsoft.ML;
using ScGnn.MLNet.Tests.Persistence;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class Log1pTests
{
    private static readonly float[,] Counts =
    {
        { 0, 1, 0, 3 },
        { 2, 0, 0, 0 },
        { 0, 0, 1e-9f, 9 },
    };

    [Fact]
    public void Log1p_matches_natural_log_of_one_plus_x_and_keeps_rows_sparse()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var output = ml.Transforms.Log1p().Fit(data).Transform(data);
        var rows = Rows(output);
        Assert.All(rows, r => Assert.False(r.IsDense));
        var dense = Dense(output);
        Assert.Equal(Math.Log(2), dense[0][1], 6);
        Assert.Equal(Math.Log(4), dense[0][3], 6);
        Assert.Equal(Math.Log(3), dense[1][0], 6);
        Assert.Equal(1e-9, dense[2][2], 15); // ln(1 + 1e-9) = 1e-9 to float precision
        Assert.Equal(Math.Log(10), dense[2][3], 6);
        Assert.Equal(0f, dense[1][3]);
        Assert.Equal(new[] { "g0", "g1", "g2", "g3" }, SlotNames(output.Schema["Expression"]));
    }

    [Fact]
    public void Log1p_to_a_new_column_keeps_the_input()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var output = ml.Transforms.Log1p("Log", "Expression").Fit(data).Transform(data);
        Assert.Equal(3f, Dense(output)[0][3]);
        Assert.Equal((float)Math.Log(4), Dense(output, "Log")[0][3], 6);
    }

    [Fact]
    public void Log1p_rejects_a_scalar_column_before_any_work()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Expression = 1f } });
        var estimator = ml.Transforms.Log1p();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shape(data.Schema)));
        Assert.Contains("'Expression'", e.Message);
        Assert.Contains("known-size vector of Single", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
    }

    [Fact]
    public void Log1p_round_trips_through_a_model_zip()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.Log1p().Fit(data);
        var zip = ModelFiles.Save(ml, model, data.Schema);
        var loaded = ModelFiles.Load(zip, out var schema);
        Assert.Equal(Dense(model.Transform(data)), Dense(loaded.Transform(data)));
        Assert.NotNull(schema.GetColumnOrNull("Expression"));
    }
}

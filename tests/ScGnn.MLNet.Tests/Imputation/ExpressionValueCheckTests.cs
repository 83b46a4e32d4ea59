using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ExpressionValueCheckTests
{
    private static ExpressionMatrix Matrix(float bad, int cell = 1, int gene = 2)
    {
        var dense = new float[3 * 4];
        for (int i = 0; i < dense.Length; i++) dense[i] = i % 3;
        dense[cell * 4 + gene] = bad;
        return ExpressionMatrix.FromDense(dense, ["c0", "c1", "c2"], ["A", "B", "C", "D"]);
    }

    [Theory]
    [InlineData(-5f, "-5 is negative")]
    [InlineData(-1e-30f, "is negative")]
    [InlineData(3e38f, "larger than 1E+12")]
    [InlineData(1.0001e12f, "larger than 1E+12")]
    public void Refuses_negative_and_overflowing_values_naming_cell_and_gene(float value, string problem)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExpressionValueCheck.Check(Matrix(value), "X"));
        Assert.Contains("Column 'X', cell 'c1' (row 2), gene 'C' (slot 2): value ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.Epsilon)]
    [InlineData(1e12f)]
    public void Accepts_zero_tiny_and_large_but_trainable_values(float value) => ExpressionValueCheck.Check(Matrix(value), "X");

    private static IDataView CsvWithNegative(TempDirectory dir, MLContext ml)
    {
        string Value(int c, int g) => c == 17 && g == 0 ? "-5" : ((c * 7 + g * 3) % 5).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rows = Enumerable.Range(0, 40).Select(c => $"cell{c}," + string.Join(",", Enumerable.Range(0, 60).Select(g => Value(c, g))));
        var text = "cell," + string.Join(",", Enumerable.Range(0, 60).Select(g => "G" + g)) + "\n" + string.Join("\n", rows) + "\n";
        var path = dir.Write("negative.csv", text);
        // AllowNegativeValues lets the reader pass it; the trainer must still refuse it.
        return ExpressionTextReader.Read(path, new ExpressionTextOptions { AllowNegativeValues = true }).ToDataView();
    }

    [Fact]
    public void Fit_refuses_a_negative_value_let_through_by_AllowNegativeValues_before_any_work()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(1);
        var data = CsvWithNegative(dir, ml);
        int epochs = 0;
        var options = new ScGnnOptions { Epochs = 5, Device = ScGnnDevice.Cpu, Progress = _ => epochs++ };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(options).Fit(data));
        Assert.Contains("cell 'cell17' (row 18), gene 'G0' (slot 0): value -5 is negative", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void Fit_refuses_values_that_overflow_training_and_trains_finitely_at_the_limit()
    {
        var ml = new MLContext(1);
        var rng = new Random(3);
        var dense = new float[40 * 60];
        for (int i = 0; i < dense.Length; i++) dense[i] = rng.Next(3) == 0 ? 0 : rng.Next(1, 20);
        var cells = Enumerable.Range(0, 40).Select(c => "c" + c).ToArray();
        var genes = Enumerable.Range(0, 60).Select(g => "g" + g).ToArray();
        var options = new ScGnnOptions { Epochs = 20, Device = ScGnnDevice.Cpu, PrincipalComponentCount = 10 };

        dense[5 * 60 + 7] = 3e38f;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.ImputeWithScGnn(options).Fit(ExpressionMatrix.FromDense(dense, cells, genes).ToDataView()));
        Assert.Contains("cell 'cell5' (row 6), gene 'g7' (slot 7)", e.Message, StringComparison.Ordinal);

        dense[5 * 60 + 7] = ExpressionValueCheck.MaxValue;
        var data = ExpressionMatrix.FromDense(dense, cells, genes).ToDataView();
        var output = ml.Transforms.ImputeWithScGnn(options).Fit(data).Transform(data);
        using var cursor = output.GetRowCursor(output.Schema);
        var getter = cursor.GetGetter<VBuffer<float>>(output.Schema[ScGnnTrainer.Defaults.OutputColumnName]);
        VBuffer<float> row = default;
        int rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref row);
            foreach (float v in row.GetValues()) Assert.True(float.IsFinite(v), $"row {rows}: {v}");
            rows++;
        }
        Assert.Equal(40, rows);
    }
}

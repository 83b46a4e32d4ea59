using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Tests.Persistence;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class PredictionEngineTests
{
    private static readonly float[,] Counts =
    {
        { 1, 1, 0, 2, 1 },
        { 0, 1, 2, 0, 3 },
        { 0, 1, 4, 1, 1 },
        { 0, 1, 2, 9, 3 },
    };

    [Fact]
    public void Row_to_row_preprocessing_backs_a_PredictionEngine_after_save_and_load()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.SelectVariableGenes()
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Append(ml.Transforms.Log1p())
            .Fit(data);
        var loaded = ModelFiles.Load(ModelFiles.Save(ml, model, data.Schema), out _);

        var engine = ml.Model.CreatePredictionEngine<Cell, Output>(loaded);
        var result = engine.Predict(new Cell { Expression = new float[] { 0, 1, 2, 9, 3 } });
        var expected = Dense(model.Transform(data))[3];
        Assert.Equal(expected, result.Expression);
    }

    [Fact]
    public void Dropping_empty_cells_cannot_back_a_PredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.NormalizeMedianLibrarySize(dropEmptyCells: true).Fit(data);
        // ML.NET refuses it up front (IsRowToRowMapper is false) with its own message.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Model.CreatePredictionEngine<Cell, Output>(model));
        Assert.Contains("row to row mapper", e.Message);
    }

    private sealed class Cell
    {
        [VectorType(5)]
        public float[] Expression { get; set; } = Array.Empty<float>();
    }

    private sealed class Output
    {
        public float[] Expression { get; set; } = Array.Empty<float>();
    }
}

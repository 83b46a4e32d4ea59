using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Preprocessing;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class DropoutSimulationTests
{
    // 10 cells x 6 genes with 30 non-zeros: density 30 / 60 = 0.5, so the paper's rate is min(0.5, 0.3) = 0.3
    // and floor(0.3 * 30) = 9 entries are masked.
    private static float[,] Counts()
    {
        var m = new float[10, 6];
        int n = 0;
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 6; j++)
                if ((i + j) % 2 == 0) m[i, j] = 1 + n++;
        return m;
    }

    [Fact]
    public void Masks_floor_of_rate_times_nonzeros_and_the_mask_holds_the_true_values()
    {
        var ml = new MLContext(seed: 1);
        var counts = Counts();
        var data = View(counts);
        var model = ml.Transforms.SimulateDropout().Fit(data);
        Assert.Equal(30, model.FittedNonZeroCount);
        Assert.Equal(0.3, model.MaskRate, 12);
        Assert.True(model.IsMaskRateFromDensity);
        Assert.Equal(9, model.MaskedCount);

        var output = model.Transform(data);
        var masked = Dense(output);
        var mask = Dense(output, "DropoutMask");
        int maskedEntries = 0;
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 6; j++)
            {
                float truth = counts[i, j];
                if (mask[i][j] != 0)
                {
                    maskedEntries++;
                    Assert.Equal(truth, mask[i][j]);
                    Assert.Equal(0f, masked[i][j]);
                }
                else
                {
                    Assert.Equal(truth, masked[i][j]);
                }
            }
        Assert.Equal(9, maskedEntries);
        Assert.All(Rows(output), r => Assert.False(r.IsDense));
        Assert.All(Rows(output, "DropoutMask"), r => Assert.False(r.IsDense));
        Assert.Equal(SlotNames(data.Schema["Expression"]), SlotNames(output.Schema["DropoutMask"]));
        Assert.Equal(SlotNames(data.Schema["Expression"]), SlotNames(output.Schema["Expression"]));
    }

    [Fact]
    public void The_same_data_gives_the_same_mask_and_the_seed_changes_it()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts());
        var model = ml.Transforms.SimulateDropout(seed: 5).Fit(data);
        var first = Dense(model.Transform(data), "DropoutMask");
        Assert.Equal(first, Dense(model.Transform(data), "DropoutMask"));
        Assert.Equal(first, Dense(new MLContext(seed: 99).Transforms.SimulateDropout(seed: 5).Fit(data).Transform(data), "DropoutMask"));
        var other = Dense(ml.Transforms.SimulateDropout(seed: 6).Fit(data).Transform(data), "DropoutMask");
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Cells_keyed_by_id_keep_their_mask_in_any_row_order()
    {
        var ml = new MLContext(seed: 1);
        var counts = Counts();
        var data = View(counts);
        var model = ml.Transforms.SimulateDropout(seed: 3).Fit(data);
        var mask = Dense(model.Transform(data), "DropoutMask");

        var order = new[] { 9, 3, 0, 7, 1, 8, 2, 6, 4, 5 };
        var matrix = ExpressionMatrix.FromDataView(data);
        var reordered = matrix.SelectCells(order).ToDataView();
        var reorderedMask = Dense(model.Transform(reordered), "DropoutMask");
        for (int r = 0; r < order.Length; r++)
            Assert.Equal(mask[order[r]], reorderedMask[r]);
    }

    [Fact]
    public void Without_a_cell_id_column_rows_are_keyed_by_row_id_and_counts_stay_exact()
    {
        var ml = new MLContext(seed: 1);
        var counts = Counts();
        var rows = Enumerable.Range(0, 10).Select(i => new DenseRow { Counts = Enumerable.Range(0, 6).Select(j => counts[i, j]).ToArray() });
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.SimulateDropout("Masked", "Counts", maskRate: 0.5).Fit(data);
        Assert.Equal(15, model.MaskedCount);
        var mask = Dense(model.Transform(data), "DropoutMask");
        Assert.Equal(15, mask.Sum(r => r.Count(v => v != 0)));
        Assert.Equal(mask, Dense(model.Transform(data), "DropoutMask"));
    }

    [Fact]
    public void Rate_zero_masks_nothing_and_rate_one_masks_everything()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts());
        var none = ml.Transforms.SimulateDropout(maskRate: 0).Fit(data).Transform(data);
        Assert.All(Dense(none, "DropoutMask"), r => Assert.All(r, v => Assert.Equal(0f, v)));
        var all = ml.Transforms.SimulateDropout(maskRate: 1).Fit(data).Transform(data);
        Assert.All(Dense(all), r => Assert.All(r, v => Assert.Equal(0f, v)));
        Assert.Equal(30, Dense(all, "DropoutMask").Sum(r => r.Count(v => v != 0)));
    }

    [Fact]
    public void Every_nonzero_entry_is_equally_likely_to_be_masked()
    {
        // 400 seeds x 9 of 30 entries: each entry is masked 120 times in expectation (sd ~9.2).
        var ml = new MLContext(seed: 1);
        var counts = Counts();
        var data = View(counts);
        var hits = new int[10, 6];
        const int seeds = 400;
        for (int s = 0; s < seeds; s++)
        {
            var mask = Dense(ml.Transforms.SimulateDropout(seed: s).Fit(data).Transform(data), "DropoutMask");
            for (int i = 0; i < 10; i++)
                for (int j = 0; j < 6; j++)
                    if (mask[i][j] != 0) hits[i, j]++;
        }
        for (int i = 0; i < 10; i++)
            for (int j = 0; j < 6; j++)
            {
                if (counts[i, j] == 0) Assert.Equal(0, hits[i, j]);
                else Assert.InRange(hits[i, j], 120 - 46, 120 + 46); // 5 sd
            }
    }

    [Fact]
    public void PaperMaskRate_is_the_density_capped_at_0_3()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal(0.3, DropoutSimulatingEstimator.PaperMaskRate(View(Counts())), 12);
        var sparse = View(new float[,] { { 1, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 2, 0, 0 } });
        Assert.Equal(2.0 / 12, DropoutSimulatingEstimator.PaperMaskRate(sparse), 12);
        Assert.Equal(2.0 / 12, ml.Transforms.SimulateDropout().Fit(sparse).MaskRate, 12);
    }

    [Fact]
    public void Options_and_columns_are_validated()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SimulateDropout(maskRate: 1.5));
        Assert.Throws<ArgumentException>(() => ml.Transforms.SimulateDropout(maskColumnName: "Expression"));
        var data = View(Counts());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SimulateDropout("Out", "CellId").Fit(data));
        Assert.Contains("'CellId'", e.Message);
        var model = ml.Transforms.SimulateDropout().Fit(data);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(View(new float[,] { { 1, 2 } })));
        Assert.Contains("fitted on 6", e.Message);
    }

    private sealed class DenseRow
    {
        [VectorType(6)]
        public float[] Counts { get; set; } = Array.Empty<float>();
    }
}

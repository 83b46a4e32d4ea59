using Microsoft.ML;
using ScGnn.MLNet.Preprocessing;
using static ScGnn.MLNet.Tests.Preprocessing.PreprocessingTestData;

namespace ScGnn.MLNet.Tests.Preprocessing;

public class VariableGeneSelectionTests
{
    // Per gene over the 4 cells, dispersion = sample variance (n-1) / (1 + mean):
    // g0 0,0,0,0  mean 0 var 0          -> 0
    // g1 1,1,1,1  mean 1 var 0          -> 0
    // g2 0,2,0,2  mean 1 var 4/3        -> (4/3)/2 = 0.6667
    // g3 0,0,0,8  mean 2 var 48/3 = 16  -> 16/3    = 5.3333
    // g4 1,3,1,3  mean 2 var 4/3        -> (4/3)/3 = 0.4444
    private static readonly float[,] Counts =
    {
        { 0, 1, 0, 0, 1 },
        { 0, 1, 2, 0, 3 },
        { 0, 1, 0, 0, 1 },
        { 0, 1, 2, 8, 3 },
    };

    [Fact]
    public void Keeps_genes_above_threshold_in_descending_dispersion_order()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.SelectVariableGenes().Fit(data);

        Assert.Equal(new[] { 3, 2 }, model.KeptGeneIndices);
        Assert.Equal(new[] { "g3", "g2" }, model.KeptGeneNames);
        Assert.Equal(16.0 / 3, model.KeptGeneDispersions[0], 12);
        Assert.Equal(2.0 / 3, model.KeptGeneDispersions[1], 12);
        Assert.Equal(5, model.InputGeneCount);
        Assert.Equal(11.0 / 20, model.InputDensity, 12); // 11 non-zeros in 4 x 5

        var output = model.Transform(data);
        Assert.Equal(new[] { "g3", "g2" }, SlotNames(output.Schema["Expression"]));
        Assert.Equal(2, ((Microsoft.ML.Data.VectorDataViewType)output.Schema["Expression"].Type).Size);
        var rows = Dense(output);
        Assert.Equal(new[] { 0f, 0f }, rows[0]);
        Assert.Equal(new[] { 0f, 2f }, rows[1]);
        Assert.Equal(new[] { 8f, 2f }, rows[3]);
    }

    [Fact]
    public void Sparse_rows_stay_sparse_with_sorted_indices()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var output = ml.Transforms.SelectVariableGenes(topGeneCount: 3).Fit(data).Transform(data);
        var rows = Rows(output);
        // Cell 0 keeps only g4 (slot 2).
        Assert.False(rows[0].IsDense);
        Assert.Equal(new[] { 2 }, rows[0].GetIndices().ToArray());
        Assert.Equal(new[] { 1f }, rows[0].GetValues().ToArray());
        // Cell 1 keeps g2 (slot 1) and g4 (slot 2); g3 (slot 0) is zero there.
        Assert.False(rows[1].IsDense);
        Assert.Equal(new[] { 1, 2 }, rows[1].GetIndices().ToArray());
        Assert.Equal(new[] { 2f, 3f }, rows[1].GetValues().ToArray());
    }

    [Fact]
    public void TopGeneCount_keeps_the_largest_dispersions()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.SelectVariableGenes(topGeneCount: 3).Fit(data);
        Assert.Equal(new[] { 3, 2, 4 }, model.KeptGeneIndices);
        Assert.Equal(new[] { 8f, 2f, 3f }, Dense(model.Transform(data))[3]);
        // More than there are genes: all of them, still by descending dispersion (ties by position).
        Assert.Equal(new[] { 3, 2, 4, 0, 1 }, ml.Transforms.SelectVariableGenes(topGeneCount: 50).Fit(data).KeptGeneIndices);
    }

    [Fact]
    public void KeepOriginalOrder_keeps_input_order()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var model = ml.Transforms.SelectVariableGenes(new VariableGeneSelectingEstimator.Options { KeepOriginalOrder = true }).Fit(data);
        Assert.Equal(new[] { 2, 3 }, model.KeptGeneIndices);
        Assert.Equal(new[] { "g2", "g3" }, SlotNames(model.Transform(data).Schema["Expression"]));
        Assert.Equal(new[] { 2f, 8f }, Dense(model.Transform(data))[3]);
    }

    [Fact]
    public void Threshold_is_strict_and_no_passing_gene_is_an_error_naming_the_best_gene()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        Assert.Equal(new[] { 3 }, ml.Transforms.SelectVariableGenes(minDispersion: 2.0 / 3).Fit(data).KeptGeneIndices);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SelectVariableGenes(minDispersion: 6).Fit(data));
        Assert.Contains("'Expression'", e.Message);
        Assert.Contains("5.33333", e.Message);
        Assert.Contains("'g3'", e.Message);
    }

    [Fact]
    public void Dense_input_and_a_separate_output_column_work()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new DenseRow
        {
            Counts = Enumerable.Range(0, 5).Select(j => Counts[i, j]).ToArray(),
        }));
        var output = ml.Transforms.SelectVariableGenes("Selected", "Counts").Fit(data).Transform(data);
        Assert.Equal(new[] { 8f, 2f }, Dense(output, "Selected")[3]);
        Assert.Null(SlotNames(output.Schema["Selected"]));
        Assert.Equal(5, Dense(output, "Counts")[3].Length);
    }

    [Fact]
    public void Wrong_input_is_rejected_with_the_column_named()
    {
        var ml = new MLContext(seed: 1);
        var data = View(Counts);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SelectVariableGenes("Out", "Missing").Fit(data));
        Assert.Contains("'Missing'", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SelectVariableGenes("Out", "CellId").GetOutputSchema(Shape(data.Schema)));
        Assert.Contains("'CellId'", e.Message);
        Assert.Contains("known-size vector of Single", e.Message);
    }

    [Fact]
    public void Fitted_selection_rejects_other_gene_counts_and_orders()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.SelectVariableGenes().Fit(View(Counts));
        var fewer = View(new float[,] { { 1, 2, 3 } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(fewer));
        Assert.Contains("3 genes", e.Message);
        var shuffled = View(Counts, geneIds: new[] { "g0", "g1", "g3", "g2", "g4" });
        e = Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(shuffled.Schema));
        Assert.Contains("'g2'", e.Message);
    }

    [Fact]
    public void One_cell_is_not_enough_for_a_sample_variance()
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Transforms.SelectVariableGenes().Fit(View(new float[,] { { 1, 2 } })));
        Assert.Contains("n-1", e.Message);
    }

    [Fact]
    public void Options_are_validated()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SelectVariableGenes(topGeneCount: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SelectVariableGenes(minDispersion: double.NaN));
    }

    private sealed class DenseRow
    {
        [Microsoft.ML.Data.VectorType(5)]
        public float[] Counts { get; set; } = Array.Empty<float>();
    }
}

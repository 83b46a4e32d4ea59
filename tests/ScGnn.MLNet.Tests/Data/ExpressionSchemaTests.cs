using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class ExpressionSchemaTests
{
    [Fact]
    public void Non_zeros_of_dense_and_sparse_rows_ascend_by_slot_without_stored_zeros()
    {
        var idx = new int[5];
        var val = new float[5];
        var dense = new VBuffer<float>(5, new float[] { 0, 2, 0, 0, 3.5f });
        Assert.Equal(2, ExpressionSchema.NonZeros(dense, idx, val));
        Assert.Equal(new[] { 1, 4 }, idx[..2]);
        Assert.Equal(new[] { 2f, 3.5f }, val[..2]);

        // A sparse row with an explicitly stored zero at slot 2.
        var sparse = new VBuffer<float>(5, 3, new float[] { 7, 0, 1 }, new[] { 0, 2, 3 });
        Assert.Equal(2, ExpressionSchema.NonZeros(sparse, idx, val));
        Assert.Equal(new[] { 0, 3 }, idx[..2]);
        Assert.Equal(new[] { 7f, 1f }, val[..2]);
    }

    [Fact]
    public void Gene_ids_default_to_gene_n_and_a_cell_id_column_must_be_text()
    {
        var view = ExpressionMatrix.FromDense(new float[] { 1, 0, 0, 2 }, ["a", "b"], ["g1", "g2"]).ToDataView();
        Assert.Equal(["g1", "g2"], ExpressionSchema.GeneIdsOrDefault(view.Schema["Expression"]));
        Assert.Equal("CellId", ExpressionSchema.GetCellIdColumn(view.Schema, "CellId", "data")!.Value.Name);
        Assert.Null(ExpressionSchema.GetCellIdColumn(view.Schema, "Barcode", "data"));
        Assert.Null(ExpressionSchema.GetCellIdColumn(view.Schema, null, "data"));

        var ml = new MLContext(seed: 1);
        var numeric = ml.Data.LoadFromEnumerable(new[] { new Row { Id = 1, Values = new float[] { 1, 2, 3 } } });
        Assert.Equal(["gene0", "gene1", "gene2"], ExpressionSchema.GeneIdsOrDefault(numeric.Schema["Values"]));
        var e = Assert.Throws<ArgumentException>(() => ExpressionSchema.GetCellIdColumn(numeric.Schema, "Id", "data"));
        Assert.Contains("'Id' must be text", e.Message, StringComparison.Ordinal);
    }

    private sealed class Row
    {
        public float Id { get; set; }

        [VectorType(3)]
        public float[] Values { get; set; } = [];
    }
}

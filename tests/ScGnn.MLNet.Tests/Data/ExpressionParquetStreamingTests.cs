using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>The Parquet writer streams rows from an <see cref="IDataView"/> one row group at a time.</summary>
public sealed class ExpressionParquetStreamingTests
{
    private sealed class DenseRow
    {
        [VectorType(3)]
        public float[] Expression { get; set; } = [];
    }

    [Fact]
    public void Dense_rows_of_a_data_view_round_trip_with_default_ids()
    {
        using var dir = new TempDirectory();
        var path = dir.File("dense.parquet");
        var ml = new MLContext(1);
        // 2,500 dense rows: the row-group buffer grows from 1,024 rows twice; some entries are zero.
        var rows = Enumerable.Range(0, 2500).Select(i => new DenseRow { Expression = [i % 3 == 0 ? 0 : i, 0.5f, i % 7] }).ToList();
        ExpressionParquetWriter.Write(ml.Data.LoadFromEnumerable(rows), path, new ExpressionParquetOptions());
        var m = ExpressionParquetReader.Read(path);
        Assert.Equal(2500, m.CellCount);
        Assert.Equal(["gene0", "gene1", "gene2"], m.GeneIds);
        Assert.Equal("cell0", m.CellIds[0]);
        Assert.Equal("cell2499", m.CellIds[2499]);
        var dense = m.ToDense();
        for (int i = 0; i < 2500; i++)
        {
            Assert.Equal(i % 3 == 0 ? 0 : i, dense[i * 3]);
            Assert.Equal(0.5f, dense[i * 3 + 1]);
            Assert.Equal(i % 7, dense[i * 3 + 2]);
        }
    }

    [Theory]
    [InlineData(ExpressionParquetLayout.Wide, 2)]
    [InlineData(ExpressionParquetLayout.Long, 3)]
    public async Task A_matrix_data_view_streams_into_row_groups_of_the_given_size(ExpressionParquetLayout layout, int rowGroupSize)
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.parquet");
        var counts = MatrixAssert.Counts();
        var ml = new MLContext(1);
        ml.Data.SaveAsExpressionParquet(counts.ToDataView(), path, new ExpressionParquetOptions { Layout = layout, RowGroupSize = rowGroupSize });
        MatrixAssert.Equal(counts, ExpressionParquetReader.Read(path));
        await using var reader = await ParquetReader.CreateAsync(path);
        long rows = layout == ExpressionParquetLayout.Wide ? counts.CellCount : counts.NonZeroCount;
        Assert.Equal((int)((rows + rowGroupSize - 1) / rowGroupSize), reader.RowGroupCount);
    }

    [Fact]
    public void A_missing_expression_column_is_named()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(1);
        var view = ml.Data.LoadFromEnumerable(new[] { new DenseRow { Expression = [1, 2, 3] } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ExpressionParquetWriter.Write(view, dir.File("x.parquet"), new ExpressionParquetOptions { ExpressionColumnName = "Imputed" }));
        Assert.Contains("no column 'Imputed'", e.Message);
        Assert.Empty(dir.Entries());
    }
}

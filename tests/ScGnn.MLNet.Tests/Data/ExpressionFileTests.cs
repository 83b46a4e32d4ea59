using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class ExpressionFileTests
{
    [Theory]
    [InlineData("out.csv", ExpressionFileFormat.Csv)]
    [InlineData("out.tsv", ExpressionFileFormat.Tsv)]
    [InlineData("out.txt.gz", ExpressionFileFormat.Tsv)]
    [InlineData("out.parquet", ExpressionFileFormat.Parquet)]
    [InlineData("tenx_folder", ExpressionFileFormat.TenX)]
    [InlineData("out.h5ad", ExpressionFileFormat.H5ad)]
    public void Write_then_Read_round_trips_in_the_format_the_path_implies(string name, ExpressionFileFormat format)
    {
        using var dir = new TempDirectory();
        var path = dir.File(name);
        Assert.Equal(format, ExpressionFile.DetectWriteFormat(path));
        var m = MatrixAssert.Awkward();
        ExpressionFile.Write(m, path);
        Assert.Equal(format, ExpressionFile.DetectReadFormat(path));
        MatrixAssert.Equal(m, ExpressionFile.Read(path));
        Assert.Equal([name], dir.Entries());
    }

    [Fact]
    public void Unknown_extensions_and_mtx_outputs_are_rejected()
    {
        using var dir = new TempDirectory();
        var odd = dir.Write("data.xlsx", "x");
        Assert.Throws<ArgumentException>(() => ExpressionFile.Read(odd));
        Assert.Throws<FileNotFoundException>(() => ExpressionFile.Read(dir.File("missing.csv")));
        Assert.Throws<ArgumentException>(() => ExpressionFile.Write(MatrixAssert.Counts(), dir.File("matrix.mtx.gz")));
        // Unknown output extensions fail up front instead of becoming a surprise 10x folder.
        var e = Assert.Throws<ArgumentException>(() => ExpressionFile.DetectWriteFormat(dir.File("out.xlsx")));
        Assert.Contains("'.xlsx'", e.Message);
        Assert.Throws<ArgumentException>(() => ExpressionFile.DetectWriteFormat(dir.File("results.v2")));
        Assert.Contains("read, not written", Assert.Throws<ArgumentException>(() => ExpressionFile.DetectWriteFormat(dir.File("x.h5"))).Message);
        Assert.Throws<ArgumentException>(() => ExpressionFile.Write(MatrixAssert.Counts(), dir.File("out.xlsx")));
        Assert.Equal(["data.xlsx"], dir.Entries());
        // An existing folder stays a 10x output whatever its name.
        Directory.CreateDirectory(dir.File("runs.v2"));
        Assert.Equal(ExpressionFileFormat.TenX, ExpressionFile.DetectWriteFormat(dir.File("runs.v2")));
    }

    [Fact]
    public void Catalog_loads_10x_as_a_sparse_vector_column_with_slot_names_and_saves_every_format()
    {
        using var dir = new TempDirectory();
        var m = MatrixAssert.Counts();
        TenXWriter.Write(m, dir.File("tenx"));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFrom10x(dir.File("tenx"));

        var expr = data.Schema[ScGnnDefaults.ExpressionColumnName];
        var type = Assert.IsType<VectorDataViewType>(expr.Type);
        Assert.Equal(4, type.Size);
        Assert.Equal(NumberDataViewType.Single, type.ItemType);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        expr.GetSlotNames(ref slots);
        Assert.Equal(["G1", "G2", "G3", "G4"], slots.DenseValues().Select(s => s.ToString()));
        Assert.IsType<TextDataViewType>(data.Schema[ScGnnDefaults.CellIdColumnName].Type);
        // Getters reuse buffers, so copy what each row shows.
        var rows = data.GetColumn<VBuffer<float>>(expr).Select(v => (v.IsDense, Dense: v.DenseValues().ToArray())).ToArray();
        Assert.False(rows[0].IsDense); // kept sparse
        Assert.Equal(new float[] { 1, 0, 2, 0 }, rows[0].Dense);
        Assert.Equal(new float[] { 3, 0, 0, 100000 }, rows[3].Dense);

        ml.Data.SaveAs10x(data, dir.File("tenx2"));
        ml.Data.SaveAsExpressionText(data, dir.File("m.tsv"), '\t');
        ml.Data.SaveAsExpressionParquet(data, dir.File("m.parquet"));
        ml.Data.SaveAsExpressionFile(data, dir.File("m.csv"));
        MatrixAssert.Equal(m, ExpressionMatrix.FromDataView(ml.Data.LoadFrom10x(dir.File("tenx2"))));
        MatrixAssert.Equal(m, ExpressionMatrix.FromDataView(ml.Data.LoadFromExpressionText(dir.File("m.tsv"), '\t')));
        MatrixAssert.Equal(m, ExpressionMatrix.FromDataView(ml.Data.LoadFromExpressionParquet(dir.File("m.parquet"))));
        MatrixAssert.Equal(m, ExpressionMatrix.FromDataView(ml.Data.LoadFromExpressionFile(dir.File("m.csv"))));
    }

    [Fact]
    public void Catalog_options_rename_columns()
    {
        using var dir = new TempDirectory();
        TenXWriter.Write(MatrixAssert.Counts(), dir.File("tenx"));
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFrom10x(dir.File("tenx"), new TenXReaderOptions { ExpressionColumnName = "Counts", CellIdColumnName = "Barcode" });
        Assert.NotNull(data.Schema.GetColumnOrNull("Counts"));
        Assert.NotNull(data.Schema.GetColumnOrNull("Barcode"));
        ml.Data.SaveAsExpressionParquet(data, dir.File("m.parquet"),
            new ExpressionParquetOptions { ExpressionColumnName = "Counts", CellIdColumnName = "Barcode", Layout = ExpressionParquetLayout.Long });
        MatrixAssert.Equal(MatrixAssert.Counts(), ExpressionParquetReader.Read(dir.File("m.parquet")));
        Assert.Throws<ArgumentException>(() => ml.Data.LoadFrom10x(dir.File("tenx"), new TenXReaderOptions { CellIdColumnName = "Expression" }));
    }
}

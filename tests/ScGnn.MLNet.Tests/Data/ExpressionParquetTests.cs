using Parquet;
using Parquet.Schema;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class ExpressionParquetTests
{
    [Theory]
    [InlineData(ExpressionParquetLayout.Wide, null)]
    [InlineData(ExpressionParquetLayout.Wide, 2)]
    [InlineData(ExpressionParquetLayout.Long, null)]
    [InlineData(ExpressionParquetLayout.Long, 3)]
    public void Round_trip_is_bit_exact_in_both_layouts_and_any_row_group_size(ExpressionParquetLayout layout, int? rowGroupSize)
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.parquet");
        var m = MatrixAssert.Awkward();
        ExpressionParquetWriter.Write(m, path, new ExpressionParquetOptions { Layout = layout, RowGroupSize = rowGroupSize });
        MatrixAssert.Equal(m, ExpressionParquetReader.Read(path));
        var counts = MatrixAssert.Counts();
        ExpressionParquetWriter.Write(counts, path, new ExpressionParquetOptions { Layout = layout, RowGroupSize = rowGroupSize });
        MatrixAssert.Equal(counts, ExpressionParquetReader.Read(path), symbols: true);
        Assert.Equal(["m.parquet"], dir.Entries());
    }

    [Fact]
    public async Task Wide_layout_has_a_cell_column_then_one_float_column_per_gene()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.parquet");
        ExpressionParquetWriter.Write(MatrixAssert.Counts(), path);
        await using var reader = await ParquetReader.CreateAsync(path);
        Assert.Equal(["cell", "G1", "G2", "G3", "G4"], reader.Schema.DataFields.Select(f => f.Name));
        Assert.All(reader.Schema.DataFields.Skip(1), f => Assert.Equal(typeof(float), f.ClrType));
        var rg = reader.OpenRowGroupReader(0);
        var g4 = new float[4];
        await rg.ReadAsync<float>(reader.Schema.DataFields[4], g4.AsMemory(), null, default);
        Assert.Equal(new float[] { 0, 0, 0, 100000 }, g4);
    }

    private static async Task WriteTableAsync(string path, DataField[] fields, Func<ParquetRowGroupWriter, Task> write)
    {
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs);
        using var rg = writer.CreateRowGroup();
        await write(rg);
    }

    [Fact]
    public async Task Reads_a_pandas_style_table_with_an_index_column_and_double_and_integer_genes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("pandas.parquet");
        var fields = new DataField[] { new DataField<double>("GeneA"), new DataField<long>("GeneB"), new DataField<string>("__index_level_0__") };
        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync<double>(fields[0], new double[] { 1.5, 0 }.AsMemory(), null, null, default);
            await rg.WriteAsync<long>(fields[1], new long[] { 0, 7 }.AsMemory(), null, null, default);
            await rg.WriteAsync(fields[2], new[] { "x", "y" }, null);
        });
        var m = ExpressionParquetReader.Read(path);
        Assert.Equal(["x", "y"], m.CellIds);
        Assert.Equal(["GeneA", "GeneB"], m.GeneIds);
        Assert.Equal(new float[] { 1.5f, 0, 0, 7 }, m.ToDense());
    }

    [Fact]
    public async Task Null_value_names_row_and_column()
    {
        using var dir = new TempDirectory();
        var path = dir.File("nulls.parquet");
        var fields = new DataField[] { new DataField<string>("cell"), new DataField<float?>("G1") };
        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync(fields[0], new[] { "a", "b" }, null);
            await rg.WriteAsync<float>(fields[1], new float?[] { 1, null }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(2, e.Column);
        Assert.Contains("row 2, column 'G1': value is null", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, "value is NaN")]
    [InlineData(float.PositiveInfinity, "value is infinite")]
    [InlineData(-1f, "value -1 is negative")]
    public async Task Bad_values_name_row_and_column(float bad, string phrase)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.parquet");
        var fields = new DataField[] { new DataField<string>("cell"), new DataField<float>("G1"), new DataField<float>("G2") };
        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync(fields[0], new[] { "a", "b", "c" }, null);
            await rg.WriteAsync<float>(fields[1], new float[] { 1, 2, 3 }.AsMemory(), null, null, default);
            await rg.WriteAsync<float>(fields[2], new float[] { 1, 2, bad }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Contains($"row 3, column 'G2': {phrase}", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_cells_and_text_gene_columns_are_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.File("dup.parquet");
        var fields = new DataField[] { new DataField<string>("cell"), new DataField<float>("G1") };
        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync(fields[0], new[] { "a", "a" }, null);
            await rg.WriteAsync<float>(fields[1], new float[] { 1, 2 }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Contains("row 2: duplicate cell id 'a' (first in row 1)", e.Message, StringComparison.Ordinal);

        var path2 = dir.File("text.parquet");
        var fields2 = new DataField[] { new DataField<string>("cell"), new DataField<string>("G1") };
        await WriteTableAsync(path2, fields2, async rg =>
        {
            await rg.WriteAsync(fields2[0], new[] { "a" }, null);
            await rg.WriteAsync(fields2[1], new[] { "x" }, null);
        });
        e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path2));
        Assert.Contains("gene columns must be numeric", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_layout_without_metadata_and_with_a_duplicate_entry()
    {
        using var dir = new TempDirectory();
        var path = dir.File("long.parquet");
        var fields = new DataField[] { new DataField<string>("cell"), new DataField<string>("gene"), new DataField<double>("value") };
        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync(fields[0], new[] { "c2", "c1", "c2" }, null);
            await rg.WriteAsync(fields[1], new[] { "gB", "gA", "gA" }, null);
            await rg.WriteAsync<double>(fields[2], new double[] { 2, 1, 3 }.AsMemory(), null, null, default);
        });
        var m = ExpressionParquetReader.Read(path);
        Assert.Equal(["c2", "c1"], m.CellIds); // first appearance
        Assert.Equal(["gB", "gA"], m.GeneIds);
        Assert.Equal(new float[] { 2, 3, 0, 1 }, m.ToDense());

        await WriteTableAsync(path, fields, async rg =>
        {
            await rg.WriteAsync(fields[0], new[] { "c1", "c2", "c1" }, null);
            await rg.WriteAsync(fields[1], new[] { "gA", "gA", "gA" }, null);
            await rg.WriteAsync<double>(fields[2], new double[] { 1, 2, 3 }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Contains("row 3: duplicate entry for cell 'c1', gene 'gA' (first in row 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_parquet_is_reported()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("fake.parquet", "cell,G1\na,1\n");
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not a readable Parquet file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wide_layout_rejects_a_gene_named_cell()
    {
        using var dir = new TempDirectory();
        var m = ExpressionMatrix.FromDense(new float[] { 1 }, ["a"], ["cell"]);
        Assert.Throws<ArgumentException>(() => ExpressionParquetWriter.Write(m, dir.File("x.parquet")));
        ExpressionParquetWriter.Write(m, dir.File("x.parquet"), new ExpressionParquetOptions { Layout = ExpressionParquetLayout.Long });
        MatrixAssert.Equal(m, ExpressionParquetReader.Read(dir.File("x.parquet")));
    }
}

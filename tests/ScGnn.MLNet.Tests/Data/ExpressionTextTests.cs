using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class ExpressionTextTests
{
    [Theory]
    [InlineData("m.csv", ',')]
    [InlineData("m.tsv", '\t')]
    [InlineData("m.csv.gz", ',')]
    [InlineData("m.txt", ';')]
    public void Round_trip_is_bit_exact(string name, char separator)
    {
        using var dir = new TempDirectory();
        var m = MatrixAssert.Awkward();
        var path = dir.File(name);
        ExpressionTextWriter.Write(m, path, separator);
        MatrixAssert.Equal(m, ExpressionTextReader.Read(path, separator));
        Assert.Equal([name], dir.Entries());
    }

    [Fact]
    public void Writes_a_pandas_style_table_with_quoted_ids()
    {
        using var dir = new TempDirectory();
        var m = ExpressionMatrix.FromDense(new float[] { 1, 0.5f, 0, 2 }, ["a,1", "b"], ["g\"1", "g2"]);
        var path = dir.File("m.csv");
        ExpressionTextWriter.Write(m, path);
        Assert.Equal("cell,\"g\"\"1\",g2\n\"a,1\",1,0.5\nb,0,2\n", File.ReadAllText(path));
    }

    [Fact]
    public void Rows_formatted_in_blocks_are_written_in_order()
    {
        // 1,000 genes: about 130 rows per formatted block, so 300 cells span three blocks.
        using var dir = new TempDirectory();
        const int cells = 300, genes = 1000;
        var rng = new Random(3);
        var dense = new float[cells * genes];
        for (int i = 0; i < dense.Length; i++) if (rng.Next(3) == 0) dense[i] = (float)(rng.NextDouble() * 100);
        var cellIds = Enumerable.Range(0, cells).Select(c => $"c{c}").ToArray();
        var geneIds = Enumerable.Range(0, genes).Select(g => $"g{g}").ToArray();
        var m = ExpressionMatrix.FromDense(dense, cellIds, geneIds);
        var path = dir.File("m.csv");
        ExpressionTextWriter.Write(m, path);
        var expected = new System.Text.StringBuilder("cell," + string.Join(',', geneIds) + "\n");
        for (int c = 0; c < cells; c++)
            expected.Append(cellIds[c]).Append(',')
                .AppendJoin(',', dense.Skip(c * genes).Take(genes).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
                .Append('\n');
        Assert.Equal(expected.ToString(), File.ReadAllText(path));
    }

    [Theory]
    [InlineData("v.csv", ',')]
    [InlineData("v.tsv.gz", '\t')]
    public void A_data_view_is_streamed_to_the_same_file_as_its_matrix(string name, char separator)
    {
        // 1,000 genes: about 130 rows per formatted block, so 300 cells take more than one cursor pass of blocks.
        using var dir = new TempDirectory();
        const int cells = 300, genes = 1000;
        var rng = new Random(5);
        var dense = new float[cells * genes];
        for (int i = 0; i < dense.Length; i++) if (rng.Next(4) == 0) dense[i] = (float)(rng.NextDouble() * 50);
        var m = ExpressionMatrix.FromDense(dense, Enumerable.Range(0, cells).Select(c => $"c,{c}").ToArray(),
            Enumerable.Range(0, genes).Select(g => $"g{g}").ToArray());
        var options = new ExpressionTextOptions { Separator = separator };
        ExpressionTextWriter.Write(m, dir.File("m-" + name), options);
        ExpressionTextWriter.Write(m.ToDataView(), dir.File(name), options);
        var read = ExpressionTextReader.Read(dir.File(name), separator);
        MatrixAssert.Equal(m, read);
        if (!name.EndsWith(".gz", StringComparison.Ordinal))
            Assert.Equal(File.ReadAllBytes(dir.File("m-" + name)), File.ReadAllBytes(dir.File(name)));
    }

    [Fact]
    public void A_data_view_without_ids_gets_the_matrix_readers_names_and_a_wrong_column_writes_nothing()
    {
        using var dir = new TempDirectory();
        var m = ExpressionMatrix.FromDense(new float[] { 1, 0, 0, 2.5f, 0, 0 }, ["a", "b", "c"], ["g1", "g2"]);
        var view = m.ToDataView("Expression", "Barcode");
        ExpressionTextWriter.Write(view, dir.File("v.csv"), new ExpressionTextOptions());
        Assert.Equal("cell,g1,g2\ncell0,1,0\ncell1,0,2.5\ncell2,0,0\n", File.ReadAllText(dir.File("v.csv")));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ExpressionTextWriter.Write(view, dir.File("w.csv"), new ExpressionTextOptions { ExpressionColumnName = "Imputed" }));
        Assert.Contains("no column 'Imputed'", e.Message);
        Assert.Equal(["v.csv"], dir.Entries());
    }

    [Fact]
    public void Reads_an_unnamed_index_header_crlf_and_spaces_around_values()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("m.csv", ",G1,\"G,2\"\r\nc1, 1.5 ,0\r\n\"c\"\"2\",0,3e2\r\n");
        var m = ExpressionTextReader.Read(path);
        Assert.Equal(["c1", "c\"2"], m.CellIds);
        Assert.Equal(["G1", "G,2"], m.GeneIds);
        Assert.Equal(new float[] { 1.5f, 0, 0, 300 }, m.ToDense());
    }

    [Theory]
    [InlineData("cell,G1,G2\nc1,1\n", 2, null, "line has 2 fields, but the header has 3")]
    [InlineData("cell,G1,G2\nc1,1,2,3\n", 2, 8, "more than the header's 3 fields")]
    [InlineData("cell,G1,G2\nc1,1,x\n", 2, 6, "value for gene 'G2' 'x' is not a number")]
    [InlineData("cell,G1,G2\nc1,1,NaN\n", 2, 6, "is NaN")]
    [InlineData("cell,G1,G2\nc1,-Infinity,1\n", 2, 4, "is infinite")]
    [InlineData("cell,G1,G2\nc1,1,-0.5\n", 2, 6, "'-0.5' is negative")]
    [InlineData("cell,G1,G2\nc1,,1\n", 2, 4, "value for gene 'G1' is empty")]
    [InlineData("cell,G1,G2\nc1,1,2\nc1,3,4\n", 3, 1, "duplicate cell id 'c1' (first on line 2)")]
    [InlineData("cell,G1,G1\nc1,1,2\n", 1, 9, "duplicate gene id 'G1' in header fields 2 and 3")]
    [InlineData("cell,G1,\nc1,1,2\n", 1, 9, "gene id in header field 3 is empty")]
    [InlineData("cell\nc1\n", 1, null, "no gene columns")]
    [InlineData("", 1, null, "file is empty")]
    [InlineData("cell,G1\n\"c1,1\n", 2, 1, "unterminated quoted field")]
    [InlineData("cell,G1\n\"c1\"x,1\n", 2, 5, "unexpected character after a closing quote")]
    public void Malformed_text_names_file_line_and_column(string text, int line, int? column, string phrase)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("bad.csv", text);
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionTextReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(column, e.Column);
        Assert.Contains(phrase, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}, line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_values_can_be_allowed()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("neg.tsv", "cell\tG1\nc1\t-2.5\n");
        var m = ExpressionTextReader.Read(path, new ExpressionTextOptions { Separator = '\t', AllowNegativeValues = true });
        Assert.Equal(-2.5f, m[0, 0]);
    }

    [Fact]
    public void Unusable_separators_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ExpressionTextReader.Read("x.csv", '.'));
        Assert.Throws<ArgumentException>(() => ExpressionTextReader.Read("x.csv", '"'));
    }
}

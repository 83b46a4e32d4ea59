using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class CellLabelsTests
{
    private static ExpressionMatrix Matrix() =>
        ExpressionMatrix.FromDense(new float[] { 1, 0, 0, 2, 3, 0 }, ["c1", "c2", "c3"], ["g1", "g2"]);

    [Fact]
    public void Reads_with_or_without_header_and_aligns_to_cells()
    {
        using var dir = new TempDirectory();
        var withHeader = CellLabels.Read(dir.Write("a.tsv", "cell\tlabel\nc3\tB cell\nc1\tT cell\nc2\tT cell\n"));
        var without = CellLabels.Read(dir.Write("b.tsv", "c3\tB cell\r\nc1\tT cell\r\nc2\tT cell\r\n"));
        var withBom = CellLabels.Read(dir.Write("c.tsv", "\uFEFFcell\tlabel\nc3\tB cell\nc1\tT cell\nc2\tT cell"));
        foreach (var labels in new[] { withHeader, without, withBom })
        {
            Assert.Equal(3, labels.Count);
            Assert.Equal(["B cell", "T cell"], labels.Classes);
            Assert.Equal(["T cell", "T cell", "B cell"], labels.Align(Matrix()));
        }
    }

    [Theory]
    [InlineData("c1\tA\nc1\tB\n", 2, "cell 'c1' is labelled again (first on line 1)")]
    [InlineData("c1\tA\nc2\n", 2, "found one")]
    [InlineData("c1\tA\tx\n", 1, "found more")]
    [InlineData("c1\t\n", 1, "label is empty")]
    public void Malformed_labels_name_file_and_line(string text, int line, string phrase)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("labels.tsv", text);
        var e = Assert.Throws<ExpressionFormatException>(() => CellLabels.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(phrase, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlabelled_cells_and_extra_labels_are_listed_unless_allowed()
    {
        using var dir = new TempDirectory();
        var labels = CellLabels.Read(dir.Write("l.tsv", "cell\tlabel\nc1\tA\nc9\tZ\nc3\tB\n"));
        var e = Assert.Throws<ExpressionFormatException>(() => labels.Align(Matrix()));
        Assert.Contains("1 of 3 cells have no label: 'c2'", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ExpressionFormatException>(() => labels.Align(Matrix(), new CellLabelJoinOptions { AllowUnlabeledCells = true }));
        Assert.Contains("1 labelled cells are not in the data: 'c9'", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.LineNumber);

        var aligned = labels.Align(Matrix(), new CellLabelJoinOptions { AllowUnlabeledCells = true, AllowExtraLabels = true });
        Assert.Equal(["A", "", "B"], aligned);
    }

    [Fact]
    public void JoinTo_adds_a_text_column_looked_up_by_cell_id()
    {
        var labels = new CellLabels(["c2", "c1", "c3"], ["T", "B", "NK"]);
        var view = labels.JoinTo(Matrix().ToDataView());
        var column = view.Schema[ScGnnDefaults.CellTypeColumnName];
        Assert.IsType<TextDataViewType>(column.Type);
        Assert.Equal(["B", "T", "NK"], view.GetColumn<ReadOnlyMemory<char>>(column).Select(m => m.ToString()));

        // Requesting only the label column still works (the cursor reads the id column underneath).
        using var cursor = view.GetRowCursor(new[] { column });
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        Assert.True(cursor.MoveNext());
        get(ref value);
        Assert.Equal("B", value.ToString());

        // The expression column passes through unchanged.
        var back = ExpressionMatrix.FromDataView(view);
        MatrixAssert.Equal(Matrix(), back);
    }

    [Fact]
    public void JoinTo_checks_the_cell_id_column()
    {
        var labels = new CellLabels(["c1"], ["A"]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            labels.JoinTo(Matrix().ToDataView(), new CellLabelJoinOptions { CellIdColumnName = "Barcode" }));
        Assert.Contains("no column 'Barcode'", e.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => labels.JoinTo(Matrix().ToDataView()));
        Assert.Contains("2 of 3 cells have no label", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_joins_labels_from_a_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("l.tsv", "c1\tA\nc2\tA\nc3\tB\n");
        var ml = new MLContext(seed: 1);
        var view = ml.Data.JoinCellLabels(Matrix().ToDataView(), path);
        Assert.Equal(["A", "A", "B"], view.GetColumn<ReadOnlyMemory<char>>(ScGnnDefaults.CellTypeColumnName).Select(m => m.ToString()));
    }
}

using ScGnn.MLNet.Data;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>
/// Issue 12 items 8 and 10: a genes x cells table is caught and can be read with --transpose; help and the final line
/// say what the output holds; 10x gene symbols on request.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class InputOutputTextTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The sample cells with barcodes as cell ids and Ensembl ids (and symbols) as gene ids.</summary>
    private static ExpressionMatrix Sample()
    {
        var m = SampleData.Simulate().Observed;
        var barcodes = Enumerable.Range(0, m.CellCount).Select(i => Barcode(i) + "-1").ToArray();
        var ensembl = Enumerable.Range(0, m.GeneCount).Select(j => $"ENSG{j + 1:D11}").ToArray();
        var symbols = Enumerable.Range(0, m.GeneCount).Select(j => j == 1 ? "SYM0" : $"SYM{j}").ToArray();
        return new ExpressionMatrix(barcodes, ensembl, m.RowPointers.ToArray(), m.ColumnIndices.ToArray(), m.Values.ToArray(), symbols);
    }

    private static string Barcode(int i)
    {
        var chars = new char[14];
        for (int k = 0; k < chars.Length; k++, i /= 4) chars[k] = "ACGT"[i % 4];
        return new string(chars);
    }

    [Fact]
    public void Genes_by_cells_csv_is_refused_with_the_transpose_hint_and_read_with_it()
    {
        var cells = Sample();
        var transposed = ExpressionMatrix.FromDense(Transpose(cells.ToDense(), cells.CellCount, cells.GeneCount), cells.GeneIds, cells.CellIds);
        ExpressionFile.Write(transposed, _dir.File("genes-by-cells.csv"));

        var refused = ScgnnApp.Run(_dir.Path, "impute", "--input", "genes-by-cells.csv", "--output", "out.csv");
        var line = ScgnnApp.AssertOneLineError(refused, 1);
        Assert.Contains("look like cell barcodes", line);
        Assert.Contains("--transpose", line);
        Assert.False(File.Exists(_dir.File("out.csv")));

        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "genes-by-cells.csv", "--transpose", "--output", "out.csv", "--epochs", "2",
            "--no-filter", "--no-normalize");
        Assert.True(run.ExitCode == 0, run.ToString());
        var imputed = ExpressionFile.Read(_dir.File("out.csv"));
        Assert.Equal(cells.CellIds, imputed.CellIds);
        Assert.Equal(cells.GeneIds, imputed.GeneIds);
    }

    [Fact]
    public void Final_line_and_help_say_what_the_output_holds_and_symbols_name_the_genes()
    {
        var cells = Sample();
        TenXWriter.Write(cells, _dir.File("tenx"));
        var run = ScgnnApp.Run(_dir.Path, "impute", "--input", "tenx", "--output", "out.csv", "--epochs", "2", "--gene-symbols");
        Assert.True(run.ExitCode == 0, run.ToString());
        var last = run.Stdout.TrimEnd().Split('\n')[^1];
        var imputed = ExpressionFile.Read(_dir.File("out.csv"));
        Assert.Contains($"120 cells x {imputed.GeneCount} of 150 genes (variance/(1+mean) > 0.5, sample variance)", last);
        Assert.Contains("median-normalized values", last);
        Assert.Contains("gene symbols", last);
        Assert.All(imputed.GeneIds, g => Assert.StartsWith("SYM", g));

        var help = ScgnnApp.Run(_dir.Path, "impute", "--help");
        Assert.Contains("What the output holds", help.Stdout);
        Assert.Contains("median-normalized", help.Stdout);
        Assert.Contains("--gene-symbols", help.Stdout);
        Assert.Contains("--transpose", help.Stdout);

        var wrongInput = ScgnnApp.Run(_dir.Path, "impute", "--input", "out.csv", "--output", "again.csv", "--gene-symbols");
        Assert.Contains("--gene-symbols", ScgnnApp.AssertOneLineError(wrongInput, 2));
    }

    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[(long)j * rows + i] = m[(long)i * cols + j];
        return t;
    }
}

using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class TenXReaderTests
{
    // 3 genes x 2 cells in the file; our matrix is 2 cells x 3 genes:
    //   cell A: G1=1, G3=4      cell B: G2=2, G3=7
    private const string Features = "G1\tSym1\tGene Expression\nG2\tSym2\tGene Expression\nG3\tSym3\tGene Expression\n";
    private const string Barcodes = "A\nB\n";
    private const string Header = "%%MatrixMarket matrix coordinate integer general\n%metadata_json: {\"format_version\": 2}\n";
    private const string Matrix = Header + "3 2 4\n1 1 1\n3 1 4\n2 2 2\n3 2 7\n";

    private static TempDirectory Folder(string matrix = Matrix, string features = Features, string barcodes = Barcodes, bool gzip = true,
        bool v2 = false)
    {
        var dir = new TempDirectory();
        string gz = gzip ? ".gz" : "";
        dir.Write("matrix.mtx" + gz, matrix);
        dir.Write((v2 ? "genes.tsv" : "features.tsv") + gz, features);
        dir.Write("barcodes.tsv" + gz, barcodes);
        return dir;
    }

    private static void AssertSmall(ExpressionMatrix m)
    {
        Assert.Equal(["A", "B"], m.CellIds);
        Assert.Equal(["G1", "G2", "G3"], m.GeneIds);
        Assert.Equal(new float[] { 1, 0, 4, 0, 2, 7 }, m.ToDense());
        Assert.Equal(4, m.NonZeroCount);
    }

    [Fact]
    public void Reads_v3_gzip_folder_transposing_genes_x_cells_to_cells_x_genes()
    {
        using var dir = Folder();
        var m = TenXReader.Read(dir.Path);
        AssertSmall(m);
        Assert.Equal(["Sym1", "Sym2", "Sym3"], m.GeneSymbols!);
    }

    [Fact]
    public void Reads_v3_uncompressed_folder_and_accepts_the_matrix_file_path()
    {
        using var dir = Folder(gzip: false);
        AssertSmall(TenXReader.Read(dir.Path));
        AssertSmall(TenXReader.Read(dir.File("matrix.mtx")));
    }

    [Fact]
    public void Reads_v2_folder_with_two_column_genes_tsv()
    {
        using var dir = Folder(features: "G1\tSym1\nG2\tSym2\nG3\tSym3\n", gzip: false, v2: true);
        var m = TenXReader.Read(dir.Path);
        AssertSmall(m);
        Assert.Equal(["Sym1", "Sym2", "Sym3"], m.GeneSymbols!);
    }

    [Fact]
    public void Reads_v2_gzip_folder_with_crlf_lines_and_blank_lines()
    {
        var matrix = Matrix.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";
        using var dir = Folder(matrix, "G1\tSym1\r\nG2\tSym2\r\nG3\tSym3\r\n", "A\r\nB\r\n", gzip: true, v2: true);
        AssertSmall(TenXReader.Read(dir.Path));
    }

    [Fact]
    public void Reads_real_valued_matrix()
    {
        using var dir = Folder("%%MatrixMarket matrix coordinate real general\n3 2 3\n1 1 0.5\n3 1 1e-3\n2 2 2.25E2\n");
        var m = TenXReader.Read(dir.Path);
        Assert.Equal(new float[] { 0.5f, 0, 0.001f, 0, 225f, 0 }, m.ToDense());
    }

    [Fact]
    public void Entries_in_any_order_are_sorted_per_cell()
    {
        using var dir = Folder(Header + "3 2 4\n3 2 7\n3 1 4\n2 2 2\n1 1 1\n");
        var m = TenXReader.Read(dir.Path);
        AssertSmall(m);
        Assert.Equal([0, 2], m.RowIndices(0).ToArray());
        Assert.Equal([1, 2], m.RowIndices(1).ToArray());
    }

    [Fact]
    public void Header_words_are_case_insensitive_and_size_line_may_follow_several_comments()
    {
        using var dir = Folder("%%matrixmarket MATRIX Coordinate Integer GENERAL\n% one\n%two\n\n3 2 1\n2 1 5\n");
        Assert.Equal(new float[] { 0, 5, 0, 0, 0, 0 }, TenXReader.Read(dir.Path).ToDense());
    }

    [Fact]
    public void Gene_expression_only_drops_other_feature_types_and_symbols_can_be_made_unique()
    {
        using var dir = Folder(features: "G1\tCD3\tGene Expression\nAB1\tCD3\tAntibody Capture\nG3\tCD3\tGene Expression\n");
        var m = TenXReader.Read(dir.Path);
        Assert.Equal(["G1", "G3"], m.GeneIds);
        Assert.Equal(new float[] { 1, 4, 0, 7 }, m.ToDense());

        var all = TenXReader.Read(dir.Path, new TenXReaderOptions { GeneExpressionOnly = false, UseGeneSymbols = true });
        Assert.Equal(["CD3", "CD3-1", "CD3-2"], all.GeneIds);
        Assert.Equal(["CD3", "CD3", "CD3"], all.GeneSymbols!);
        AssertSmall(new ExpressionMatrix(all.CellIds, ["G1", "G2", "G3"], all.RowPointers.ToArray(), all.ColumnIndices.ToArray(), all.Values.ToArray()));
    }

    [Fact]
    public void MakeUnique_follows_anndata_make_index_unique()
    {
        // anndata skips suffixes that collide with existing names: the second 'a' cannot be 'a-1'.
        Assert.Equal(["a", "b", "a-2", "a-1", "a-3"], TenXReader.MakeUnique(["a", "b", "a", "a-1", "a"]));
    }

    [Fact]
    public void A_folder_with_two_matrix_files_is_ambiguous()
    {
        using var dir = Folder();
        dir.Write("matrix.mtx", Matrix);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Contains("matrix.mtx.gz, matrix.mtx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported_with_the_expected_names()
    {
        using var dir = Folder();
        File.Delete(dir.File("barcodes.tsv.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => TenXReader.Read(dir.Path));
        Assert.Contains("barcodes.tsv.gz", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string, int, string> MalformedMatrices => new()
    {
        // name, matrix, features, barcodes, expected line, expected phrase
        { "not MatrixMarket", "hello\n3 2 0\n", Features, Barcodes, 1, "not a MatrixMarket file" },
        { "dense array", "%%MatrixMarket matrix array integer general\n3 2\n", Features, Barcodes, 1, "format 'array' is not supported" },
        { "pattern field", "%%MatrixMarket matrix coordinate pattern general\n3 2 0\n", Features, Barcodes, 1, "field 'pattern' is not supported" },
        { "symmetric", "%%MatrixMarket matrix coordinate integer symmetric\n3 2 0\n", Features, Barcodes, 1, "symmetry 'symmetric'" },
        { "short header", "%%MatrixMarket matrix coordinate\n3 2 0\n", Features, Barcodes, 1, "expected 5 words" },
        { "size line missing", Header + "% only comments\n", Features, Barcodes, 4, "size line" },
        { "size line invalid", Header + "3 x 2\n", Features, Barcodes, 3, "invalid size line" },
        { "size line short", Header + "3 2\n", Features, Barcodes, 3, "missing the number of entries" },
        { "row out of range", Header + "3 2 1\n4 1 1\n", Features, Barcodes, 4, "row (gene) index 4 is out of range 1..3" },
        { "zero index", Header + "3 2 1\n1 0 1\n", Features, Barcodes, 4, "column (cell) index 0 is out of range 1..2" },
        { "non-numeric", Header + "3 2 1\n1 1 abc\n", Features, Barcodes, 4, "'abc' is not a number" },
        { "non-integer", Header + "3 2 1\n1 1 1.5\n", Features, Barcodes, 4, "'1.5' is not an integer" },
        { "negative", Header + "3 2 1\n1 1 -3\n", Features, Barcodes, 4, "'-3' is negative" },
        { "NaN", "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 1 NaN\n", Features, Barcodes, 3, "'NaN' is NaN" },
        { "infinite", "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 1 inf\n", Features, Barcodes, 3, "'inf' is infinite" },
        { "overflow", "%%MatrixMarket matrix coordinate real general\n3 2 1\n1 1 1e39\n", Features, Barcodes, 3, "too large" },
        { "missing value", Header + "3 2 1\n1 1\n", Features, Barcodes, 4, "missing value" },
        { "extra field", Header + "3 2 1\n1 1 1 9\n", Features, Barcodes, 4, "extra field" },
        { "duplicate, sorted", Header + "3 2 2\n1 1 1\n1 1 2\n", Features, Barcodes, 5, "duplicate entry for gene 1 ('G1'), cell 1 ('A'); first on line 4" },
        { "duplicate, unsorted", Header + "3 2 3\n2 2 1\n1 1 2\n2 2 3\n", Features, Barcodes, 6, "duplicate entry for gene 2 ('G2'), cell 2 ('B'); first on line 4" },
        { "more entries", Header + "3 2 1\n1 1 1\n2 1 1\n", Features, Barcodes, 5, "more entries than the 1 the header (line 3) claims" },
        { "fewer entries", Header + "3 2 3\n1 1 1\n2 1 1\n", Features, Barcodes, 5, "ends after 2 entries, but the header (line 3) claims 3" },
        { "claims too many", Header + "3 2 7\n1 1 1\n", Features, Barcodes, 3, "more than genes x cells" },
        { "features disagree", Matrix, "G1\tS\tGene Expression\nG2\tS\tGene Expression\n", Barcodes, 3, "features.tsv.gz has 2 lines but the header says 3 genes" },
        { "barcodes disagree", Matrix, Features, "A\nB\nC\n", 3, "barcodes.tsv.gz has 3 lines but the header says 2 cells" },
        { "huge claimed sizes", Header + "1000000000 2000000000 9000000000\n", Features, Barcodes, 3, "files disagree on sizes" },
    };

    [Theory]
    [MemberData(nameof(MalformedMatrices))]
    public void Malformed_matrix_names_file_line_and_problem(string name, string matrix, string features, string barcodes, int line, string phrase)
    {
        using var dir = Folder(matrix, features, barcodes);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.True(e.Message.Contains(phrase, StringComparison.Ordinal), $"{name}: '{e.Message}' lacks '{phrase}'");
        Assert.Equal(dir.File("matrix.mtx.gz"), e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"{dir.File("matrix.mtx.gz")}, line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Column_of_a_bad_value_is_reported()
    {
        using var dir = Folder(Header + "3 2 1\n1  1 x7\n");
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(6, e.Column);
        Assert.Contains("line 4, column 6", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("features.tsv.gz", "G1\tA\tGene Expression\nG2\tB\tGene Expression\nG1\tC\tGene Expression\n", 3, "duplicate feature id 'G1' (first on line 1)")]
    [InlineData("features.tsv.gz", "G1\tA\tGene Expression\n\tB\tGene Expression\nG3\tC\tGene Expression\n", 2, "feature id is empty")]
    [InlineData("barcodes.tsv.gz", "A\nA\n", 2, "duplicate barcode (cell id) 'A' (first on line 1)")]
    public void Malformed_features_or_barcodes_name_their_file_and_line(string file, string text, int line, string phrase)
    {
        using var dir = Folder();
        dir.Write(file, text);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(dir.File(file), e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(phrase, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{dir.File(file)}, line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_gzip_is_reported_not_silently_read()
    {
        using var dir = Folder();
        // A larger matrix so that cutting the gzip leaves whole lines before the cut.
        var lines = new System.Text.StringBuilder(Header + "3 2 6\n");
        for (int c = 1; c <= 2; c++) for (int g = 1; g <= 3; g++) lines.Append($"{g} {c} {g * 1000 + c}\n");
        var path = dir.Write("matrix.mtx.gz", lines.ToString());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^6]);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(path, e.FilePath);
        Assert.NotNull(e.LineNumber);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains(", line ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gzip_cut_in_the_middle_is_reported_at_the_line_where_data_stops()
    {
        using var dir = Folder();
        var rng = new Random(1);
        var lines = new System.Text.StringBuilder(Header + "3 2 6\n");
        var text = Enumerable.Range(0, 20000).Select(i => $"% {rng.Next()} {rng.Next()}\n"); // incompressible comments
        lines.Append(string.Concat(text));
        for (int c = 1; c <= 2; c++) for (int g = 1; g <= 3; g++) lines.Append($"{g} {c} 1\n");
        var path = dir.Write("matrix.mtx.gz", lines.ToString());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Contains("gzip file is truncated", e.Message, StringComparison.Ordinal);
        Assert.InRange(e.LineNumber!.Value, 1000, 20000);
    }

    [Fact]
    public void Truncated_gzip_barcodes_are_reported()
    {
        using var dir = Folder();
        var path = dir.File("barcodes.tsv.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_is_reported()
    {
        using var dir = Folder();
        var path = dir.File("matrix.mtx.gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0xFF; // CRC32 of the trailer
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("gzip data is corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lying_entry_count_does_not_allocate_from_the_claim()
    {
        // 60,000 genes x 60,000 cells could hold 3.6e9 entries; the header claims 3e9 but the file has 1.
        const int n = 60_000;
        var ids = string.Concat(Enumerable.Range(0, n).Select(i => $"g{i}\n"));
        using var dir = Folder(Header + $"{n} {n} 3000000000\n1 1 1\n", ids, ids.Replace('g', 'c'));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("ends after 1 entries", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 200_000_000, $"allocated {allocated:N0} bytes");
    }
}

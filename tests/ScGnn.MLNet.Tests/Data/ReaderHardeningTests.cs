using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Fuzz;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>Hostile inputs the readers must refuse with a specific, named error and bounded memory (issue 13).</summary>
public sealed class ReaderHardeningTests
{
    private const string Header = "%%MatrixMarket matrix coordinate integer general\n";

    private static TempDirectory TenX(byte[] matrixGz, string barcodes = "A\nB\n")
    {
        var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("matrix.mtx.gz"), matrixGz);
        dir.Write("features.tsv.gz", "G1\tS1\tGene Expression\nG2\tS2\tGene Expression\n");
        dir.Write("barcodes.tsv.gz", barcodes);
        return dir;
    }

    private static (ExpressionFormatException Error, long Allocated) Measure(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ExpressionFormatException>(read);
        return (e, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_MatrixMarket_header_of_millions_of_words_is_refused_without_splitting_them_all()
    {
        // 900 KB of " x" (within the line limit) is 460,000 words; splitting them all allocated ~40 MB per MB of
        // header (gigabytes for the longer lines the old buffer allowed).
        using var dir = TenX(FuzzSeeds.GzipBomb("%%MatrixMarket", " x", 14 * 65536));
        var (e, allocated) = Measure(() => TenXReader.Read(dir.Path));
        Assert.Contains("expected 5 words", e.Message, StringComparison.Ordinal);
        Assert.Equal(dir.File("matrix.mtx.gz"), e.FilePath);
        Assert.True(allocated < 8L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_single_huge_line_stops_at_the_line_limit_instead_of_growing_the_buffer()
    {
        using var dir = TenX(FuzzSeeds.GzipBomb(Header + "%", "c", 64L << 20));
        var (e, allocated) = Measure(() => TenXReader.Read(dir.Path));
        Assert.Contains("line is longer than 1,048,574 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.LineNumber);
        Assert.True(allocated < 8L << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_huge_barcode_line_is_refused_with_bounded_memory()
    {
        var dir = new TempDirectory();
        using var _ = dir;
        dir.Write("matrix.mtx.gz", Header + "2 1 0\n");
        dir.Write("features.tsv.gz", "G1\nG2\n");
        File.WriteAllBytes(dir.File("barcodes.tsv.gz"), FuzzSeeds.GzipBomb("", "A", 64L << 20));
        var (e, allocated) = Measure(() => TenXReader.Read(dir.Path));
        Assert.Contains("line is longer than", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 8L << 20, $"allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("-1 1 1", "row (gene) index '-1' is out of range 1..2")]
    [InlineData("1 -2 1", "column (cell) index '-2' is out of range 1..2")]
    [InlineData("99999999999999999999 1 1", "row (gene) index '99999999999999999999' is out of range 1..2")]
    public void Negative_and_oversize_indices_say_index_out_of_range(string entry, string expected)
    {
        using var dir = TenX(FuzzMutator.Gzip(Encoding.UTF8.GetBytes(Header + "2 2 1\n" + entry + "\n")));
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("non-negative", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("single precision", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_size_claim_is_out_of_range_not_a_negative_expression_value()
    {
        using var dir = TenX(FuzzMutator.Gzip(Encoding.UTF8.GetBytes(Header + "2 -2 1\n")));
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Contains("number of cells (columns) '-2' is out of range", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("expression values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_data_gets_our_message_not_the_zip_archive_wording()
    {
        var good = FuzzMutator.Gzip(Encoding.UTF8.GetBytes(Header + "2 2 1\n1 1 1\n"));
        var bad = good.ToArray();
        bad[10] = 0xFF; // the first deflate block header: an invalid block type
        bad[11] = 0xFF;
        using var dir = TenX(bad);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Contains("gzip data is corrupt", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("compression method", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("archive entry", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latin1_barcodes_are_refused_with_the_line_named_not_merged_as_duplicates()
    {
        using var dir = new TempDirectory();
        dir.Write("matrix.mtx", Header + "1 2 0\n");
        dir.Write("features.tsv", "G1\n");
        File.WriteAllBytes(dir.File("barcodes.tsv"), [.. "G"u8, 0xE9, (byte)'\n', .. "G"u8, 0xE8, (byte)'\n']);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXReader.Read(dir.Path));
        Assert.Equal(1, e.LineNumber);
        Assert.Equal(2, e.Column);
        Assert.Contains("barcode (cell id) is not valid UTF-8 (byte 0xE9)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("duplicate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_gene_ids_in_csv_and_labels_name_line_and_column()
    {
        using var dir = new TempDirectory();
        var csv = dir.File("m.csv");
        File.WriteAllBytes(csv, [.. "cell,G1,X"u8, 0xC3, 0x28, .. "\nc1,1,2\n"u8]);
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionTextReader.Read(csv));
        Assert.Equal((1L, 10), (e.LineNumber!.Value, e.Column!.Value));
        Assert.Contains("gene id is not valid UTF-8 (byte 0xC3)", e.Message, StringComparison.Ordinal);

        var labels = dir.File("labels.tsv");
        File.WriteAllBytes(labels, [.. "c1\tT cell\nc2\tB"u8, 0xE9, .. "\n"u8]);
        var l = Assert.Throws<ExpressionFormatException>(() => CellLabels.Read(labels));
        Assert.Equal((2L, 5), (l.LineNumber!.Value, l.Column!.Value));
        Assert.Contains("label is not valid UTF-8", l.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_header_and_data_lines_are_bounded_by_what_a_valid_table_holds()
    {
        using var dir = new TempDirectory();
        var header = dir.File("header.csv.gz");
        File.WriteAllBytes(header, FuzzSeeds.GzipBomb("cell,", "g", 64L << 20));
        var (e, allocated) = Measure(() => ExpressionTextReader.Read(header));
        Assert.Contains("line is longer than 8,388,608 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 40L << 20, $"allocated {allocated:N0} bytes");

        // Two genes: a data line may hold a cell id and two numbers, not 64 MiB.
        var data = dir.File("data.csv.gz");
        File.WriteAllBytes(data, FuzzSeeds.GzipBomb("cell,g1,g2\nc1", ",1", 64L << 20));
        (e, allocated) = Measure(() => ExpressionTextReader.Read(data));
        Assert.Equal(2, e.LineNumber);
        Assert.Contains("line is longer than", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 8L << 20, $"allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 0, 0, 0, 0, 0x50, 0x41, 0x52, 0x31 })]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 0, 1, 0, 0, 0, 0x50, 0x41, 0x52, 0x31 })]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0x7f, 0x50, 0x41, 0x52, 0x31 })]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 0x50, 0x41, 0x52 })]
    public void Minimal_and_damaged_parquet_footers_are_named_format_errors(byte[] bytes)
    {
        using var dir = new TempDirectory();
        var path = dir.File("tiny.parquet");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not a readable Parquet file", e.Message, StringComparison.Ordinal);
    }

    private static async Task WriteAsync(string path, ParquetSchema schema, Func<ParquetRowGroupWriter, Task> write)
    {
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        using var rg = writer.CreateRowGroup();
        await write(rg);
    }

    [Fact]
    public async Task Duplicate_empty_and_nested_columns_are_refused_naming_the_file_and_column()
    {
        using var dir = new TempDirectory();
        var dup = dir.File("dup.parquet");
        var cell = new DataField<string>("cell");
        var g1 = new DataField<float>("G1");
        var g1Again = new DataField<float>("G1");
        await WriteAsync(dup, new ParquetSchema(cell, g1, g1Again), async rg =>
        {
            await rg.WriteAsync(cell, new[] { "a" }, null);
            await rg.WriteAsync<float>(g1, new float[] { 1 }.AsMemory(), null, null, default);
            await rg.WriteAsync<float>(g1Again, new float[] { 2 }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(dup));
        Assert.Equal(dup, e.FilePath);
        Assert.Equal(3, e.Column);
        Assert.Contains("columns 2 and 3 are both named 'G1'", e.Message, StringComparison.Ordinal);

        var empty = dir.File("empty.parquet");
        var blank = new DataField<float>("");
        await WriteAsync(empty, new ParquetSchema(cell, blank), async rg =>
        {
            await rg.WriteAsync(cell, new[] { "a" }, null);
            await rg.WriteAsync<float>(blank, new float[] { 1 }.AsMemory(), null, null, default);
        });
        e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(empty));
        Assert.Contains("column 2 has an empty name", e.Message, StringComparison.Ordinal);

        var nested = dir.File("list.parquet");
        var genes = new DataField<float>("element");
        var list = new ListField("genes", genes);
        await WriteAsync(nested, new ParquetSchema(cell, list), async rg =>
        {
            await rg.WriteAsync(cell, new[] { "a" }, null);
            await rg.WriteAsync<float>(genes, new float?[] { 1, 2 }.AsMemory(), new int[] { 0, 1 }.AsMemory(), null, default);
        });
        e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(nested));
        Assert.Equal(nested, e.FilePath);
        Assert.Contains("column 'genes' is a LIST (nested) column", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_string_gene_column_is_described_in_words_not_as_a_clr_type()
    {
        using var dir = new TempDirectory();
        var path = dir.File("text-gene.parquet");
        var cell = new DataField<string>("cell");
        var g = new DataField<string>("G1");
        var g2 = new DataField<float>("G2");
        await WriteAsync(path, new ParquetSchema(cell, g, g2), async rg =>
        {
            await rg.WriteAsync(cell, new[] { "a" }, null);
            await rg.WriteAsync(g, new[] { "1" }, null);
            await rg.WriteAsync<float>(g2, new float[] { 1 }.AsMemory(), null, null, default);
        });
        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Contains("column 'G1' holds strings; gene columns must be numeric", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("`", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_header_claiming_a_gigabyte_is_refused_before_anything_is_allocated()
    {
        using var dir = new TempDirectory();
        var path = dir.File("claim.parquet");
        var cell = new DataField<string>("cell");
        var g = new DataField<float>("G1");
        await WriteAsync(path, new ParquetSchema(cell, g), async rg =>
        {
            await rg.WriteAsync(cell, new[] { "a", "b" }, null);
            await rg.WriteAsync<float>(g, new float[] { 1, 2 }.AsMemory(), null, null, default);
        });
        long offset;
        await using (var reader = await ParquetReader.CreateAsync(path))
        {
            var chunk = reader.OpenRowGroupReader(0).GetMetadata(reader.Schema.DataFields[1])!.MetaData!;
            offset = chunk.DictionaryPageOffset is > 0 and var d ? d : chunk.DataPageOffset;
        }
        // The page header starts with field 1 (type) then field 2 (uncompressed_page_size), both i32 varints:
        // rewrite field 2 as 2^30 (a 5-byte varint).
        var bytes = File.ReadAllBytes(path).ToList();
        int p = (int)offset;
        Assert.Equal(0x15, bytes[p]);
        int q = p + 2;
        while ((bytes[q - 1] & 0x80) != 0) q++;
        Assert.Equal(0x15, bytes[q]);
        int v = q + 1, end = v;
        while ((bytes[end] & 0x80) != 0) end++;
        bytes.RemoveRange(v, end - v + 1);
        bytes.InsertRange(v, new byte[] { 0x80, 0x80, 0x80, 0x80, 0x08 }); // zigzag(2^30) = 2^31
        File.WriteAllBytes(path, bytes.ToArray());

        var e = Assert.Throws<ExpressionFormatException>(() => ExpressionParquetReader.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("row group 1 of 1, column ", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains("claims 1,073,741,824 bytes uncompressed", StringComparison.Ordinal), e.Message);
    }
}

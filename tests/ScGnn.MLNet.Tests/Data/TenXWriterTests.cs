using System.IO.Compression;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class TenXWriterTests
{
    private static string[] Lines(string path)
    {
        using var fs = File.OpenRead(path);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Integer_counts_round_trip_exactly_with_an_integer_header_sorted_by_cell()
    {
        using var dir = new TempDirectory();
        var m = MatrixAssert.Counts();
        var folder = dir.File("out");
        TenXWriter.Write(m, folder);
        Assert.Equal(["barcodes.tsv.gz", "features.tsv.gz", "matrix.mtx.gz"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        var lines = Lines(Path.Combine(folder, "matrix.mtx.gz"));
        Assert.Equal("%%MatrixMarket matrix coordinate integer general", lines[0]);
        Assert.StartsWith("%metadata_json: {", lines[1], StringComparison.Ordinal);
        Assert.Equal("4 4 5", lines[2]); // genes cells nonzeros
        Assert.Equal(["1 1 1", "3 1 2", "2 2 5", "1 4 3", "4 4 100000"], lines[3..]);
        Assert.Equal(["G1\tSym1\tGene Expression", "G2\tSym2\tGene Expression", "G3\tSym1\tGene Expression", "G4\tSym4\tGene Expression"],
            Lines(Path.Combine(folder, "features.tsv.gz")));
        Assert.Equal(["c1", "c2", "c3", "c4"], Lines(Path.Combine(folder, "barcodes.tsv.gz")));
        MatrixAssert.Equal(m, TenXReader.Read(folder), symbols: true);
        Assert.Equal(["out"], dir.Entries()); // no temporary folder left behind
    }

    [Fact]
    public void Real_values_round_trip_bit_exactly_with_a_real_header()
    {
        using var dir = new TempDirectory();
        var m = MatrixAssert.Awkward();
        var folder = dir.File("real");
        TenXWriter.Write(m, folder);
        Assert.Equal("%%MatrixMarket matrix coordinate real general", Lines(Path.Combine(folder, "matrix.mtx.gz"))[0]);
        var back = TenXReader.Read(folder);
        MatrixAssert.Equal(m, back);
        Assert.Equal(m.GeneIds, back.GeneSymbols!); // symbols default to the ids
    }

    [Fact]
    public void Uncompressed_output_round_trips_and_overwriting_replaces_the_files()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("plain");
        TenXWriter.Write(MatrixAssert.Awkward(), folder, new TenXWriterOptions { Compress = false });
        Assert.True(File.Exists(Path.Combine(folder, "matrix.mtx")));
        var m = MatrixAssert.Counts();
        TenXWriter.Write(m, folder, new TenXWriterOptions { Compress = false });
        MatrixAssert.Equal(m, TenXReader.Read(folder));
        Assert.Equal(["plain"], dir.Entries());
    }

    [Fact]
    public void Writing_beside_another_variant_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("mixed");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "genes.tsv"), "x\n");
        var e = Assert.Throws<IOException>(() => TenXWriter.Write(MatrixAssert.Counts(), folder));
        Assert.Contains("genes.tsv", e.Message, StringComparison.Ordinal);
        Assert.Equal(["genes.tsv"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal(["mixed"], dir.Entries());
    }

    [Fact]
    public void Ids_with_tabs_are_rejected()
    {
        using var dir = new TempDirectory();
        var m = ExpressionMatrix.FromDense(new float[] { 1 }, ["a\tb"], ["g"]);
        var e = Assert.Throws<ArgumentException>(() => TenXWriter.Write(m, dir.File("x")));
        Assert.Contains("cell id 0", e.Message, StringComparison.Ordinal);
        Assert.Empty(dir.Entries());
    }

    public static TheoryData<string, bool> StreamedCases => new() { { "counts", true }, { "counts", false }, { "awkward", true }, { "large", false } };

    [Theory]
    [MemberData(nameof(StreamedCases))]
    public void A_data_view_is_streamed_to_the_same_folder_as_its_matrix(string data, bool compress)
    {
        using var dir = new TempDirectory();
        var m = data switch
        {
            "counts" => ExpressionMatrix.FromDense(MatrixAssert.Counts().ToDense(), ["c1", "c2", "c3", "c4"], ["G1", "G2", "G3", "G4"]),
            "awkward" => MatrixAssert.Awkward(),
            // 75,000 entries: several blocks of the temporary entry file, written and read back.
            _ => Large(),
        };
        var options = new TenXWriterOptions { Compress = compress };
        TenXWriter.Write(m, dir.File("matrix"), options);
        TenXWriter.Write(m.ToDataView(), dir.File("view"), options);
        var names = Directory.GetFiles(dir.File("matrix")).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(names, Directory.GetFiles(dir.File("view")).Select(Path.GetFileName).Order());
        foreach (var name in names)
        {
            string a = Path.Combine(dir.File("matrix"), name!), b = Path.Combine(dir.File("view"), name!);
            if (compress) Assert.Equal(Lines(a), Lines(b));
            else Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        MatrixAssert.Equal(m, TenXReader.Read(dir.File("view")));
        Assert.Equal(["matrix", "view"], dir.Entries().Order());
    }

    private static ExpressionMatrix Large()
    {
        const int cells = 300, genes = 1000;
        var rng = new Random(7);
        var dense = new float[cells * genes];
        for (int i = 0; i < dense.Length; i++) if (rng.Next(4) == 0) dense[i] = rng.Next(1, 40);
        return ExpressionMatrix.FromDense(dense, Enumerable.Range(0, cells).Select(c => $"c{c}").ToArray(),
            Enumerable.Range(0, genes).Select(g => $"g{g}").ToArray());
    }

    [Fact]
    public void A_bad_cell_id_in_a_streamed_view_names_the_cell_and_leaves_the_folder_as_it_was()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("out");
        TenXWriter.Write(MatrixAssert.Counts(), folder);
        var before = Lines(Path.Combine(folder, "matrix.mtx.gz"));
        var bad = ExpressionMatrix.FromDense(new float[] { 1, 2, 3, 4 }, ["a", "b\tc"], ["g1", "g2"]);
        var e = Assert.Throws<ArgumentException>(() => TenXWriter.Write(bad.ToDataView(), folder, new TenXWriterOptions()));
        Assert.Contains("cell id 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Lines(Path.Combine(folder, "matrix.mtx.gz")));
        Assert.Equal(["out"], dir.Entries());
    }

    [Fact]
    public void A_failed_write_leaves_no_partial_output()
    {
        using var dir = new TempDirectory();
        var target = dir.File("result.csv");
        File.WriteAllText(target, "previous");
        Assert.Throws<InvalidOperationException>(() => AtomicOutput.WriteFile(target, s =>
        {
            s.Write(new byte[100]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("previous", File.ReadAllText(target));
        Assert.Equal(["result.csv"], dir.Entries());

        Assert.Throws<InvalidOperationException>(() => AtomicOutput.WriteFolder(dir.File("tenx"), temp =>
        {
            File.WriteAllText(Path.Combine(temp, "matrix.mtx"), "partial");
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal(["result.csv"], dir.Entries());
    }
}

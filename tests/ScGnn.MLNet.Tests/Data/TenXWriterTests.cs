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

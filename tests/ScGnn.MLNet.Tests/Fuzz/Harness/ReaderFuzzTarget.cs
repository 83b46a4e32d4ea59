using System.Text;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// A file reader under fuzzing: 10x folders, CSV/TSV, cell labels or Parquet. Its specific rejection is an
/// <see cref="ExpressionFormatException"/> whose message names the file.
/// </summary>
internal sealed class ReaderFuzzTarget : FuzzTarget
{
    private readonly Action<string> _read;
    private readonly IReadOnlyList<FuzzInput> _bombs;
    private readonly IReadOnlyList<FuzzInput>? _seeds;
    private readonly bool _text;
    private readonly long _budgetBase;

    private ReaderFuzzTarget(string name, Action<string> read, bool text, IReadOnlyList<FuzzInput> bombs,
        IReadOnlyList<FuzzInput>? seeds = null, long budgetBase = 32L << 20)
    {
        Name = name;
        _read = read;
        _text = text;
        _bombs = bombs;
        _seeds = seeds;
        _budgetBase = budgetBase;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<FuzzInput> Seeds => _seeds ?? FuzzSeeds.Of(Name);

    /// <inheritdoc/>
    public override long AllocationBudget(long inputBytes) => _budgetBase + 64 * inputBytes;

    /// <summary>
    /// An HDF5 reader (<c>.h5ad</c> or 10x <c>.h5</c>) on the fixture files of <paramref name="fixtures"/>. PureHDF
    /// sizes some object-header buffers from the header before reading them, so its budget is the 2 GiB the h5
    /// readers document (docs/data-io.md), not a small multiple.
    /// </summary>
    public static ReaderFuzzTarget H5(string name, string fixtures, string[] seeds, string[] bombs, Action<string> read)
    {
        FuzzInput Load(string f) => new(f, new Dictionary<string, byte[]> { ["data" + Path.GetExtension(f)] = File.ReadAllBytes(Path.Combine(fixtures, f)) });
        return new ReaderFuzzTarget(name, read, text: false, bombs.Select(Load).ToArray(), seeds.Select(Load).ToArray(), (2L << 30) + (128L << 20));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<FuzzInput> Bombs => _bombs;

    /// <inheritdoc/>
    public override bool IsText(string fileName) => _text;

    /// <inheritdoc/>
    public override void Run(string caseFolder) => _read(caseFolder);

    /// <inheritdoc/>
    public override bool IsSpecific(Exception e) => e is ExpressionFormatException;

    /// <summary>The 10x MatrixMarket reader on a case folder.</summary>
    public static ReaderFuzzTarget TenX()
    {
        var v3 = FuzzSeeds.Of("tenx")[0];
        const string header = "%%MatrixMarket matrix coordinate integer general\n";
        FuzzInput Matrix(string name, byte[] bytes) => new(name, new Dictionary<string, byte[]>(v3.Files) { ["matrix.mtx.gz"] = bytes });
        return new ReaderFuzzTarget("tenx", folder => TenXReader.Read(folder), text: true,
        [
            Matrix("header of 8 million tokens", FuzzSeeds.GzipBomb("%%MatrixMarket", " x", 16L << 20)),
            Matrix("one 64 MiB line", FuzzSeeds.GzipBomb("", "a", 64L << 20)),
            Matrix("a 64 MiB comment", FuzzSeeds.GzipBomb(header + "%", "c", 64L << 20)),
            Matrix("10 million entries after a claim of 9", FuzzSeeds.GzipBomb(header + "6 7 9\n", "1 1 1\n", 60L << 20)),
            Matrix("entry count claim 2^63-1", FuzzMutator.Gzip(Encoding.UTF8.GetBytes(header + "6 7 9223372036854775807\n1 1 1\n"))),
            Matrix("negative index", FuzzMutator.Gzip(Encoding.UTF8.GetBytes(header + "6 7 1\n-1 1 1\n"))),
            Matrix("corrupt deflate data", [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]),
            new("barcodes: one 64 MiB line", new Dictionary<string, byte[]>(v3.Files) { ["barcodes.tsv.gz"] = FuzzSeeds.GzipBomb("", "A", 64L << 20) }),
        ]);
    }

    /// <summary>The CSV or TSV reader.</summary>
    public static ReaderFuzzTarget Text(char separator)
    {
        string name = separator == ',' ? "csv" : "tsv";
        string file = "data." + name;
        FuzzInput One(string what, byte[] bytes) => new(what, new Dictionary<string, byte[]> { [file] = bytes });
        string s = separator.ToString();
        return new ReaderFuzzTarget(name, folder => ExpressionTextReader.Read(Path.Combine(folder, file), separator), text: true,
        [
            One("a 64 MiB header line", FuzzSeeds.GzipBomb("cell" + s, "g", 64L << 20)),
            One("a 64 MiB data line", FuzzSeeds.GzipBomb($"cell{s}g1{s}g2\nc1", s + "1", 64L << 20)),
            One("invalid UTF-8 ids", [.. "cell,G\xE9\n"u8.ToArray().Select(b => b == (byte)',' ? (byte)separator : b), .. "c1,1\n"u8.ToArray().Select(b => b == (byte)',' ? (byte)separator : b)]),
        ]);
    }

    /// <summary>The cell-label TSV reader.</summary>
    public static ReaderFuzzTarget Labels() =>
        new("labels", folder => CellLabels.Read(Path.Combine(folder, "labels.tsv")), text: true,
        [
            new("one 64 MiB line", new Dictionary<string, byte[]> { ["labels.tsv"] = FuzzSeeds.GzipBomb("c1\t", "x", 64L << 20) }),
            new("Latin-1 ids", new Dictionary<string, byte[]> { ["labels.tsv"] = [.. "G"u8, 0xE9, .. "\tA\nG"u8, 0xE8, .. "\tB\n"u8] }),
        ]);

    /// <summary>The Parquet reader (both layouts).</summary>
    public static ReaderFuzzTarget Parquet()
    {
        FuzzInput One(string what, byte[] bytes) => new(what, new Dictionary<string, byte[]> { ["data.parquet"] = bytes });
        return new ReaderFuzzTarget("parquet", folder => ExpressionParquetReader.Read(Path.Combine(folder, "data.parquet")), text: false,
        [
            One("12 bytes, footer length 0", [.. "PAR1"u8, 0, 0, 0, 0, .. "PAR1"u8]),
            One("13 bytes, footer length 1", [.. "PAR1"u8, 0, 1, 0, 0, 0, .. "PAR1"u8]),
            One("footer length 2^31-1", [.. "PAR1"u8, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0x7f, .. "PAR1"u8]),
            One("footer length -1", [.. "PAR1"u8, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, .. "PAR1"u8]),
            One("no magic", [.. "PAR0"u8, 0, 0, 0, 0, .. "PAR0"u8]),
        ]);
    }
}

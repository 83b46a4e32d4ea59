using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Parquet;
using Parquet.Schema;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.MLNet.Fuzz;

/// <summary>Valid seed inputs of every format, written by the library's own writers (and Parquet.Net for pandas-style tables).</summary>
internal static class FuzzSeeds
{
    private static readonly Lazy<Dictionary<string, List<FuzzInput>>> All = new(Build);

    /// <summary>The seeds of one format ("tenx", "csv", "tsv", "labels", "parquet", "model").</summary>
    public static IReadOnlyList<FuzzInput> Of(string format) => All.Value[format];

    /// <summary>Single-file seeds of the other formats, for splices (type confusion).</summary>
    public static IReadOnlyList<byte[]> Foreign(string format) =>
        All.Value.Where(kv => kv.Key != format).SelectMany(kv => kv.Value).SelectMany(s => s.Files.Values).ToArray();

    /// <summary>A small count matrix with symbols: 7 cells x 6 genes, one empty cell and one empty gene.</summary>
    public static ExpressionMatrix Counts()
    {
        string[] cells = ["AAACCTGA-1", "AAACCTGC-1", "AAACGGGT-1", "AAAGATGG-1", "AAAGCAAA-1", "AACTCTTC-1", "ÄÖÜ-é-1"];
        string[] genes = ["ENSG0001", "ENSG0002", "ENSG0003", "ENSG0004", "ENSG0005", "ENSG0006"];
        float[] dense =
        [
            1, 0, 3, 0, 0, 7,
            0, 2, 0, 0, 1, 0,
            5, 0, 0, 0, 0, 1,
            0, 0, 0, 0, 0, 0,
            2, 9, 1, 0, 4, 0,
            0, 0, 12, 0, 0, 3,
            1, 1, 1, 0, 1, 1,
        ];
        var m = ExpressionMatrix.FromDense(dense, cells, genes);
        return new ExpressionMatrix(m.CellIds, m.GeneIds, m.RowPointers.ToArray(), m.ColumnIndices.ToArray(), m.Values.ToArray(),
            ["Gene1", "Gene2", "Gene2", "CD3E", "MT-CO1", "Ω-gene"]);
    }

    /// <summary>Real-valued (normalized) values with quoting-worthy ids.</summary>
    public static ExpressionMatrix Normalized()
    {
        string[] cells = ["c1", "cell,2", "c\"3", "c 4"];
        string[] genes = ["g1", "g2.1", "g 3", "g4"];
        float[] dense = [0.5f, 0, 1.25f, 3.4e-5f, 0, 0, 0, 0, 7.125f, 1f / 3f, 0, 2, 0, 1e6f, 0.1f, 0];
        return ExpressionMatrix.FromDense(dense, cells, genes);
    }

    private static Dictionary<string, List<FuzzInput>> Build()
    {
        string dir = Path.Combine(Path.GetTempPath(), "scgnn-fuzz-seeds-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            return new Dictionary<string, List<FuzzInput>>
            {
                ["tenx"] = [TenX(dir, "v3-gzip", Counts(), compress: true), TenX(dir, "v3-plain", Counts(), compress: false), TenXShuffledV2()],
                ["csv"] = [Text(dir, "counts", "data.csv", Counts(), ','), Text(dir, "normalized", "data.csv", Normalized(), ',')],
                ["tsv"] = [Text(dir, "counts", "data.tsv", Counts(), '\t'), Text(dir, "normalized", "data.tsv", Normalized(), '\t')],
                ["labels"] = [Labels("header", "cell\tlabel\n"), Labels("plain", ""), LabelsGzip()],
                ["parquet"] =
                [
                    Parquet(dir, "wide", Counts(), new ExpressionParquetOptions()),
                    Parquet(dir, "wide-row-groups", Normalized(), new ExpressionParquetOptions { RowGroupSize = 2 }),
                    Parquet(dir, "long", Counts(), new ExpressionParquetOptions { Layout = ExpressionParquetLayout.Long }),
                    Pandas(dir),
                ],
                ["model"] = [Model()],
            };
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static FuzzInput TenX(string dir, string name, ExpressionMatrix m, bool compress)
    {
        var folder = Path.Combine(dir, name);
        TenXWriter.Write(m, folder, new TenXWriterOptions { Compress = compress });
        return new FuzzInput(name, Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes));
    }

    // Cell Ranger v2 names, entries out of order, comments and a blank line: the unsorted path of the reader.
    private static FuzzInput TenXShuffledV2() => new("v2-unsorted", new Dictionary<string, byte[]>
    {
        ["matrix.mtx"] = Encoding.UTF8.GetBytes(
            "%%MatrixMarket matrix coordinate real general\n% written by hand\n%metadata_json: {\"x\": 1}\n4 3 5\n" +
            "2 3 1.5\n1 1 2\n\n4 2 0.25\n3 1 1e3\n1 3 7\n"),
        ["genes.tsv"] = Encoding.UTF8.GetBytes("G1\tA\nG2\tB\nG3\tB\nG4\tD\n"),
        ["barcodes.tsv"] = Encoding.UTF8.GetBytes("b1\nb2\nb3\n"),
    });

    private static FuzzInput Text(string dir, string name, string file, ExpressionMatrix m, char separator)
    {
        var path = Path.Combine(dir, name + "-" + file);
        ExpressionTextWriter.Write(m, path, separator);
        return new FuzzInput(name, new Dictionary<string, byte[]> { [file] = File.ReadAllBytes(path) });
    }

    private static FuzzInput Labels(string name, string header) => new(name, new Dictionary<string, byte[]>
    {
        ["labels.tsv"] = Encoding.UTF8.GetBytes(header + "AAACCTGA-1\tT cell\nAAACCTGC-1\tB cell\nÄÖÜ-é-1\tNK\nAAAGCAAA-1\tT cell\n"),
    });

    private static FuzzInput LabelsGzip() => new("gzip", new Dictionary<string, byte[]>
    {
        ["labels.tsv"] = FuzzMutator.Gzip(Encoding.UTF8.GetBytes("cell\tlabel\nc1\tA\nc2\tB\n")),
    });

    private static FuzzInput Parquet(string dir, string name, ExpressionMatrix m, ExpressionParquetOptions options)
    {
        var path = Path.Combine(dir, name + ".parquet");
        ExpressionParquetWriter.Write(m, path, options);
        return new FuzzInput(name, new Dictionary<string, byte[]> { ["data.parquet"] = File.ReadAllBytes(path) });
    }

    // pandas' to_parquet: gene columns of doubles and nullable integers, the index last as __index_level_0__.
    private static FuzzInput Pandas(string dir)
    {
        var path = Path.Combine(dir, "pandas.parquet");
        var fields = new DataField[]
        {
            new DataField<double>("GeneA"), new DataField<long?>("GeneB"), new DataField<int>("GeneC"), new DataField<string>("__index_level_0__"),
        };
        WritePandas(path, fields).GetAwaiter().GetResult();
        return new FuzzInput("pandas", new Dictionary<string, byte[]> { ["data.parquet"] = File.ReadAllBytes(path) });
    }

    private static async Task WritePandas(string path, DataField[] fields)
    {
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs);
        using var rg = writer.CreateRowGroup();
        await rg.WriteAsync<double>(fields[0], new double[] { 1.5, 0, 2 }.AsMemory(), null, null, default);
        await rg.WriteAsync<long>(fields[1], new long?[] { 0, 7, 3 }.AsMemory(), null, null, default);
        await rg.WriteAsync<int>(fields[2], new[] { 4, 0, 0 }.AsMemory(), null, null, default);
        await rg.WriteAsync(fields[3], new[] { "x", "y", "z" }, null);
    }

    /// <summary>A saved preprocessing pipeline (two ScGnn.MLNet components inside ML.NET's chain).</summary>
    private static FuzzInput Model()
    {
        var ml = new MLContext(seed: 1);
        var data = Counts().SelectCells([0, 1, 2, 4, 5, 6]).ToDataView();
        var model = ml.Transforms.CopyColumns("Raw", ScGnnDefaults.ExpressionColumnName)
            .Append(ml.Transforms.SelectVariableGenes(topGeneCount: 4))
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        return new FuzzInput("preprocessing", new Dictionary<string, byte[]> { ["model.zip"] = stream.ToArray() });
    }

    /// <summary>A gzip stream that inflates to <paramref name="size"/> bytes of <paramref name="unit"/> repeats after a prefix.</summary>
    public static byte[] GzipBomb(string prefix, string unit, long size)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(prefix));
            var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(unit, Math.Max(1, 65536 / unit.Length))));
            for (long written = 0; written < size; written += block.Length) gz.Write(block);
        }
        return output.ToArray();
    }
}

using PureHDF;
using PureHDF.VOL.Native;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>Each defect the .h5ad / 10x .h5 readers must name: a hand-built file (PureHDF) with exactly one defect.</summary>
public sealed class H5MalformedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A valid 3 cells x 2 genes .h5ad (CSR) that <paramref name="edit"/> then breaks.</summary>
    private string Build(Action<H5File> edit, string name = "bad.h5ad")
    {
        var file = new H5File
        {
            ["X"] = Csr(new long[] { 3, 2 }, new float[] { 1, 2, 3 }, new int[] { 0, 1, 1 }, new int[] { 0, 1, 2, 3 }),
            ["obs"] = Frame(["c0", "c1", "c2"]),
            ["var"] = Frame(["g0", "g1"]),
        };
        edit(file);
        var path = _dir.File(name);
        file.Write(path);
        return path;
    }

    private static H5Group Csr(long[] shape, object data, object indices, object indptr)
    {
        var g = new H5Group { ["data"] = data, ["indices"] = indices, ["indptr"] = indptr };
        g.Attributes["encoding-type"] = "csr_matrix";
        g.Attributes["encoding-version"] = "0.1.0";
        g.Attributes["shape"] = shape;
        return g;
    }

    private static H5Group Frame(string[] index)
    {
        var g = new H5Group { ["_index"] = index };
        g.Attributes["encoding-type"] = "dataframe";
        g.Attributes["encoding-version"] = "0.2.0";
        g.Attributes["_index"] = "_index";
        g.Attributes["column-order"] = Array.Empty<string>();
        return g;
    }

    private static H5Group X(H5File f) => (H5Group)f["X"];

    private ExpressionFormatException Fails(string path, params string[] fragments)
    {
        var e = Assert.Throws<ExpressionFormatException>(() => H5adReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        foreach (var f in fragments)
            Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"'{f}' not in: {e.Message}");
        return e;
    }

    [Fact]
    public void The_unbroken_builder_file_reads()
    {
        var m = H5adReader.Read(Build(_ => { }));
        Assert.Equal(3f, m[2, 1]);
    }

    [Fact]
    public void Not_hdf5_and_truncated_files()
    {
        Fails(_dir.Write("text.h5ad", "cell,g1\nc1,3\n"), "not an HDF5 file");
        var good = Build(_ => { });
        var bytes = File.ReadAllBytes(good);
        var cut = _dir.File("cut.h5ad");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 3)]);
        Assert.StartsWith(cut + ": ", Assert.Throws<ExpressionFormatException>(() => H5adReader.Read(cut)).Message);
        Assert.Throws<FileNotFoundException>(() => H5adReader.Read(_dir.File("none.h5ad")));
    }

    [Fact]
    public void Missing_X_or_index()
    {
        Fails(Build(f => f.Remove("X")), "'/X'", "missing");
        Fails(Build(f => ((H5Group)f["obs"]).Remove("_index")), "'/obs/_index'", "missing");
        Fails(Build(f => f.Remove("var")), "'/var'", "missing");
    }

    [Fact]
    public void Indptr_not_monotone_and_indices_out_of_range_or_repeated()
    {
        Fails(Build(f => X(f)["indptr"] = new int[] { 0, 2, 1, 3 }), "'/X/indptr'", "decreases at position 2");
        Fails(Build(f => X(f)["indptr"] = new int[] { 1, 1, 2, 3 }), "'/X/indptr'", "starts at 1");
        Fails(Build(f => X(f)["indptr"] = new int[] { 0, 1, 2, 9 }), "'/X/indptr'", "beyond the 3 stored entries");
        Fails(Build(f => X(f)["indptr"] = new int[] { 0, 1, 3 }), "'/X/indptr'", "expected cells + 1 = 4");
        Fails(Build(f => X(f)["indices"] = new int[] { 0, 2, 1 }), "'/X/indices'", "gene index 2, outside [0, 2)");
        Fails(Build(f => X(f)["indices"] = new int[] { 0, -1, 1 }), "'/X/indices'", "gene index -1");
        Fails(Build(f => { X(f)["indices"] = new int[] { 1, 1, 0 }; X(f)["indptr"] = new int[] { 0, 2, 2, 3 }; }), "'/X/indices'", "twice");
    }

    [Fact]
    public void Unsorted_indices_within_a_row_are_sorted()
    {
        var m = H5adReader.Read(Build(f => { X(f)["indices"] = new int[] { 1, 0, 1 }; X(f)["indptr"] = new int[] { 0, 2, 2, 3 }; }));
        Assert.Equal(2f, m[0, 0]);
        Assert.Equal(1f, m[0, 1]);
        Assert.Equal(3f, m[2, 1]);
    }

    [Fact]
    public void Shape_disagreeing_with_obs_or_var()
    {
        Fails(Build(f => X(f).Attributes["shape"] = new long[] { 4, 2 }), "'/X'", "shape 4 x 2", "obs has 3 cells");
        Fails(Build(f => f["obs"] = Frame(["c0", "c1"])), "'/X'", "obs has 2 cells");
        Fails(Build(f => f["X"] = new float[3, 3]), "'/X'", "is 3 x 3", "3 x 2");
    }

    [Theory]
    [InlineData(float.NaN, "non-finite value NaN")]
    [InlineData(float.PositiveInfinity, "non-finite value")]
    [InlineData(-2f, "negative value -2")]
    public void NaN_infinite_and_negative_values(float bad, string fragment)
    {
        var e = Fails(Build(f => X(f)["data"] = new float[] { 1, bad, 3 }), "'/X/data'", fragment, "cell 1 ('c1')", "gene 1 ('g1')");
        Assert.Equal(1, e.Message.Split("HDF5 object").Length - 1);
        if (bad < 0)
            Assert.Equal(-2f, H5adReader.Read(Build(f => X(f)["data"] = new float[] { 1, bad, 3 }, "neg.h5ad"),
                new H5adReaderOptions { AllowNegativeValues = true })[1, 1]);
    }

    [Fact]
    public void Duplicate_cell_or_gene_ids()
    {
        Fails(Build(f => f["obs"] = Frame(["c0", "c1", "c0"])), "'/obs'", "cell id 'c0' repeats (positions 0 and 2)");
        Fails(Build(f => f["var"] = Frame(["g0", "g0"])), "'/var'", "gene id 'g0' repeats");
    }

    [Fact]
    public void Nullable_columns_of_anndata_011_read_with_missing_values()
    {
        static H5Group Nullable(string type, object values, bool[] mask)
        {
            var g = new H5Group { ["values"] = values, ["mask"] = mask.Select(m => m ? (byte)1 : (byte)0).ToArray() };
            g.Attributes["encoding-type"] = type;
            g.Attributes["encoding-version"] = "0.1.0";
            return g;
        }
        var m = H5adReader.Read(Build(f =>
        {
            var obs = (H5Group)f["obs"];
            obs["donor"] = Nullable("nullable-string-array", new[] { "d1", "x", "d2" }, [false, true, false]);
            obs["age"] = Nullable("nullable-integer", new long[] { 30, 0, 41 }, [false, true, false]);
            obs.Attributes["column-order"] = new[] { "donor", "age" };
        }));
        Assert.Equal(["d1", "", "d2"], m.CellAnnotations!["donor"].Texts);
        Assert.Equal(30.0, m.CellAnnotations["age"].Numbers![0]);
        Assert.True(double.IsNaN(m.CellAnnotations["age"].Numbers![1]));
    }

    [Fact]
    public void Categorical_code_out_of_range()
    {
        var path = Build(f =>
        {
            var obs = (H5Group)f["obs"];
            var cat = new H5Group { ["categories"] = new[] { "T", "B" }, ["codes"] = new sbyte[] { 0, 2, 1 } };
            cat.Attributes["encoding-type"] = "categorical";
            cat.Attributes["encoding-version"] = "0.2.0";
            obs["cell_type"] = cat;
            obs.Attributes["column-order"] = new[] { "cell_type" };
        });
        Fails(path, "'/obs/cell_type/codes'", "row 1 has the code 2, outside [-1, 2)");
    }

    [Fact]
    public void Huge_claimed_sizes_are_refused_before_allocation()
    {
        // h5py wrote X/data and X/indices as 2^30-entry chunked datasets with no chunk stored: 31 KB claiming 8 GB.
        var path = H5adReaderTests.Fixture("huge_claim.h5ad");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ExpressionFormatException>(() => H5adReader.Read(path));
        Assert.Contains("'/X/data': claims 1073741824 elements", e.Message);
        Assert.Contains("more than the 31352-byte file can hold even compressed", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
    }

    [Fact]
    public void TenX_h5_defects_name_the_object()
    {
        var path = _dir.File("bad.h5");
        var matrix = new H5Group
        {
            ["data"] = new int[] { 1, 2 },
            ["indices"] = new long[] { 0, 5 },
            ["indptr"] = new long[] { 0, 1, 2 },
            ["shape"] = new int[] { 2, 2 },
            ["barcodes"] = new[] { "A", "B" },
            ["features"] = new H5Group { ["id"] = new[] { "g0", "g1" }, ["name"] = new[] { "G0", "G1" } },
        };
        new H5File { ["matrix"] = matrix }.Write(path);
        var e = Assert.Throws<ExpressionFormatException>(() => TenXH5Reader.Read(path));
        Assert.Contains("'/matrix/indices'", e.Message);
        Assert.Contains("gene index 5, outside [0, 2)", e.Message);

        var empty = _dir.File("empty.h5");
        new H5File { ["other"] = new int[] { 1 } }.Write(empty);
        Assert.Contains("not a Cell Ranger .h5", Assert.Throws<ExpressionFormatException>(() => TenXH5Reader.Read(empty)).Message);
    }
}

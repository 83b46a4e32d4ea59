using ScGnn.MLNet.Data;
using PureHDF;

namespace ScGnn.MLNet.Tests.Data;

public sealed class H5adWriterTests
{
    [Fact]
    public void Round_trip_keeps_matrix_ids_obs_and_var_columns()
    {
        using var dir = new TempDirectory();
        var input = H5adReader.Read(H5adReaderTests.Fixture("csr.h5ad"));
        var path = dir.File("out.h5ad");
        ExpressionFile.Write(input, path);
        Assert.Equal(["out.h5ad"], dir.Entries());

        var back = H5adReader.Read(path);
        H5adReaderTests.AssertCounts(back);
        Assert.Equal(H5adReaderTests.Genes, back.GeneIds);
        var obs = back.CellAnnotations!;
        Assert.Equal(input.CellAnnotations!.Columns.Select(c => (c.Name, c.Kind)), obs.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal(H5adReaderTests.Types, obs["cell_type"].ToText());
        Assert.Equal(["B", "Mono", "NK", "T"], obs["cell_type"].Categories);
        Assert.Equal(input.CellAnnotations["n_counts"].Numbers, obs["n_counts"].Numbers);
        Assert.Equal(input.CellAnnotations["is_doublet"].Booleans, obs["is_doublet"].Booleans);
        Assert.Equal(H5adReaderTests.Symbols, back.GeneAnnotations!["gene_symbols"].ToText());
    }

    [Fact]
    public void Kept_genes_carry_their_var_rows_and_a_layer_replaces_X()
    {
        using var dir = new TempDirectory();
        var input = H5adReader.Read(H5adReaderTests.Fixture("csr.h5ad"));
        var kept = input.SelectGenes([3, 0]);
        var options = new H5adWriterOptions { Layer = "imputed" };
        options.Metadata["epochs"] = "300";
        H5adWriter.Write(kept, dir.File("k.h5ad"), options);

        var back = H5adReader.Read(dir.File("k.h5ad"), new H5adReaderOptions { Layer = "imputed" });
        Assert.Equal(["ENSG00003", "ENSG00000"], back.GeneIds);
        Assert.Equal(["NKG7", "CD3E"], back.GeneAnnotations!["gene_symbols"].ToText());
        Assert.Equal(7f, back[4, 0]);
        Assert.Equal(4f, back[3, 1]);
        Assert.Contains("'/X'", Assert.Throws<ExpressionFormatException>(() => H5adReader.Read(dir.File("k.h5ad"))).Message);
    }

    [Fact]
    public void Imputed_output_gets_the_annotations_of_its_input_by_id()
    {
        var input = H5adReader.Read(H5adReaderTests.Fixture("csr.h5ad"));
        // An output as a pipeline gives it back: same cells, a subset of genes, no annotations.
        var output = ExpressionMatrix.FromDataView(input.SelectGenes([4, 1]).ToDataView());
        Assert.Null(output.CellAnnotations);
        var annotated = output.WithAnnotationsFrom(input);
        Assert.Equal(H5adReaderTests.Types, annotated.CellAnnotations!["cell_type"].ToText());
        Assert.Equal([0.5 * 4, 0.5], annotated.GeneAnnotations!["means"].Numbers);
    }

    [Fact]
    public void A_failed_write_leaves_the_existing_file_alone()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("keep.h5ad", "old");
        var options = new H5adWriterOptions { Layer = "a/b" };
        Assert.Throws<ArgumentException>(() => H5adWriter.Write(MatrixAssert.Counts(), path, options));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["keep.h5ad"], dir.Entries());
    }

    /// <summary>Our .h5ad opened by the real anndata (Debian's python3-anndata); skipped without it.</summary>
    [H5AnndataFact]
    public void Anndata_reads_our_output_with_obs_var_and_uns()
    {
        using var dir = new TempDirectory();
        var input = H5adReader.Read(H5adReaderTests.Fixture("csr.h5ad"));
        var path = dir.File("cross.h5ad");
        var options = new H5adWriterOptions();
        options.Metadata["epochs"] = "300";
        H5adWriter.Write(input.SelectGenes([0, 3, 4]), path, options);
        var script = """
            import sys, anndata
            a = anndata.read_h5ad(sys.argv[1])
            print(a.n_obs, a.n_vars)
            print(",".join(a.obs_names), ",".join(a.var_names))
            print(",".join(map(str, a.X.toarray().astype(int).ravel())))
            print(",".join(a.obs["cell_type"].astype(str)), str(a.obs["cell_type"].dtype), a.obs["is_doublet"].dtype)
            print(",".join(a.var["gene_symbols"].astype(str)))
            print(a.uns["scgnn"]["options"]["epochs"], ",".join(a.uns["scgnn"]["kept_genes"]))
            """;
        var lines = H5AnndataFactAttribute.Run(H5AnndataFactAttribute.Python!, script, path);
        Assert.Equal("6 3", lines[0]);
        Assert.Equal(string.Join(",", H5adReaderTests.Cells) + " ENSG00000,ENSG00003,ENSG00004", lines[1]);
        Assert.Equal("1,3,0,0,0,0,0,0,0,4,0,1,0,7,0,2,0,6", lines[2]);
        Assert.Equal("T,B,T,Mono,NK,B category bool", lines[3]);
        Assert.Equal("CD3E,NKG7,CD3E", lines[4]);
        Assert.Equal("300 ENSG00000,ENSG00003,ENSG00004", lines[5]);
    }

    // 300 cells x 250 genes (past the compression threshold), about a third of the entries zero.
    private static ExpressionMatrix Filled()
    {
        const int cells = 300, genes = 250;
        var rng = new Random(7);
        var dense = new float[cells * genes];
        for (int k = 0; k < dense.Length; k++) dense[k] = rng.Next(3) == 0 ? 0 : (float)Math.Round(rng.NextDouble() * 50, 3);
        return ExpressionMatrix.FromDense(dense, Enumerable.Range(0, cells).Select(c => $"c{c}").ToArray(), Enumerable.Range(0, genes).Select(g => $"g{g}").ToArray());
    }

    private static void AssertSame(ExpressionMatrix expected, ExpressionMatrix actual)
    {
        Assert.Equal(expected.CellIds, actual.CellIds);
        Assert.Equal(expected.GeneIds, actual.GeneIds);
        Assert.Equal(expected.RowPointers.ToArray(), actual.RowPointers.ToArray());
        Assert.Equal(expected.ColumnIndices.ToArray(), actual.ColumnIndices.ToArray());
        Assert.Equal(expected.Values.ToArray(), actual.Values.ToArray());
    }

    private static string DatasetX(string path)
    {
        using var file = H5File.OpenRead(path);
        var x = file.Dataset("X");
        return string.Join("x", x.Space.Dimensions) + " " + x.Attribute("encoding-type").Read<string>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dense_X_from_a_matrix_reads_back_entry_for_entry(bool compress)
    {
        using var dir = new TempDirectory();
        var m = Filled();
        var path = dir.File("d.h5ad");
        H5adWriter.Write(m, path, new H5adWriterOptions { Dense = true, Compress = compress });
        Assert.Equal("300x250 array", DatasetX(path));
        AssertSame(m, H5adReader.Read(path));
        Assert.Equal(["d.h5ad"], dir.Entries());
    }

    [Theory]
    [InlineData(1 << 24, 1u << 18)] // one block, one chunk
    [InlineData(250 * 64, 250u * 16)] // blocks of 64 rows in chunks of 16, a partial last block and chunk
    [InlineData(1, 1)] // one row per block and chunk
    public void Dense_X_streamed_from_a_data_view_equals_the_matrix_with_its_obs_and_var(int blockValues, uint chunkElements)
    {
        using var dir = new TempDirectory();
        var m = Filled();
        var obs = new AnnotationTable(m.CellCount, [AnnotationColumn.Text("batch", m.CellIds.Select((_, c) => c % 2 == 0 ? "a" : "b").ToArray())]);
        var var = new AnnotationTable(m.GeneCount, [AnnotationColumn.Text("gene_symbols", m.GeneIds.Select(g => "S" + g).ToArray())]);
        var options = new H5adWriterOptions { Dense = true, CellAnnotations = obs, GeneAnnotations = var };
        options.Metadata["mode"] = "smoothed";
        var path = dir.File("v.h5ad");
        H5adWriter.Write(m.ToDataView(), path, options, blockValues, chunkElements);

        Assert.Equal("300x250 array", DatasetX(path));
        var back = H5adReader.Read(path);
        AssertSame(m, back);
        Assert.Equal(obs["batch"].ToText(), back.CellAnnotations!["batch"].ToText());
        Assert.Equal(var["gene_symbols"].ToText(), back.GeneAnnotations!["gene_symbols"].ToText());
    }

    [Fact]
    public void A_data_view_with_annotations_of_the_wrong_size_is_refused_before_any_file_is_written()
    {
        using var dir = new TempDirectory();
        var m = Filled();
        var options = new H5adWriterOptions { Dense = true, CellAnnotations = new AnnotationTable(3, [AnnotationColumn.Text("batch", ["a", "b", "c"])]) };
        var e = Assert.Throws<ArgumentException>(() => H5adWriter.Write(m.ToDataView(), dir.File("w.h5ad"), options));
        Assert.Contains("3 cell annotation rows (CellAnnotations) for 300 cells", e.Message);
        Assert.Empty(dir.Entries());
    }

    /// <summary>A dense X written from a data view, opened by the real anndata; skipped without it.</summary>
    [H5AnndataFact]
    public void Anndata_reads_a_dense_X_as_a_numpy_array()
    {
        using var dir = new TempDirectory();
        var input = H5adReader.Read(H5adReaderTests.Fixture("csr.h5ad"));
        var path = dir.File("dense.h5ad");
        H5adWriter.Write(input.SelectGenes([0, 3, 4]).ToDataView(), path, new H5adWriterOptions { Dense = true, CellAnnotations = input.CellAnnotations });
        var script = """
            import sys, anndata, numpy
            a = anndata.read_h5ad(sys.argv[1])
            print(type(a.X).__name__, a.X.dtype, a.n_obs, a.n_vars)
            print(",".join(map(str, a.X.astype(int).ravel())))
            print(",".join(a.obs["cell_type"].astype(str)), ",".join(a.var_names))
            """;
        var lines = H5AnndataFactAttribute.Run(H5AnndataFactAttribute.Python!, script, path);
        Assert.Equal("ndarray float32 6 3", lines[0]);
        Assert.Equal("1,3,0,0,0,0,0,0,0,4,0,1,0,7,0,2,0,6", lines[1]);
        Assert.Equal("T,B,T,Mono,NK,B ENSG00000,ENSG00003,ENSG00004", lines[2]);
    }
}

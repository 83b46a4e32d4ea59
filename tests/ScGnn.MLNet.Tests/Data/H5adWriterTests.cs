using ScGnn.MLNet.Data;

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
}

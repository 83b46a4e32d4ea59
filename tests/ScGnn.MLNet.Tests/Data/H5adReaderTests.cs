using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>Reads the fixtures of Fixtures/h5/make_fixtures.py (written by anndata 0.8 / h5py 3.7).</summary>
public sealed class H5adReaderTests
{
    internal static readonly float[,] Counts =
    {
        { 1, 0, 0, 3, 0 },
        { 0, 2, 0, 0, 0 },
        { 0, 0, 0, 0, 0 },
        { 4, 0, 5, 0, 1 },
        { 0, 0, 0, 7, 0 },
        { 2, 1, 0, 0, 6 },
    };

    internal static readonly string[] Cells = ["AAAC-0", "AAAC-1", "AAAC-2", "AAAC-3", "AAAC-4", "AAAC-5"];
    internal static readonly string[] Genes = ["ENSG00000", "ENSG00001", "ENSG00002", "ENSG00003", "ENSG00004"];
    internal static readonly string[] Symbols = ["CD3E", "MS4A1", "LYZ", "NKG7", "CD3E"];
    internal static readonly string[] Types = ["T", "B", "T", "Mono", "NK", "B"];

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "h5", name);

    internal static void AssertCounts(ExpressionMatrix m, float scale = 1)
    {
        Assert.Equal(Cells, m.CellIds);
        Assert.Equal(6, m.CellCount);
        Assert.Equal(5, m.GeneCount);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal(Counts[i, j] * scale, m[i, j]);
        Assert.Equal(10, m.StoredCount); // explicit zeros dropped, none stored
    }

    [Theory]
    [InlineData("csr.h5ad")]
    [InlineData("csc.h5ad")]
    [InlineData("dense.h5ad")]
    [InlineData("dense_gzip.h5ad")]
    [InlineData("anndata07.h5ad")]
    public void Reads_X_stored_as_csr_csc_dense_and_by_anndata_07(string name)
    {
        var m = H5adReader.Read(Fixture(name));
        AssertCounts(m);
        Assert.Equal(Genes, m.GeneIds);
        Assert.Null(m.GeneSymbols);
    }

    [Fact]
    public void Obs_columns_keep_their_kinds_categorical_text_numbers_and_booleans()
    {
        var obs = H5adReader.Read(Fixture("csr.h5ad")).CellAnnotations!;
        Assert.Equal(["cell_type", "n_counts", "n_genes", "note", "is_doublet"], obs.Columns.Select(c => c.Name));
        var type = obs["cell_type"];
        Assert.Equal(AnnotationColumnKind.Categorical, type.Kind);
        Assert.Equal(["B", "Mono", "NK", "T"], type.Categories);
        Assert.Equal(Types, type.ToText());
        Assert.Equal(AnnotationColumnKind.Number, obs["n_counts"].Kind);
        Assert.Equal([4.0, 2, 0, 10, 7, 9], obs["n_counts"].Numbers);
        Assert.Equal([2.0, 1, 0, 3, 1, 3], obs["n_genes"].Numbers);
        Assert.Equal(AnnotationColumnKind.Text, obs["note"].Kind);
        Assert.Equal("note 3", obs["note"].GetText(3));
        Assert.Equal([false, false, true, false, false, false], obs["is_doublet"].Booleans);
    }

    [Fact]
    public void Anndata_07_categories_referenced_from_an_attribute_are_resolved()
    {
        var m = H5adReader.Read(Fixture("anndata07.h5ad"));
        Assert.Equal(Types, m.CellAnnotations!["cell_type"].ToText());
        Assert.Equal(Symbols, m.GeneAnnotations!["gene_symbols"].Texts);
    }

    [Fact]
    public void A_layer_raw_and_gene_symbols_are_chosen_by_options()
    {
        var layer = H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { Layer = "counts" });
        AssertCounts(layer, scale: 10);

        var raw = H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { UseRaw = true });
        Assert.Equal([.. Genes, "ENSG00009"], raw.GeneIds);
        Assert.Equal(5f, raw[5, 5]);
        Assert.Equal(7f, raw[4, 3]);
        Assert.Equal(0.5 * 5, raw.GeneAnnotations!["means"].Numbers![5]);

        var symbols = H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { GeneSymbolColumn = "gene_symbols" });
        Assert.Equal(["CD3E", "MS4A1", "LYZ", "NKG7", "CD3E-1"], symbols.GeneIds);
        Assert.Equal(Symbols, symbols.GeneSymbols);

        var e = Assert.Throws<ExpressionFormatException>(() => H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { Layer = "spliced" }));
        Assert.Contains("'/layers/spliced'", e.Message);
        Assert.Contains("its layers: counts", e.Message);
        Assert.Throws<ArgumentException>(() => H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { Layer = "counts", UseRaw = true }));
        Assert.Contains("gene_symbols", Assert.Throws<ExpressionFormatException>(() =>
            H5adReader.Read(Fixture("csr.h5ad"), new H5adReaderOptions { GeneSymbolColumn = "nope" })).Message);
    }

    [Fact]
    public void MatrixPaths_lists_X_the_layers_and_raw_that_the_file_holds()
    {
        Assert.Equal(["X", "layers/counts", "raw/X"], H5adReader.MatrixPaths(Fixture("csr.h5ad")));
        Assert.Equal(["X"], H5adReader.MatrixPaths(Fixture("dense.h5ad")));
        using var dir = new TempDirectory();
        var path = dir.File("layer.h5ad");
        H5adWriter.Write(H5adReader.Read(Fixture("csr.h5ad")), path, new H5adWriterOptions { Layer = "spliced" });
        Assert.Equal(["layers/spliced"], H5adReader.MatrixPaths(path));
        Assert.Throws<FileNotFoundException>(() => H5adReader.MatrixPaths(dir.File("none.h5ad")));
    }

    [Fact]
    public void The_same_data_as_h5ad_and_as_a_10x_folder_gives_identical_matrices()
    {
        var folder = TenXReader.Read(Fixture("tenx_folder"));
        foreach (var name in new[] { "csr.h5ad", "csc.h5ad", "dense.h5ad", "tenx_v3.h5", "tenx_v2.h5" })
        {
            var h5 = ExpressionFile.Read(Fixture(name));
            Assert.Equal(folder.CellIds, h5.CellIds);
            Assert.Equal(folder.GeneIds, h5.GeneIds);
            Assert.Equal(folder.RowPointers.ToArray(), h5.RowPointers.ToArray());
            Assert.Equal(folder.ColumnIndices.ToArray(), h5.ColumnIndices.ToArray());
            Assert.Equal(folder.Values.ToArray(), h5.Values.ToArray());
        }
    }
}

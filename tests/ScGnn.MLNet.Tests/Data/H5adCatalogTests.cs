using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class H5adCatalogTests
{
    [Fact]
    public void LoadFromH5ad_exposes_obs_columns_as_text_numbers_booleans()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromH5ad(H5adReaderTests.Fixture("csr.h5ad"));
        Assert.Equal([ScGnnDefaults.CellIdColumnName, ScGnnDefaults.ExpressionColumnName, "cell_type", "n_counts", "n_genes", "note", "is_doublet"],
            data.Schema.Select(c => c.Name));
        Assert.IsType<TextDataViewType>(data.Schema["cell_type"].Type);
        Assert.Equal(NumberDataViewType.Double, data.Schema["n_counts"].Type);
        Assert.IsType<BooleanDataViewType>(data.Schema["is_doublet"].Type);
        Assert.Equal(H5adReaderTests.Types, data.GetColumn<ReadOnlyMemory<char>>("cell_type").Select(s => s.ToString()));
        Assert.Equal([4.0, 2, 0, 10, 7, 9], data.GetColumn<double>("n_counts"));
        Assert.Equal([false, false, true, false, false, false], data.GetColumn<bool>("is_doublet"));
        var rows = data.GetColumn<VBuffer<float>>(ScGnnDefaults.ExpressionColumnName).Select(v => v.DenseValues().ToArray()).ToArray();
        Assert.Equal(new float[] { 4, 0, 5, 0, 1 }, rows[3]);
    }

    [Fact]
    public void Categorical_obs_can_be_keys_and_columns_can_be_chosen()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromH5ad(H5adReaderTests.Fixture("anndata07.h5ad"),
            new H5adReaderOptions { ObsColumns = ["cell_type"], CategoricalAsKey = true });
        Assert.Equal(3, data.Schema.Count);
        var col = data.Schema["cell_type"];
        var key = Assert.IsType<KeyDataViewType>(col.Type);
        Assert.Equal(4UL, key.Count);
        VBuffer<ReadOnlyMemory<char>> names = default;
        col.GetKeyValues(ref names);
        Assert.Equal(["B", "Mono", "NK", "T"], names.DenseValues().Select(s => s.ToString()));
        Assert.Equal([4u, 1, 4, 2, 3, 1], data.GetColumn<uint>(col));
        Assert.Throws<ArgumentException>(() => ml.Data.LoadFromH5ad(H5adReaderTests.Fixture("csr.h5ad"), new H5adReaderOptions { ObsColumns = ["celltype"] }));
    }

    [Fact]
    public void SaveAsH5ad_and_LoadFrom10xH5_round_trip_through_the_catalog()
    {
        using var dir = new TempDirectory();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFrom10xH5(H5adReaderTests.Fixture("tenx_v3.h5"));
        ml.Data.SaveAsH5ad(data, dir.File("v3.h5ad"));
        H5adReaderTests.AssertCounts(H5adReader.Read(dir.File("v3.h5ad")));
        H5adReaderTests.AssertCounts(ExpressionMatrix.FromDataView(ml.Data.LoadFromExpressionFile(H5adReaderTests.Fixture("tenx_v2.h5"))));
    }
}

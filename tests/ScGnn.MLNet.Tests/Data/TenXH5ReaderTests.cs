using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class TenXH5ReaderTests
{
    [Theory]
    [InlineData("tenx_v3.h5")]
    [InlineData("tenx_v2.h5")]
    public void Reads_cell_ranger_v3_and_v2_layouts(string name)
    {
        var m = TenXH5Reader.Read(H5adReaderTests.Fixture(name));
        H5adReaderTests.AssertCounts(m);
        Assert.Equal(H5adReaderTests.Genes, m.GeneIds);
        Assert.Equal(H5adReaderTests.Symbols, m.GeneSymbols);
        Assert.Equal(ExpressionFileFormat.TenXH5, ExpressionFile.DetectReadFormat(H5adReaderTests.Fixture(name)));
    }

    [Fact]
    public void Antibody_features_are_dropped_unless_asked_for_and_symbols_can_be_ids()
    {
        var all = TenXH5Reader.Read(H5adReaderTests.Fixture("tenx_v3.h5"), new TenXReaderOptions { GeneExpressionOnly = false });
        Assert.Equal(6, all.GeneCount);
        Assert.Equal("ADT_CD3", all.GeneIds[5]);
        Assert.Equal([9f, 8, 7, 6, 5, 4], Enumerable.Range(0, 6).Select(i => all[i, 5]));
        Assert.Equal(1f, all[0, 0]);

        var symbols = TenXH5Reader.Read(H5adReaderTests.Fixture("tenx_v3.h5"), new TenXReaderOptions { UseGeneSymbols = true });
        Assert.Equal(["CD3E", "MS4A1", "LYZ", "NKG7", "CD3E-1"], symbols.GeneIds);
    }
}

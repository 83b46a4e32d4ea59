using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

/// <summary>Reads the real 10x folders in ../shared/data; sizes and nonzero counts are those in its README.md.</summary>
public sealed class SharedDataTests
{
    [SharedDataFact]
    public void Zeisel_reads_with_the_documented_size_and_its_labels_join()
    {
        var m = TenXReader.Read(SharedData.Dataset("zeisel"));
        Assert.Equal(1464, m.CellCount);
        Assert.Equal(1095, m.GeneCount);
        Assert.Equal(708_681, m.NonZeroCount);
        Assert.Equal(0.4421, m.Density, 4);
        Assert.Equal("Tmx3", m.GeneIds[0]);

        var labels = CellLabels.Read(Path.Combine(SharedData.Dataset("zeisel"), "labels.tsv"));
        var aligned = labels.Align(m);
        Assert.Equal(235, aligned.Count(l => l == "endothelial-mural"));
        Assert.Equal(290, aligned.Count(l => l == "interneurons"));
        Assert.Equal(939, aligned.Count(l => l == "pyramidal CA1"));
    }

    [SharedDataFact]
    public void Pbmc3k_reads_into_an_IDataView_with_the_documented_size_and_its_labels_join()
    {
        var folder = SharedData.Dataset("pbmc3k");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.JoinCellLabels(ml.Data.LoadFrom10x(folder), Path.Combine(folder, "labels.tsv"));
        var m = ExpressionMatrix.FromDataView(data);
        Assert.Equal(2362, m.CellCount);
        Assert.Equal(13714, m.GeneCount);
        Assert.Equal(1_891_937, m.NonZeroCount);
        Assert.Equal("ENSG00000237683", m.GeneIds[0]);
        Assert.Equal("AAACATACAACCAC-1", m.CellIds[0]);

        var labels = data.GetColumn<ReadOnlyMemory<char>>(ScGnnDefaults.CellTypeColumnName).Select(l => l.ToString()).ToArray();
        Assert.Equal(681, labels.Count(l => l == "Naive CD4 T"));
        Assert.Equal(453, labels.Count(l => l == "CD14+ Mono"));
        Assert.Equal(9, labels.Distinct().Count());

        // Every cell's sum is an integer count and 29 genes are all-zero in the kept cells (SOURCE.md).
        var geneTotals = new double[m.GeneCount];
        var idx = m.ColumnIndices;
        var val = m.Values;
        for (int k = 0; k < val.Length; k++) geneTotals[idx[k]] += val[k];
        Assert.Equal(29, geneTotals.Count(t => t == 0));
    }
}

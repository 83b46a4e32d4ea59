using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Preprocessing;
using Xunit.Abstractions;

namespace ScGnn.MLNet.Tests.Preprocessing;

/// <summary>
/// The paper's preprocessing on the real Zeisel subset (../shared/data/zeisel), checked against numbers computed
/// here independently (a plain MatrixMarket parse and textbook two-pass statistics), not with the library's code.
/// </summary>
public class ZeiselPreprocessingTests
{
    private readonly ITestOutputHelper _output;

    public ZeiselPreprocessingTests(ITestOutputHelper output) => _output = output;

    [SharedDataFact]
    public void Kept_gene_count_and_median_total_match_an_independent_computation()
    {
        var (cellIds, geneIds, dense) = ReadDense(SharedData.Dataset("zeisel"));
        int cells = cellIds.Length, genes = geneIds.Length;

        // Independent: two-pass mean and sample variance per gene, dispersion = var / (1 + mean) > 0.5.
        var kept = new List<int>();
        for (int j = 0; j < genes; j++)
        {
            double mean = 0;
            for (int i = 0; i < cells; i++) mean += dense[i, j];
            mean /= cells;
            double ss = 0;
            for (int i = 0; i < cells; i++) ss += (dense[i, j] - mean) * (dense[i, j] - mean);
            if (ss / (cells - 1) / (1 + mean) > 0.5) kept.Add(j);
        }
        var totals = new double[cells];
        long keptNonZeros = 0;
        for (int i = 0; i < cells; i++)
            foreach (int j in kept)
            {
                totals[i] += dense[i, j];
                if (dense[i, j] != 0) keptNonZeros++;
            }
        Array.Sort(totals);
        double median = cells % 2 == 1 ? totals[cells / 2] : (totals[cells / 2 - 1] + totals[cells / 2]) / 2;

        var ml = new MLContext(seed: 1);
        var data = ToMatrix(cellIds, geneIds, dense).ToDataView();
        var selection = ml.Transforms.SelectVariableGenes().Fit(data);
        var selected = selection.Transform(data);
        var normalization = ml.Transforms.NormalizeMedianLibrarySize().Fit(selected);
        var dropout = ml.Transforms.SimulateDropout().Fit(normalization.Transform(selected));
        _output.WriteLine($"zeisel: {cells} cells x {genes} genes; kept {selection.KeptGeneIndices.Count} genes " +
            $"(independent {kept.Count}); median total {normalization.TargetSum} (independent {median}); " +
            $"mask rate {dropout.MaskRate:F4}, masked {dropout.MaskedCount} of {dropout.FittedNonZeroCount}");

        Assert.Equal(kept.Count, selection.KeptGeneIndices.Count);
        Assert.Equal(kept.ToHashSet(), selection.KeptGeneIndices.ToHashSet());
        Assert.Equal(median, normalization.TargetSum, 9);
        Assert.Equal(keptNonZeros, dropout.FittedNonZeroCount);
        double expectedRate = Math.Min((double)keptNonZeros / ((double)cells * kept.Count), 0.3);
        Assert.Equal((long)Math.Floor(expectedRate * keptNonZeros), dropout.MaskedCount);
        // Raw density 0.4421 (data README): the paper's rate is capped at 0.3.
        Assert.Equal(0.3, DropoutSimulatingEstimator.PaperMaskRate(data), 12);
        Assert.Equal(708_681.0 / (1464.0 * 1095), selection.InputDensity, 12);

        // Every normalized cell sums to the median.
        var rows = PreprocessingTestData.Rows(normalization.Transform(selected));
        Assert.All(rows, r => Assert.Equal(median, r.GetValues().ToArray().Sum(v => (double)v), 6 - (int)Math.Log10(median)));
    }

    /// <summary>A minimal 10x v3 reader: MatrixMarket genes x cells into a dense cells x genes array.</summary>
    private static (string[] Cells, string[] Genes, float[,] Dense) ReadDense(string folder)
    {
        string[] ReadLines(string file)
        {
            using var gz = new GZipStream(File.OpenRead(Path.Combine(folder, file)), CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            var lines = new List<string>();
            while (reader.ReadLine() is { } line) if (line.Length > 0) lines.Add(line);
            return lines.ToArray();
        }
        var genes = ReadLines("features.tsv.gz").Select(l => l.Split('\t')[0]).ToArray();
        var cells = ReadLines("barcodes.tsv.gz");
        using var stream = new GZipStream(File.OpenRead(Path.Combine(folder, "matrix.mtx.gz")), CompressionMode.Decompress);
        using var mtx = new StreamReader(stream);
        string? header;
        while ((header = mtx.ReadLine()) is not null && header.StartsWith('%')) { }
        var size = header!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        Assert.Equal(genes.Length, size[0]);
        Assert.Equal(cells.Length, size[1]);
        var dense = new float[cells.Length, genes.Length];
        long entries = 0;
        while (mtx.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int gene = int.Parse(parts[0], CultureInfo.InvariantCulture) - 1;
            int cell = int.Parse(parts[1], CultureInfo.InvariantCulture) - 1;
            dense[cell, gene] = float.Parse(parts[2], CultureInfo.InvariantCulture);
            entries++;
        }
        Assert.Equal(size[2], entries);
        return (cells, genes, dense);
    }

    private static ExpressionMatrix ToMatrix(string[] cells, string[] genes, float[,] dense)
    {
        var flat = new float[cells.Length * genes.Length];
        Buffer.BlockCopy(dense, 0, flat, 0, flat.Length * sizeof(float));
        return ExpressionMatrix.FromDense(flat, cells, genes);
    }
}

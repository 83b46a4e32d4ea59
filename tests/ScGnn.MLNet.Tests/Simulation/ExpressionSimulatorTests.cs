using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Simulation;

namespace ScGnn.MLNet.Tests.Simulation;

public sealed class ExpressionSimulatorTests
{
    private static readonly Lazy<SimulatedExpression> Default = new(() => ExpressionSimulator.Simulate());

    [Fact]
    public void Same_seed_gives_identical_data_and_another_seed_differs()
    {
        var a = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 80, GeneCount = 60, Seed = 3 });
        var b = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 80, GeneCount = 60, Seed = 3 });
        var c = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 80, GeneCount = 60, Seed = 4 });
        Assert.Equal(a.Observed.ToDense(), b.Observed.ToDense());
        Assert.Equal(a.TrueCounts.ToDense(), b.TrueCounts.ToDense());
        Assert.Equal(a.Groups, b.Groups);
        Assert.NotEqual(a.TrueCounts.ToDense(), c.TrueCounts.ToDense());
    }

    [Fact]
    public void Default_has_the_documented_shape_groups_and_ids()
    {
        var s = Default.Value;
        Assert.Equal(600, s.Observed.CellCount);
        Assert.Equal(500, s.Observed.GeneCount);
        Assert.Equal(["Group1", "Group2", "Group3"], s.GroupNames);
        Assert.Equal("Cell1", s.Observed.CellIds[0]);
        Assert.Equal("Gene500", s.Observed.GeneIds[^1]);
        Assert.Equal(s.Observed.CellIds, s.TrueCounts.CellIds);
        foreach (var g in s.GroupNames)
            Assert.InRange(s.Groups.Count(x => x == g), 150, 250);
        Assert.All(s.LibrarySizes, l => Assert.InRange(l, 2000, 15000)); // e^8.6 x e^(±4.5 x 0.2)
    }

    [Fact]
    public void Observed_counts_are_true_counts_or_dropped_to_zero()
    {
        var s = Default.Value;
        var obs = s.Observed.ToDense();
        var tru = s.TrueCounts.ToDense();
        long dropped = 0;
        for (int i = 0; i < obs.Length; i++)
        {
            Assert.True(obs[i] == tru[i] || obs[i] == 0, $"entry {i}: observed {obs[i]}, true {tru[i]}");
            Assert.True(tru[i] >= 0 && tru[i] == MathF.Floor(tru[i]));
            if (obs[i] == 0 && tru[i] > 0) dropped++;
        }
        Assert.True(dropped > 0);
    }

    [Fact]
    public void Zero_fraction_is_realistic_and_dropout_adds_zeros()
    {
        var s = Default.Value;
        double observedZeros = 1 - s.Observed.Density;
        double trueZeros = 1 - s.TrueCounts.Density;
        Assert.InRange(observedZeros, 0.60, 0.90);
        Assert.InRange(trueZeros, 0.2, observedZeros - 0.15);
    }

    [Fact]
    public void Dropout_rate_rises_as_expression_falls()
    {
        var s = Default.Value;
        var obs = s.Observed.ToDense();
        var tru = s.TrueCounts.ToDense();
        // Bin the true non-zero entries by their true count (a proxy for the cell mean).
        double[] edges = [1, 3, 10, 30, double.PositiveInfinity];
        var kept = new double[edges.Length - 1];
        var total = new double[edges.Length - 1];
        for (int i = 0; i < tru.Length; i++)
        {
            if (tru[i] == 0) continue;
            int b = 0;
            while (tru[i] >= edges[b + 1]) b++;
            total[b]++;
            if (obs[i] != 0) kept[b]++;
        }
        var dropRate = kept.Select((k, b) => 1 - k / total[b]).ToArray();
        for (int b = 1; b < dropRate.Length; b++)
            Assert.True(dropRate[b] < dropRate[b - 1] - 0.05, $"drop rates by expression bin: {string.Join(", ", dropRate.Select(r => r.ToString("F3")))}");
        Assert.True(dropRate[0] > 0.5 && dropRate[^1] < 0.1);
    }

    [Fact]
    public void Group_means_differ_on_DE_genes_in_the_direction_of_the_fold_change()
    {
        var s = Default.Value;
        var m = s.TrueCounts;
        int genes = m.GeneCount;
        var dense = m.ToDense();
        var groupIndex = s.Groups.Select(g => s.GroupNames.ToList().IndexOf(g)).ToArray();
        // Mean library-normalised expression per group and gene.
        var sums = new double[s.GroupNames.Count, genes];
        var counts = new int[s.GroupNames.Count];
        for (int c = 0; c < m.CellCount; c++)
        {
            double total = 0;
            for (int g = 0; g < genes; g++) total += dense[c * genes + g];
            counts[groupIndex[c]]++;
            for (int g = 0; g < genes; g++) sums[groupIndex[c], g] += dense[c * genes + g] / total;
        }
        int checkedUp = 0, rightUp = 0, checkedFlat = 0, flatClose = 0;
        for (int k = 0; k < s.GroupNames.Count; k++)
            for (int g = 0; g < genes; g++)
            {
                if (s.GeneMeans[g] < 1) continue; // too few counts to compare
                double here = sums[k, g] / counts[k];
                var others = Enumerable.Range(0, s.GroupNames.Count).Where(j => j != k).ToArray();
                double there = others.Average(j => sums[j, g] / counts[j]);
                double f = s.DEFactors[k][g];
                bool othersFlat = others.All(j => s.DEFactors[j][g] == 1);
                if (othersFlat && (f >= 1.5 || f <= 1 / 1.5))
                {
                    checkedUp++;
                    if (f > 1 ? here > there * 1.2 : here < there / 1.2) rightUp++;
                }
                if (f == 1 && s.DEFactors.All(fs => fs[g] == 1))
                {
                    checkedFlat++;
                    if (Math.Abs(Math.Log(here / there)) < 0.25) flatClose++;
                }
            }
        Assert.True(checkedUp >= 20, $"only {checkedUp} DE genes checked");
        Assert.True(rightUp >= 0.9 * checkedUp, $"{rightUp} of {checkedUp} DE genes differ in the fold change's direction");
        Assert.True(flatClose >= 0.9 * checkedFlat, $"{flatClose} of {checkedFlat} non-DE genes have similar group means");
    }

    [Fact]
    public void Most_genes_pass_the_papers_dispersion_filter_on_observed_counts()
    {
        var m = Default.Value.Observed;
        var dense = m.ToDense();
        int n = m.CellCount, genes = m.GeneCount, kept = 0;
        for (int g = 0; g < genes; g++)
        {
            double sum = 0, sumSq = 0;
            for (int c = 0; c < n; c++) { double v = dense[c * genes + g]; sum += v; sumSq += v * v; }
            double mean = sum / n, variance = (sumSq - n * mean * mean) / (n - 1); // sample variance (n-1)
            if (variance / (1 + mean) > 0.5) kept++;
        }
        Assert.InRange(kept / (double)genes, 0.6, 0.95);
    }

    [Fact]
    public void Without_dropout_observed_equals_true_counts()
    {
        var s = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 50, GeneCount = 40, Dropout = false });
        Assert.Equal(s.TrueCounts.ToDense(), s.Observed.ToDense());
    }

    [Fact]
    public void Group_probabilities_shape_the_groups()
    {
        var s = ExpressionSimulator.Simulate(new SimulationOptions
        {
            CellCount = 1000, GeneCount = 20, GroupCount = 2, GroupProbabilities = [0.9, 0.1],
        });
        Assert.InRange(s.Groups.Count(g => g == "Group2"), 60, 140);
    }

    [Theory]
    [InlineData(nameof(SimulationOptions.CellCount))]
    [InlineData(nameof(SimulationOptions.MeanShape))]
    [InlineData(nameof(SimulationOptions.DEProbability))]
    [InlineData(nameof(SimulationOptions.GroupProbabilities))]
    public void Invalid_options_are_named(string option)
    {
        var o = new SimulationOptions();
        switch (option)
        {
            case nameof(SimulationOptions.CellCount): o.CellCount = 0; break;
            case nameof(SimulationOptions.MeanShape): o.MeanShape = -1; break;
            case nameof(SimulationOptions.DEProbability): o.DEProbability = 1.5; break;
            default: o.GroupProbabilities = [0.5, 0.5]; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExpressionSimulator.Simulate(o));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void ToDataView_carries_the_groups_as_CellType()
    {
        var s = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 30, GeneCount = 10 });
        var view = s.ToDataView();
        var types = view.GetColumn<ReadOnlyMemory<char>>(ScGnnDefaults.CellTypeColumnName).Select(t => t.ToString());
        Assert.Equal(s.Groups, types);
        var back = ExpressionMatrix.FromDataView(s.ToDataView(trueCounts: true));
        Assert.Equal(s.TrueCounts.ToDense(), back.ToDense());
    }
}

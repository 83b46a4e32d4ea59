using System.Globalization;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Simulation;

/// <summary>
/// Seeded simulator of single-cell RNA-seq counts after the Splatter model (Zappia, Phipson &amp; Oshlack, Genome
/// Biology 18:174, 2017; <c>splatSimulate(method = "groups", dropout.type = "experiment")</c>):
/// <list type="number">
/// <item><description>gene means ~ Gamma(<c>MeanShape</c>, rate <c>MeanRate</c>); with probability
/// <c>OutlierProbability</c> a gene's mean becomes median(means) x LogNormal(<c>OutlierFactorLocation</c>,
/// <c>OutlierFactorScale</c>);</description></item>
/// <item><description>library sizes ~ LogNormal(<c>LibraryLocation</c>, <c>LibraryScale</c>);</description></item>
/// <item><description>each cell joins a group; in each group a gene is differentially expressed with probability
/// <c>DEProbability</c>, with fold change LogNormal(<c>DEFactorLocation</c>, <c>DEFactorScale</c>), inverted with
/// probability <c>DEDownProbability</c>;</description></item>
/// <item><description>cell means = group means rescaled to the cell's library size;</description></item>
/// <item><description>biological variation: BCV = (<c>BcvCommon</c> + 1/√mean) · √(df / χ²_df) (one χ² per gene),
/// cell mean ~ Gamma(1/BCV², scale mean·BCV²) — with the Poisson step, a negative binomial;</description></item>
/// <item><description>true counts ~ Poisson(cell mean);</description></item>
/// <item><description>dropout: each count is zeroed with probability 1 / (1 + exp(−<c>DropoutShape</c> ·
/// (log(cell mean) − <c>DropoutMidpoint</c>))), so the less expressed an entry, the likelier it drops out.</description></item>
/// </list>
/// Groups, gene means and factors are drawn before the cells, so changing <c>CellCount</c> keeps the gene
/// programmes of a seed.
/// </summary>
public static class ExpressionSimulator
{
    /// <summary>Simulates with the default options (600 cells, 500 genes, 3 groups, seed 42).</summary>
    public static SimulatedExpression Simulate() => Simulate(new SimulationOptions());

    /// <summary>Simulates a dataset.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static SimulatedExpression Simulate(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = Copy(options);
        int nCells = o.CellCount;
        var truePtr = new int[nCells + 1];
        var obsPtr = new int[nCells + 1];
        var trueIdx = new List<int>();
        var trueVal = new List<float>();
        var obsIdx = new List<int>();
        var obsVal = new List<float>();
        var groupOf = new int[nCells];
        var plan = Stream(o, (int c, int group, ReadOnlySpan<int> oi, ReadOnlySpan<float> ov, ReadOnlySpan<int> ti, ReadOnlySpan<float> tv) =>
        {
            groupOf[c] = group;
            foreach (int g in ti) trueIdx.Add(g);
            foreach (float v in tv) trueVal.Add(v);
            foreach (int g in oi) obsIdx.Add(g);
            foreach (float v in ov) obsVal.Add(v);
            truePtr[c + 1] = trueIdx.Count;
            obsPtr[c + 1] = obsIdx.Count;
        });
        var cellIds = Enumerable.Range(1, nCells).Select(CellId).ToArray();
        var geneIds = Enumerable.Range(1, o.GeneCount).Select(GeneId).ToArray();
        var trueCounts = new ExpressionMatrix(cellIds, geneIds, truePtr, trueIdx.ToArray(), trueVal.ToArray());
        var observed = new ExpressionMatrix(cellIds, geneIds, obsPtr, obsIdx.ToArray(), obsVal.ToArray());
        return new SimulatedExpression(observed, trueCounts, groupOf.Select(k => plan.GroupNames[k]).ToArray(), plan.GroupNames,
            plan.GeneMeans, plan.DEFactors, plan.LibrarySizes, o);
    }

    /// <summary>Receives one simulated cell: its group, observed (after dropout) and true non-zero counts by gene index.</summary>
    internal delegate void CellSink(int cell, int group, ReadOnlySpan<int> observedGenes, ReadOnlySpan<float> observedCounts,
        ReadOnlySpan<int> trueGenes, ReadOnlySpan<float> trueCounts);

    /// <summary>What is drawn before the cells, and each cell's library size.</summary>
    internal sealed record Plan(string[] GroupNames, double[] GeneMeans, double[][] DEFactors, double[] LibrarySizes);

    /// <summary>Cell id of the 1-based cell number (<c>Cell1..</c>).</summary>
    internal static string CellId(int number) => "Cell" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gene id of the 1-based gene number (<c>Gene1..</c>).</summary>
    internal static string GeneId(int number) => "Gene" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Simulates cell by cell into <paramref name="sink"/>, in cell order, holding one cell's counts at a time: the
    /// same draws as <see cref="Simulate(SimulationOptions)"/>, for datasets too large to hold twice (true and observed).
    /// </summary>
    internal static Plan Stream(SimulationOptions options, CellSink sink)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var o = Copy(options);
        int nCells = o.CellCount, nGenes = o.GeneCount, nGroups = o.GroupCount;
        var rng = new RandomSampler(o.Seed);

        // Gene parameters (Splatter splatSimGeneMeans, splatSimGroupDE).
        var geneMeans = new double[nGenes];
        for (int g = 0; g < nGenes; g++) geneMeans[g] = rng.Gamma(o.MeanShape, 1 / o.MeanRate);
        double median = Median(geneMeans);
        for (int g = 0; g < nGenes; g++)
            if (rng.Bernoulli(o.OutlierProbability))
                geneMeans[g] = median * rng.LogNormal(o.OutlierFactorLocation, o.OutlierFactorScale);

        var deFactors = new double[nGroups][];
        for (int k = 0; k < nGroups; k++)
        {
            deFactors[k] = new double[nGenes];
            for (int g = 0; g < nGenes; g++)
            {
                double f = 1;
                if (rng.Bernoulli(o.DEProbability))
                {
                    f = rng.LogNormal(o.DEFactorLocation, o.DEFactorScale);
                    if (rng.Bernoulli(o.DEDownProbability)) f = 1 / f;
                }
                deFactors[k][g] = f;
            }
        }
        // Each group's means as proportions of its total, so a cell's expected total is its library size.
        var proportions = new double[nGroups][];
        for (int k = 0; k < nGroups; k++)
        {
            var means = new double[nGenes];
            double total = 0;
            for (int g = 0; g < nGenes; g++) total += means[g] = geneMeans[g] * deFactors[k][g];
            for (int g = 0; g < nGenes; g++) means[g] /= total;
            proportions[k] = means;
        }
        var bcvChi = new double[nGenes];
        for (int g = 0; g < nGenes; g++) bcvChi[g] = Math.Sqrt(o.BcvDegreesOfFreedom / rng.ChiSquared(o.BcvDegreesOfFreedom));

        // Cells.
        var groupProbabilities = o.GroupProbabilities ?? Enumerable.Repeat(1.0 / nGroups, nGroups).ToArray();
        var groupNames = Enumerable.Range(1, nGroups).Select(k => "Group" + k.ToString(CultureInfo.InvariantCulture)).ToArray();
        var groupOf = new int[nCells];
        var libSizes = new double[nCells];
        for (int c = 0; c < nCells; c++)
        {
            groupOf[c] = rng.Categorical(groupProbabilities);
            libSizes[c] = rng.LogNormal(o.LibraryLocation, o.LibraryScale);
        }

        var trueIdx = new int[nGenes];
        var trueVal = new float[nGenes];
        var obsIdx = new int[nGenes];
        var obsVal = new float[nGenes];
        for (int c = 0; c < nCells; c++)
        {
            var p = proportions[groupOf[c]];
            int nTrue = 0, nObs = 0;
            for (int g = 0; g < nGenes; g++)
            {
                double baseMean = p[g] * libSizes[c];
                double bcv = (o.BcvCommon + 1 / Math.Sqrt(baseMean)) * bcvChi[g];
                double shape = 1 / (bcv * bcv);
                double cellMean = baseMean > 0 ? rng.Gamma(shape, baseMean / shape) : 0;
                long count = rng.Poisson(cellMean);
                bool keep = true;
                if (o.Dropout)
                {
                    // Drawn for every entry, zero or not, so the dropout pattern does not depend on the counts.
                    double eta = cellMean > 0 ? Math.Log(cellMean) : double.NegativeInfinity;
                    double dropProbability = 1 / (1 + Math.Exp(-o.DropoutShape * (eta - o.DropoutMidpoint)));
                    keep = !rng.Bernoulli(dropProbability);
                }
                if (count == 0) continue;
                trueIdx[nTrue] = g;
                trueVal[nTrue++] = count;
                if (keep)
                {
                    obsIdx[nObs] = g;
                    obsVal[nObs++] = count;
                }
            }
            sink(c, groupOf[c], obsIdx.AsSpan(0, nObs), obsVal.AsSpan(0, nObs), trueIdx.AsSpan(0, nTrue), trueVal.AsSpan(0, nTrue));
        }
        return new Plan(groupNames, geneMeans, deFactors, libSizes);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static SimulationOptions Copy(SimulationOptions s) => new()
    {
        CellCount = s.CellCount,
        GeneCount = s.GeneCount,
        GroupCount = s.GroupCount,
        GroupProbabilities = s.GroupProbabilities?.ToArray(),
        Seed = s.Seed,
        MeanShape = s.MeanShape,
        MeanRate = s.MeanRate,
        LibraryLocation = s.LibraryLocation,
        LibraryScale = s.LibraryScale,
        OutlierProbability = s.OutlierProbability,
        OutlierFactorLocation = s.OutlierFactorLocation,
        OutlierFactorScale = s.OutlierFactorScale,
        DEProbability = s.DEProbability,
        DEDownProbability = s.DEDownProbability,
        DEFactorLocation = s.DEFactorLocation,
        DEFactorScale = s.DEFactorScale,
        BcvCommon = s.BcvCommon,
        BcvDegreesOfFreedom = s.BcvDegreesOfFreedom,
        Dropout = s.Dropout,
        DropoutMidpoint = s.DropoutMidpoint,
        DropoutShape = s.DropoutShape,
    };
}

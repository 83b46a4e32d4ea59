namespace ScGnn.MLNet.Simulation;

/// <summary>
/// Parameters of <see cref="ExpressionSimulator"/>, named after Splatter's (Zappia et al., Genome Biology 2017;
/// <c>splatSimulate</c> parameter in brackets). The defaults are Splatter's except the library size, the number of
/// differentially expressed genes and the dropout midpoint, which are set for a small (600 x 500) demonstration
/// matrix: about 68 % zeros after dropout (37 % before), three groups that a nearest-centroid rule separates
/// about 98 % of the time, and about 72 % of genes kept by the paper's <c>variance / (1 + mean) &gt; 0.5</c> gene filter.
/// </summary>
public sealed class SimulationOptions
{
    /// <summary>Default values of <see cref="SimulationOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Number of cells.</summary>
        public const int CellCount = 600;
        /// <summary>Number of genes.</summary>
        public const int GeneCount = 500;
        /// <summary>Number of cell groups (cell types).</summary>
        public const int GroupCount = 3;
        /// <summary>Random seed.</summary>
        public const int Seed = 42;
        /// <summary>Gamma shape of the gene means (Splatter default).</summary>
        public const double MeanShape = 0.6;
        /// <summary>Gamma rate of the gene means (Splatter default).</summary>
        public const double MeanRate = 0.3;
        /// <summary>Log-normal location of the library sizes: e^8.6 ≈ 5,400 counts per cell over 500 genes (Splatter: 11 for 10,000 genes).</summary>
        public const double LibraryLocation = 8.6;
        /// <summary>Log-normal scale of the library sizes (Splatter default).</summary>
        public const double LibraryScale = 0.2;
        /// <summary>Probability that a gene is a high-expression outlier (Splatter default).</summary>
        public const double OutlierProbability = 0.05;
        /// <summary>Log-normal location of the outlier factor (Splatter default).</summary>
        public const double OutlierFactorLocation = 4;
        /// <summary>Log-normal scale of the outlier factor (Splatter default).</summary>
        public const double OutlierFactorScale = 0.5;
        /// <summary>Probability that a gene is differentially expressed in a group (Splatter: 0.1).</summary>
        public const double DEProbability = 0.2;
        /// <summary>Probability that a differentially expressed gene is down-regulated (Splatter default).</summary>
        public const double DEDownProbability = 0.5;
        /// <summary>Log-normal location of the DE fold change (Splatter: 0.1).</summary>
        public const double DEFactorLocation = 0.3;
        /// <summary>Log-normal scale of the DE fold change (Splatter default).</summary>
        public const double DEFactorScale = 0.4;
        /// <summary>Common biological coefficient of variation (Splatter default).</summary>
        public const double BcvCommon = 0.1;
        /// <summary>Degrees of freedom of the BCV inverse chi-squared (Splatter default).</summary>
        public const double BcvDegreesOfFreedom = 60;
        /// <summary>Whether dropout is simulated (Splatter's <c>dropout.type = "experiment"</c>).</summary>
        public const bool Dropout = true;
        /// <summary>Midpoint of the dropout logistic in log mean: an entry of mean e^1.5 ≈ 4.5 drops out half the time (Splatter: 0).</summary>
        public const double DropoutMidpoint = 1.5;
        /// <summary>Shape of the dropout logistic; negative, so low means drop out more (Splatter default).</summary>
        public const double DropoutShape = -1;
    }

    /// <summary>Number of cells [<c>batchCells</c>].</summary>
    public int CellCount { get; set; } = Defaults.CellCount;

    /// <summary>Number of genes [<c>nGenes</c>].</summary>
    public int GeneCount { get; set; } = Defaults.GeneCount;

    /// <summary>Number of cell groups; each cell is assigned one at random [<c>length(group.prob)</c>].</summary>
    public int GroupCount { get; set; } = Defaults.GroupCount;

    /// <summary>Probability of each group, <see cref="GroupCount"/> values summing to 1; <c>null</c> (default) for equal groups [<c>group.prob</c>].</summary>
    public IReadOnlyList<double>? GroupProbabilities { get; set; }

    /// <summary>Random seed; the same options and seed give the same matrices [<c>seed</c>].</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>Shape of the gamma distribution of gene means [<c>mean.shape</c>].</summary>
    public double MeanShape { get; set; } = Defaults.MeanShape;

    /// <summary>Rate of the gamma distribution of gene means [<c>mean.rate</c>].</summary>
    public double MeanRate { get; set; } = Defaults.MeanRate;

    /// <summary>Location (log scale) of the log-normal library sizes [<c>lib.loc</c>].</summary>
    public double LibraryLocation { get; set; } = Defaults.LibraryLocation;

    /// <summary>Scale (log scale) of the log-normal library sizes [<c>lib.scale</c>].</summary>
    public double LibraryScale { get; set; } = Defaults.LibraryScale;

    /// <summary>Probability that a gene is a high-expression outlier [<c>out.prob</c>].</summary>
    public double OutlierProbability { get; set; } = Defaults.OutlierProbability;

    /// <summary>Location of the log-normal outlier factor, applied to the median gene mean [<c>out.facLoc</c>].</summary>
    public double OutlierFactorLocation { get; set; } = Defaults.OutlierFactorLocation;

    /// <summary>Scale of the log-normal outlier factor [<c>out.facScale</c>].</summary>
    public double OutlierFactorScale { get; set; } = Defaults.OutlierFactorScale;

    /// <summary>Probability that a gene is differentially expressed in a group [<c>de.prob</c>].</summary>
    public double DEProbability { get; set; } = Defaults.DEProbability;

    /// <summary>Probability that a differentially expressed gene is down-regulated [<c>de.downProb</c>].</summary>
    public double DEDownProbability { get; set; } = Defaults.DEDownProbability;

    /// <summary>Location of the log-normal DE fold change [<c>de.facLoc</c>].</summary>
    public double DEFactorLocation { get; set; } = Defaults.DEFactorLocation;

    /// <summary>Scale of the log-normal DE fold change [<c>de.facScale</c>].</summary>
    public double DEFactorScale { get; set; } = Defaults.DEFactorScale;

    /// <summary>Common biological coefficient of variation [<c>bcv.common</c>].</summary>
    public double BcvCommon { get; set; } = Defaults.BcvCommon;

    /// <summary>Degrees of freedom of the scaled inverse chi-squared BCV [<c>bcv.df</c>].</summary>
    public double BcvDegreesOfFreedom { get; set; } = Defaults.BcvDegreesOfFreedom;

    /// <summary>Whether to simulate dropout [<c>dropout.type = "experiment"</c> versus <c>"none"</c>].</summary>
    public bool Dropout { get; set; } = Defaults.Dropout;

    /// <summary>Midpoint (log mean) of the dropout logistic [<c>dropout.mid</c>].</summary>
    public double DropoutMidpoint { get; set; } = Defaults.DropoutMidpoint;

    /// <summary>Shape of the dropout logistic; negative so that lowly expressed entries drop out more [<c>dropout.shape</c>].</summary>
    public double DropoutShape { get; set; } = Defaults.DropoutShape;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Positive(double v, string name)
        {
            if (!(v > 0) || double.IsInfinity(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive finite number.");
        }
        static void Finite(double v, string name)
        {
            if (!double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be finite.");
        }
        static void Probability(double v, string name)
        {
            if (!(v >= 0 && v <= 1)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be in [0, 1].");
        }
        if (CellCount < 1) throw new ArgumentOutOfRangeException(nameof(CellCount), CellCount, "CellCount must be at least 1.");
        if (GeneCount < 1) throw new ArgumentOutOfRangeException(nameof(GeneCount), GeneCount, "GeneCount must be at least 1.");
        if ((long)CellCount * GeneCount > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(GeneCount), GeneCount, "CellCount x GeneCount must stay below 2^31.");
        if (GroupCount < 1) throw new ArgumentOutOfRangeException(nameof(GroupCount), GroupCount, "GroupCount must be at least 1.");
        if (GroupProbabilities is { } p)
        {
            if (p.Count != GroupCount)
                throw new ArgumentOutOfRangeException(nameof(GroupProbabilities), $"GroupProbabilities has {p.Count} values for GroupCount {GroupCount}.");
            if (p.Any(x => !(x >= 0)) || Math.Abs(p.Sum() - 1) > 1e-6)
                throw new ArgumentOutOfRangeException(nameof(GroupProbabilities), "GroupProbabilities must be non-negative and sum to 1.");
        }
        Positive(MeanShape, nameof(MeanShape));
        Positive(MeanRate, nameof(MeanRate));
        Finite(LibraryLocation, nameof(LibraryLocation));
        Positive(LibraryScale, nameof(LibraryScale));
        Probability(OutlierProbability, nameof(OutlierProbability));
        Finite(OutlierFactorLocation, nameof(OutlierFactorLocation));
        Positive(OutlierFactorScale, nameof(OutlierFactorScale));
        Probability(DEProbability, nameof(DEProbability));
        Probability(DEDownProbability, nameof(DEDownProbability));
        Finite(DEFactorLocation, nameof(DEFactorLocation));
        Positive(DEFactorScale, nameof(DEFactorScale));
        if (!(BcvCommon >= 0) || double.IsInfinity(BcvCommon))
            throw new ArgumentOutOfRangeException(nameof(BcvCommon), BcvCommon, "BcvCommon must be a non-negative finite number.");
        Positive(BcvDegreesOfFreedom, nameof(BcvDegreesOfFreedom));
        Finite(DropoutMidpoint, nameof(DropoutMidpoint));
        Finite(DropoutShape, nameof(DropoutShape));
    }
}

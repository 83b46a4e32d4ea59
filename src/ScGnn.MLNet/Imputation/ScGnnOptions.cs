using System.Globalization;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Settings of <see cref="ScGnnTrainer"/>. A new instance holds the library's defaults (<see cref="ScGnnTrainer.Defaults"/>);
/// <see cref="Paper"/> returns the paper's exact configuration (<see cref="ScGnnTrainer.PaperDefaults"/>).
/// </summary>
public sealed class ScGnnOptions
{
    /// <summary>Input column: a known-size vector of Single, cells as rows, genes as slots (normalized counts).</summary>
    public string InputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

    /// <summary>Output column of the fitted transformer; same size and slot names as the input.</summary>
    public string OutputColumnName { get; set; } = ScGnnTrainer.Defaults.OutputColumnName;

    /// <summary>
    /// Optional dropout-mask column (as written by the dropout-simulation transform: non-zero exactly at masked
    /// entries, holding their true values). When set, those entries are the training and validation targets (the
    /// paper's protocol) instead of a mask drawn by the trainer.
    /// </summary>
    public string? MaskColumnName { get; set; }

    /// <summary>Principal components used to build the cell graph (paper: 50).</summary>
    public int PrincipalComponentCount { get; set; } = ScGnnTrainer.Defaults.PrincipalComponentCount;

    /// <summary>Neighbours per cell in the kNN graph (MAGIC's <c>knn</c>; paper: 5).</summary>
    public int NeighborCount { get; set; } = ScGnnTrainer.Defaults.NeighborCount;

    /// <summary>
    /// Chooses the graph's k among <see cref="NeighborCount"/> x 1, 2 and 3 (10, 20 and 30 with the default k = 10) before training
    /// (paper and library default: false). Each candidate graph gets the skip connection's per-gene least-squares start, fitted on the
    /// training targets and scored by MSE on the validation targets. The k with the lowest MSE builds the graph for
    /// training and is stored in the model for new batches. The start is closed-form, so this costs a few kNN searches,
    /// not extra training. It needs <see cref="SkipConnection"/>, validation cells and a fixed mask; otherwise
    /// <see cref="NeighborCount"/> is used as given.
    /// </summary>
    public bool SelectNeighborCount { get; set; } = ScGnnTrainer.Defaults.SelectNeighborCount;

    /// <summary>Bottleneck: the hidden layer has <c>genes / BottleneckRatio</c> units (integer division, at least 1; paper: 64).</summary>
    public int BottleneckRatio { get; set; } = ScGnnTrainer.Defaults.BottleneckRatio;

    /// <summary>Training epochs (full batch; paper: 1000). The epoch with the lowest validation loss is kept.</summary>
    public int Epochs { get; set; } = ScGnnTrainer.Defaults.Epochs;

    /// <summary>Adam learning rate (paper: 0.003).</summary>
    public double LearningRate { get; set; } = ScGnnTrainer.Defaults.LearningRate;

    /// <summary>Adam L2 weight decay (paper: 5e-4).</summary>
    public double WeightDecay { get; set; } = ScGnnTrainer.Defaults.WeightDecay;

    /// <summary>Dropout rate on the hidden layer while training (paper: 0.5).</summary>
    public double DropoutRate { get; set; } = ScGnnTrainer.Defaults.DropoutRate;

    /// <summary>
    /// Fraction of non-zero entries masked as training targets; <c>null</c> means the paper's rate,
    /// <c>min(non-zero fraction of the input, 0.3)</c>.
    /// </summary>
    public double? MaskRate { get; set; }

    /// <summary>Fraction of cells whose masked entries form the validation loss (paper: 0.05).</summary>
    public double ValidationFraction { get; set; } = ScGnnTrainer.Defaults.ValidationFraction;

    /// <summary>Fraction of cells held out entirely from the loss, for testing (paper: 0.05).</summary>
    public double TestFraction { get; set; } = ScGnnTrainer.Defaults.TestFraction;

    /// <summary>
    /// Draw a new training mask every epoch (denoising-autoencoder style) instead of one fixed mask (paper: false).
    /// Ignored when <see cref="MaskColumnName"/> is set.
    /// </summary>
    public bool FreshMaskEachEpoch { get; set; } = ScGnnTrainer.Defaults.FreshMaskEachEpoch;

    /// <summary>
    /// Builds the PCA basis and the kNN graph on <c>log1p</c> of the (normalized) input, as scanpy's
    /// <c>log1p -> pca -> neighbors</c> does, instead of on the values themselves (paper: false). On counts the first
    /// components follow the few most expressed genes; on log1p every gene's fold changes count, and the neighbours
    /// are more often of the same cell type. Only the graph changes; the network's input follows <see cref="InputScale"/>.
    /// </summary>
    public bool GraphOnLog1p { get; set; } = ScGnnTrainer.Defaults.GraphOnLog1p;

    /// <summary>
    /// Caps every output at the largest value of its gene in the batch being imputed (paper: false). A dropout hides
    /// a value the gene takes in other cells, so a prediction above all of them is extrapolation, typically a
    /// per-gene skip coefficient fitted on few targets. Applies in both <see cref="OutputMode"/>s.
    /// </summary>
    public bool CapAtObservedMaximum { get; set; } = ScGnnTrainer.Defaults.CapAtObservedMaximum;

    /// <summary>Scale the network sees and is trained on (paper: counts).</summary>
    public ScGnnInputScale InputScale { get; set; } = ScGnnTrainer.Defaults.InputScale;

    /// <summary>
    /// Adds a skip connection from the cell's graph neighbourhood to the output (paper: false). For cell i and gene j
    /// the output gains <c>s1_j m_ij + s2_j e_ij</c>, where <c>m_ij</c> is the <c>Â</c>-weighted mean of gene j over
    /// i's neighbours (the cell itself excluded, zeros included) and <c>e_ij</c> the weighted mean of the neighbours'
    /// non-zero values of gene j. The coefficients and the output bias start at the per-gene least-squares fit on the
    /// training targets (and observed values, see <see cref="SkipStartOnObservedValues"/>) and are then trained with the network, which learns the residual: the bottleneck carries
    /// cell-type structure, the skip the gene-specific levels a <c>genes/64</c> bottleneck cannot.
    /// </summary>
    public bool SkipConnection { get; set; } = ScGnnTrainer.Defaults.SkipConnection;

    /// <summary>
    /// How many graph hops the skip connection summarizes (1 to 3; ignored without <see cref="SkipConnection"/>).
    /// Hop h adds the two features above computed with the weights of <c>Â^h</c> (self excluded), so hop 2 also sees
    /// the neighbours' neighbours. The per-gene fit weighs small against wide neighbourhoods, much as MAGIC's
    /// diffusion time <c>t</c> does, but per gene and learned from the masked entries.
    /// </summary>
    public int SkipConnectionHops { get; set; } = ScGnnTrainer.Defaults.SkipConnectionHops;

    /// <summary>
    /// Fits the skip connection's least-squares start on every observed non-zero value of the training cells as well
    /// as on the masked training targets (paper: not applicable; ignored without <see cref="SkipConnection"/>). The
    /// skip features leave the cell itself out, so an observed value is as fair a target for them as a masked one, and
    /// a random mask hides a random subset of the same non-zeros: with the paper's mask rate this gives each gene's fit
    /// several times more targets. The network itself still trains on the masked entries only, since its own
    /// input contains the observed values. Validation and test cells never contribute.
    /// </summary>
    public bool SkipStartOnObservedValues { get; set; } = ScGnnTrainer.Defaults.SkipStartOnObservedValues;

    /// <summary>
    /// How many standard errors an epoch's validation gain over the starting weights must exceed for that epoch to be
    /// kept (paper: 0, the epoch with the lowest validation loss). The gain is the mean drop in squared error over the
    /// same validation targets, so its standard error (sample sd, n-1, over the targets) measures how much of it is
    /// the luck of which entries were masked. With the skip connection the start is already a fitted model, and a
    /// minimum picked among a thousand noisy validation losses tends to be luck; 0 turns the test off.
    /// </summary>
    public double EpochSelectionStandardErrors { get; set; } = ScGnnTrainer.Defaults.EpochSelectionStandardErrors;

    /// <summary>Number of independently seeded networks whose predictions are averaged (paper: 1).</summary>
    public int EnsembleSize { get; set; } = ScGnnTrainer.Defaults.EnsembleSize;

    /// <summary>What the fitted transformer outputs (paper: predictions in zero entries only).</summary>
    public ImputationOutputMode OutputMode { get; set; } = ImputationOutputMode.ImputeZeros;

    /// <summary>Device for training and inference.</summary>
    public ScGnnDevice Device { get; set; } = ScGnnDevice.Auto;

    /// <summary>Seed for the cell split, the masks, the weight initialization and dropout.</summary>
    public int Seed { get; set; } = ScGnnTrainer.Defaults.Seed;

    /// <summary>Threads for TorchSharp's CPU kernels; <c>null</c> leaves TorchSharp's setting (all cores).</summary>
    public int? ThreadCount { get; set; }

    /// <summary>Called after every epoch with the train and validation loss.</summary>
    public Action<ScGnnEpochProgress>? Progress { get; set; }

    /// <summary>Checked between epochs; cancelling stops training with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>The paper's configuration (PROTOCOL.md, the reference notebook's settings).</summary>
    public static ScGnnOptions Paper() => new()
    {
        PrincipalComponentCount = ScGnnTrainer.PaperDefaults.PrincipalComponentCount,
        NeighborCount = ScGnnTrainer.PaperDefaults.NeighborCount,
        BottleneckRatio = ScGnnTrainer.PaperDefaults.BottleneckRatio,
        Epochs = ScGnnTrainer.PaperDefaults.Epochs,
        LearningRate = ScGnnTrainer.PaperDefaults.LearningRate,
        WeightDecay = ScGnnTrainer.PaperDefaults.WeightDecay,
        DropoutRate = ScGnnTrainer.PaperDefaults.DropoutRate,
        ValidationFraction = ScGnnTrainer.PaperDefaults.ValidationFraction,
        TestFraction = ScGnnTrainer.PaperDefaults.TestFraction,
        FreshMaskEachEpoch = ScGnnTrainer.PaperDefaults.FreshMaskEachEpoch,
        InputScale = ScGnnTrainer.PaperDefaults.InputScale,
        EnsembleSize = ScGnnTrainer.PaperDefaults.EnsembleSize,
        SkipConnection = ScGnnTrainer.PaperDefaults.SkipConnection,
        SkipConnectionHops = ScGnnTrainer.PaperDefaults.SkipConnectionHops,
        SkipStartOnObservedValues = ScGnnTrainer.PaperDefaults.SkipStartOnObservedValues,
        EpochSelectionStandardErrors = ScGnnTrainer.PaperDefaults.EpochSelectionStandardErrors,
        GraphOnLog1p = ScGnnTrainer.PaperDefaults.GraphOnLog1p,
        SelectNeighborCount = ScGnnTrainer.PaperDefaults.SelectNeighborCount,
        CapAtObservedMaximum = ScGnnTrainer.PaperDefaults.CapAtObservedMaximum,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(InputColumnName), nameof(InputColumnName), "must be a column name");
        Require(!string.IsNullOrWhiteSpace(OutputColumnName), nameof(OutputColumnName), "must be a column name");
        Require(PrincipalComponentCount >= 1, nameof(PrincipalComponentCount), "must be at least 1");
        Require(NeighborCount >= 1, nameof(NeighborCount), "must be at least 1");
        Require(BottleneckRatio >= 1, nameof(BottleneckRatio), "must be at least 1");
        Require(Epochs >= 1, nameof(Epochs), "must be at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be positive");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), "must be >= 0");
        Require(DropoutRate is >= 0 and < 1, nameof(DropoutRate), "must be in [0, 1)");
        Require(MaskRate is null or (> 0 and < 1), nameof(MaskRate), "must be in (0, 1) or null for the paper's rate");
        Require(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)");
        Require(TestFraction is >= 0 and < 1, nameof(TestFraction), "must be in [0, 1)");
        Require(ValidationFraction + TestFraction < 1, nameof(TestFraction), "plus ValidationFraction must leave training cells");
        Require(EpochSelectionStandardErrors >= 0 && double.IsFinite(EpochSelectionStandardErrors), nameof(EpochSelectionStandardErrors), "must be >= 0");
        Require(EnsembleSize >= 1, nameof(EnsembleSize), "must be at least 1");
        Require(SkipConnectionHops is >= 1 and <= Gcn.NeighborFeatures.MaxHops, nameof(SkipConnectionHops), $"must be 1 to {Gcn.NeighborFeatures.MaxHops}");
        Require(ThreadCount is null or >= 1, nameof(ThreadCount), "must be at least 1");
        Require(Enum.IsDefined(InputScale), nameof(InputScale), "is not a known scale");
        Require(Enum.IsDefined(OutputMode), nameof(OutputMode), "is not a known mode");
        Require(Enum.IsDefined(Device), nameof(Device), "is not a known device");
    }

    private void Require(bool ok, string name, string what)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, string.Format(CultureInfo.InvariantCulture,
                "ScGnn option {0} {1} (got {2}).", name, what, GetType().GetProperty(name)!.GetValue(this) ?? "null"));
    }

    internal ScGnnOptions Clone() => (ScGnnOptions)MemberwiseClone();
}

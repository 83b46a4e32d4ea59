using System.Globalization;
using System.Text;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Settings of <see cref="ScGnnTrainer"/>. A new instance holds the library's defaults (<see cref="ScGnnTrainer.Defaults"/>);
/// <see cref="Paper"/> returns the paper's exact configuration (<see cref="ScGnnTrainer.PaperDefaults"/>).
/// </summary>
/// <remarks>
/// The two configurations share the paper's network (PCA, kNN graph, a two-layer GCN with a <c>genes/64</c>
/// bottleneck, Adam). The library default adds what measured better on every dataset and simulation
/// (docs/BENCHMARKS.md §3): a skip connection from each cell's two-hop neighbourhood whose per-gene start is
/// fitted by least squares, the graph and the network input on <c>log1p</c>, k = 10, a stricter rule for keeping a
/// trained epoch, and outputs capped at each gene's observed maximum. Those switches are not options; use
/// <see cref="Paper"/> for the paper's model.
/// </remarks>
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

    /// <summary>Principal components used to build the cell graph (scanpy's <c>n_comps</c>, MAGIC's <c>n_pca</c>; paper: 50).</summary>
    public int PrincipalComponentCount { get; set; } = ScGnnTrainer.Defaults.PrincipalComponentCount;

    /// <summary>Neighbours per cell in the kNN graph (MAGIC's <c>knn</c>; paper: 5, library default: 10).</summary>
    public int NeighborCount { get; set; } = ScGnnTrainer.Defaults.NeighborCount;

    /// <summary>Bottleneck: the hidden layer has <c>genes / BottleneckRatio</c> units (integer division, at least 1; paper: 64).</summary>
    public int BottleneckRatio { get; set; } = ScGnnTrainer.Defaults.BottleneckRatio;

    /// <summary>Most training epochs (paper: 1000), each one Adam step on the whole graph. Data too large for the whole
    /// graph trains in mini-batches, several steps an epoch, and runs at most this many steps in all. The epoch selected
    /// on the validation targets is kept (<see cref="ScGnnImputationTransformer.BestEpoch"/>).</summary>
    public int Epochs { get; set; } = ScGnnTrainer.Defaults.Epochs;

    /// <summary>Adam learning rate (paper: 0.003).</summary>
    public double LearningRate { get; set; } = ScGnnTrainer.Defaults.LearningRate;

    /// <summary>Dropout rate on the hidden layer while training (paper: 0.5).</summary>
    public double DropoutRate { get; set; } = ScGnnTrainer.Defaults.DropoutRate;

    /// <summary>
    /// Fraction of non-zero entries masked as training targets; <c>null</c> means the paper's rate,
    /// <c>min(non-zero fraction of the input, 0.3)</c>. Ignored when <see cref="MaskColumnName"/> is set.
    /// </summary>
    public double? MaskRate { get; set; }

    /// <summary>Fraction of cells whose masked entries form the validation loss that selects the kept epoch (paper: 0.05).</summary>
    public double ValidationFraction { get; set; } = ScGnnTrainer.Defaults.ValidationFraction;

    /// <summary>
    /// What the fitted transformer outputs (default and paper: predictions in zero entries only; for clustering use
    /// <see cref="ImputationOutputMode.Smoothed"/>, or <see cref="ScGnnImputationTransformer.WithOutputMode"/> on a fitted model).
    /// A fit for <see cref="ImputationOutputMode.Smoothed"/> fits no network, since that output reads none: it records
    /// the genes, <see cref="PrincipalComponentCount"/>, <see cref="NeighborCount"/> and the graph's scale, and the
    /// training settings do not apply. To get both the entry values and the smoothed output from one fit, fit
    /// <see cref="ImputationOutputMode.ImputeZeros"/> and call <see cref="ScGnnImputationTransformer.WithOutputMode"/>.
    /// </summary>
    public ImputationOutputMode OutputMode { get; set; } = ImputationOutputMode.ImputeZeros;

    /// <summary>Device for training and inference.</summary>
    public ScGnnDevice Device { get; set; } = ScGnnDevice.Auto;

    /// <summary>Seed for the cell split, the mask, the weight initialization and dropout (MAGIC's <c>random_state</c>).</summary>
    public int Seed { get; set; } = ScGnnTrainer.Defaults.Seed;

    /// <summary>Threads for TorchSharp's CPU kernels (MAGIC's <c>n_jobs</c>); <c>null</c> leaves TorchSharp's setting (all cores).</summary>
    public int? ThreadCount { get; set; }

    /// <summary>Called after every epoch with the train and validation loss (also reported on ML.NET's progress channel).</summary>
    public Action<ScGnnEpochProgress>? Progress { get; set; }

    /// <summary>
    /// Checked between epochs and stages, as is <c>MLContext.CancelExecution()</c>; cancelling stops the fit with
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    // ---- The configuration: set by the constructor (library default) or Paper(); not options (docs/BENCHMARKS.md). ----

    /// <summary>Adam L2 weight decay (paper: 5e-4; both configurations).</summary>
    internal double WeightDecay { get; set; } = ScGnnTrainer.Defaults.WeightDecay;

    /// <summary>Fraction of cells held out entirely from the loss (paper: 0.05; library: 0); the protocol sets it.</summary>
    internal double TestFraction { get; set; } = ScGnnTrainer.Defaults.TestFraction;

    /// <summary>Scale the network sees and is trained on (paper: counts; library: log1p input, count-scale loss).</summary>
    internal ScGnnInputScale InputScale { get; set; } = ScGnnTrainer.Defaults.InputScale;

    /// <summary>
    /// PCA and kNN on <c>log1p</c> of the input, as scanpy's <c>log1p -> pca -> neighbors</c> (paper: false). Only the
    /// graph changes; the network's input follows <see cref="InputScale"/>.
    /// </summary>
    internal bool GraphOnLog1p { get; set; } = ScGnnTrainer.Defaults.GraphOnLog1p;

    /// <summary>
    /// Caps every output at the largest value of its gene in the batch being imputed (paper: false): a prediction
    /// above every observed value is extrapolation.
    /// </summary>
    internal bool CapAtObservedMaximum { get; set; } = ScGnnTrainer.Defaults.CapAtObservedMaximum;

    /// <summary>
    /// A skip connection from the cell's graph neighbourhood to the output (paper: false): for cell i and gene j the
    /// output gains <c>s1_j m_ij + s2_j e_ij</c> per hop, with <c>m_ij</c> the <c>Â</c>-weighted mean of gene j over i's
    /// neighbours (self excluded, zeros included) and <c>e_ij</c> the weighted mean of their non-zero values. The
    /// coefficients start at the per-gene least-squares fit and are trained with the network.
    /// </summary>
    internal bool SkipConnection { get; set; } = ScGnnTrainer.Defaults.SkipConnection;

    /// <summary>Graph hops the skip connection summarizes (1 to 3; hop h weighs cells by <c>Â^h</c>, self excluded).</summary>
    internal int SkipConnectionHops { get; set; } = ScGnnTrainer.Defaults.SkipConnectionHops;

    /// <summary>The skip start is fitted on the training cells' observed non-zeros as well as the masked targets.</summary>
    internal bool SkipStartOnObservedValues { get; set; } = ScGnnTrainer.Defaults.SkipStartOnObservedValues;

    /// <summary>
    /// Standard errors (sample sd, n-1, over the same validation targets) a trained epoch's paired validation gain over
    /// the starting weights must exceed to be kept (paper: 0, the lowest validation loss).
    /// </summary>
    internal double EpochSelectionStandardErrors { get; set; } = ScGnnTrainer.Defaults.EpochSelectionStandardErrors;

    /// <summary>
    /// Stop training when the validation loss has not reached a new low for this many Adam steps, keeping the epoch
    /// chosen so far (paper: 0, every epoch runs; library: 50). On the whole graph a step is an epoch; with
    /// mini-batches it is counted in epochs of several steps (<see cref="Gcn.GcnFitter.PatienceEpochs"/>). Needs validation cells.
    /// </summary>
    internal int EarlyStoppingPatience { get; set; } = ScGnnTrainer.Defaults.EarlyStoppingPatience;

    /// <summary>
    /// Cells per mini-batch; null trains on the whole graph (one Adam step per epoch, as the paper) while
    /// cells x genes is at most <see cref="Gcn.GcnFitter.WholeGraphEntries"/>,
    /// and above that Cluster-GCN style, on the subgraphs induced by graph-local batches of about
    /// <see cref="Gcn.GcnFitter.BatchInputEntries"/> cells x genes.
    /// </summary>
    internal int? BatchSize { get; set; }

    /// <summary>
    /// With the trainer's own mask, the network trains on its input with the remaining values scaled by 1 / (1 - mask
    /// rate) (inverted dropout): a fraction of every cell's non-zeros is hidden as targets, so without the scale the
    /// first layer would see a row a fraction lighter in training than the complete row it imputes from. The skip
    /// features' means get the same scale. A given mask (the evaluation protocol) is also hidden at imputation, so
    /// nothing is scaled there.
    /// </summary>
    internal bool ScaleNetworkInput { get; set; } = ScGnnTrainer.Defaults.ScaleNetworkInput;

    /// <summary>The output layer's weights start at zero, so training starts exactly at the skip connection's least-squares fit.</summary>
    internal bool ZeroOutputStart { get; set; } = ScGnnTrainer.Defaults.ZeroOutputStart;

    /// <summary>
    /// A trained epoch is kept as the start plus the validation targets' least-squares fraction of its change of the
    /// output, chosen by cross-fitted validation errors (Gcn.StartShrinkage); the output layer then starts at zero. Needs the
    /// skip connection.
    /// </summary>
    internal bool ShrinkTowardStart { get; set; } = ScGnnTrainer.Defaults.ShrinkTowardStart;

    /// <summary>
    /// With the trainer's own mask on data up to 16 Mi cells x genes (ScGnnEngine.HeldOutValidationEntries), the
    /// validation pass reads the input as imputation will: the
    /// observed matrix without the validation and test targets (the training targets in place, unscaled), with skip
    /// features from it. A given mask is hidden at imputation too, so nothing changes there.
    /// </summary>
    internal bool ValidateOnHeldOutInput { get; set; } = ScGnnTrainer.Defaults.ValidateOnHeldOutInput;

    /// <summary>The paper's configuration (PROTOCOL.md, the reference notebook's settings: <see cref="ScGnnTrainer.PaperDefaults"/>).</summary>
    public static ScGnnOptions Paper() => new()
    {
        PrincipalComponentCount = ScGnnTrainer.PaperDefaults.PrincipalComponentCount,
        NeighborCount = ScGnnTrainer.PaperDefaults.NeighborCount,
        BottleneckRatio = ScGnnTrainer.PaperDefaults.BottleneckRatio,
        Epochs = ScGnnTrainer.PaperDefaults.Epochs,
        LearningRate = ScGnnTrainer.PaperDefaults.LearningRate,
        DropoutRate = ScGnnTrainer.PaperDefaults.DropoutRate,
        ValidationFraction = ScGnnTrainer.PaperDefaults.ValidationFraction,
        WeightDecay = ScGnnTrainer.PaperDefaults.WeightDecay,
        TestFraction = ScGnnTrainer.PaperDefaults.TestFraction,
        InputScale = ScGnnTrainer.PaperDefaults.InputScale,
        SkipConnection = ScGnnTrainer.PaperDefaults.SkipConnection,
        SkipConnectionHops = ScGnnTrainer.PaperDefaults.SkipConnectionHops,
        SkipStartOnObservedValues = ScGnnTrainer.PaperDefaults.SkipStartOnObservedValues,
        EpochSelectionStandardErrors = ScGnnTrainer.PaperDefaults.EpochSelectionStandardErrors,
        GraphOnLog1p = ScGnnTrainer.PaperDefaults.GraphOnLog1p,
        CapAtObservedMaximum = ScGnnTrainer.PaperDefaults.CapAtObservedMaximum,
        EarlyStoppingPatience = ScGnnTrainer.PaperDefaults.EarlyStoppingPatience,
        ZeroOutputStart = false,
        ScaleNetworkInput = false,
        ShrinkTowardStart = false,
        ValidateOnHeldOutInput = false,
    };

    /// <summary>True when the network and its training follow the paper (no skip connection, counts, the plain epoch rule).</summary>
    internal bool IsPaperModel =>
        !SkipConnection && InputScale == ScGnnInputScale.Counts && !GraphOnLog1p && !CapAtObservedMaximum && EpochSelectionStandardErrors == 0 &&
        !ShrinkTowardStart;

    /// <summary>
    /// A one-paragraph summary of the settings, for logs and reports, e.g. "library default model (two-hop skip
    /// connection, log1p graph and input, outputs capped); PCA 50, k = 10, hidden genes/64, up to 1000 epochs ...".
    /// </summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        if (OutputMode == ImputationOutputMode.Smoothed)
            return string.Format(c, "output: input smoothed over each batch's own cell graph (for clustering), no network fitted; graph in PCA {0} of {1}, " +
                "k from {2} (k, steps and weight by molecular cross-validation); device {3}.", PrincipalComponentCount, GraphOnLog1p ? "log1p" : "counts",
                NeighborCount, Device);
        var s = new StringBuilder();
        if (IsPaperModel) s.Append("paper model (no skip connection, counts scale, lowest validation loss kept)");
        else
        {
            s.Append(IsLibraryModel ? "library default model (" : "custom model (");
            var parts = new List<string>();
            if (SkipConnection)
                parts.Add(string.Format(c, "{0}-hop skip connection{1}", SkipConnectionHops, SkipStartOnObservedValues ? " started on observed values" : ""));
            else parts.Add("no skip connection");
            parts.Add(GraphOnLog1p ? "graph on log1p" : "graph on counts");
            parts.Add(InputScale switch
            {
                ScGnnInputScale.Log1pInput => "log1p input, count-scale loss",
                ScGnnInputScale.Log1p => "log1p scale",
                _ => "counts scale",
            });
            if (ShrinkTowardStart && SkipConnection)
                parts.Add("a trained epoch shrunk toward the start by its validated fraction");
            if (EpochSelectionStandardErrors > 0)
                parts.Add(string.Format(c, "a trained epoch kept only {0:0.##} SE better than the start", EpochSelectionStandardErrors));
            if (CapAtObservedMaximum) parts.Add("outputs capped at each gene's observed maximum");
            s.Append(string.Join(", ", parts)).Append(')');
        }
        s.Append(string.Format(c, "; PCA {0}, k = {1}, hidden genes/{2}, up to {3} epoch{4} (Adam lr {5:G4}, weight decay {6:G4}, dropout {7:G4})",
            PrincipalComponentCount, NeighborCount, BottleneckRatio, Epochs, Epochs == 1 ? "" : "s", LearningRate, WeightDecay, DropoutRate));
        s.Append(MaskColumnName is { } m ? $"; targets from mask column '{m}'"
            : MaskRate is double r ? string.Format(c, "; mask rate {0:G4}", r) : "; mask rate min(density, 0.3)");
        s.Append(string.Format(c, "; validation {0:0.##} % of cells", 100 * ValidationFraction));
        if (TestFraction > 0) s.Append(string.Format(c, ", test {0:0.##} %", 100 * TestFraction));
        s.Append(OutputMode switch
        {
            ImputationOutputMode.Denoise => "; output: every entry predicted",
            ImputationOutputMode.Smoothed => "; output: input smoothed over the kNN graph (for clustering)",
            _ => "; output: zeros imputed, observed values kept",
        });
        s.Append(string.Format(c, "; device {0}, seed {1}", Device, Seed));
        if (ThreadCount is int t) s.Append(string.Format(c, ", {0} thread{1}", t, t == 1 ? "" : "s"));
        return s.Append('.').ToString();
    }

    private bool IsLibraryModel =>
        SkipConnection == ScGnnTrainer.Defaults.SkipConnection && SkipConnectionHops == ScGnnTrainer.Defaults.SkipConnectionHops &&
        SkipStartOnObservedValues == ScGnnTrainer.Defaults.SkipStartOnObservedValues && InputScale == ScGnnTrainer.Defaults.InputScale &&
        GraphOnLog1p == ScGnnTrainer.Defaults.GraphOnLog1p && CapAtObservedMaximum == ScGnnTrainer.Defaults.CapAtObservedMaximum &&
        EpochSelectionStandardErrors == ScGnnTrainer.Defaults.EpochSelectionStandardErrors &&
        ShrinkTowardStart == ScGnnTrainer.Defaults.ShrinkTowardStart && ValidateOnHeldOutInput == ScGnnTrainer.Defaults.ValidateOnHeldOutInput;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(InputColumnName), nameof(InputColumnName), "must be a column name");
        Require(!string.IsNullOrWhiteSpace(OutputColumnName), nameof(OutputColumnName), "must be a column name");
        Require(MaskColumnName is null || !string.IsNullOrWhiteSpace(MaskColumnName), nameof(MaskColumnName), "must be a column name or null");
        Require(PrincipalComponentCount >= 1, nameof(PrincipalComponentCount), "must be at least 1");
        Require(NeighborCount >= 1, nameof(NeighborCount), "must be at least 1");
        Require(BottleneckRatio >= 1, nameof(BottleneckRatio), "must be at least 1");
        Require(Epochs >= 1, nameof(Epochs), "must be at least 1");
        Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), "must be >= 0");
        Require(BatchSize is null or >= 1, nameof(BatchSize), "must be at least 1 or null");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "must be positive");
        Require(DropoutRate is >= 0 and < 1, nameof(DropoutRate), "must be in [0, 1)");
        Require(MaskRate is null or (> 0 and < 1), nameof(MaskRate), "must be in (0, 1) or null for the paper's rate");
        Require(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)");
        Require(ThreadCount is null or >= 1, nameof(ThreadCount), "must be at least 1");
        Require(Enum.IsDefined(OutputMode), nameof(OutputMode), "is not a known mode");
        Require(MaskColumnName is null || OutputMode != ImputationOutputMode.Smoothed, nameof(MaskColumnName),
            "must be null with OutputMode Smoothed, which fits no network and so has no training targets");
        Require(Enum.IsDefined(Device), nameof(Device), "is not a known device");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), "must be >= 0");
        Require(TestFraction is >= 0 and < 1, nameof(TestFraction), "must be in [0, 1)");
        Require(ValidationFraction + TestFraction < 1, nameof(TestFraction), "plus ValidationFraction must leave training cells");
        Require(EpochSelectionStandardErrors >= 0 && double.IsFinite(EpochSelectionStandardErrors), nameof(EpochSelectionStandardErrors), "must be >= 0");
        Require(SkipConnectionHops is >= 1 and <= Gcn.NeighborFeatures.MaxHops, nameof(SkipConnectionHops), $"must be 1 to {Gcn.NeighborFeatures.MaxHops}");
        Require(Enum.IsDefined(InputScale), nameof(InputScale), "is not a known scale");
    }

    private void Require(bool ok, string name, string what)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, string.Format(CultureInfo.InvariantCulture,
                "ScGnn option {0} {1} (got {2}).", name, what,
                GetType().GetProperty(name, System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)!
                    .GetValue(this) ?? "null"));
    }

    internal ScGnnOptions Clone() => (ScGnnOptions)MemberwiseClone();
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Estimator for SCGNN dropout imputation (paper §2): PCA of the cells, a kNN cell graph (exact, approximate for large batches), the renormalized
/// adjacency <c>D^-1/2 (A + I) D^-1/2</c>, and a bottlenecked two-layer GCN trained with TorchSharp (Adam) to predict
/// deliberately masked non-zero values. <see cref="Fit"/> returns an <see cref="ScGnnImputationTransformer"/> that
/// imputes the cells it was fitted on and new cells alike.
/// </summary>
/// <remarks>
/// Input: a known-size vector column of Single (normalized counts, e.g. after gene selection and median
/// normalization), cells as rows, gene ids as slot names; read sparse. Reach it through
/// <see cref="ImputationCatalog.ImputeWithScGnn(TransformsCatalog, ScGnnOptions)"/>.
/// </remarks>
public sealed class ScGnnTrainer : IEstimator<ScGnnImputationTransformer>
{
    /// <summary>
    /// The library's default settings: the paper's network, trained the way that measured best (docs/BENCHMARKS.md §3).
    /// The one source of these values; <see cref="ScGnnOptions"/> starts from them.
    /// </summary>
    public static class Defaults
    {
        /// <summary>Default output column name.</summary>
        public const string OutputColumnName = "Imputed";
        /// <summary>Principal components for the graph.</summary>
        public const int PrincipalComponentCount = 50;
        /// <summary>
        /// Neighbours per cell: 10, twice the paper's 5. With the skip start fitted on observed values, the wider graph
        /// won the protocol on all three datasets and one of two simulations (docs/BENCHMARKS.md).
        /// </summary>
        public const int NeighborCount = 10;
        /// <summary>Hidden units = genes / this.</summary>
        public const int BottleneckRatio = 64;
        /// <summary>Most training epochs.</summary>
        public const int Epochs = 1000;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 0.003;
        /// <summary>Hidden-layer dropout.</summary>
        public const double DropoutRate = 0.5;
        /// <summary>Validation cell fraction.</summary>
        public const double ValidationFraction = 0.05;
        /// <summary>Seed.</summary>
        public const int Seed = 1;

        // The configuration (not options): what won in docs/BENCHMARKS.md §3.
        internal const double WeightDecay = 5e-4;
        // No test cells: evaluation masks come from outside the trainer.
        internal const double TestFraction = 0.0;
        // log1p features, count-scale loss and output: won with the skip connection on all three datasets and on simulations.
        internal const ScGnnInputScale InputScale = ScGnnInputScale.Log1pInput;
        internal const bool SkipConnection = true;
        internal const int SkipConnectionHops = 2;
        internal const bool GraphOnLog1p = true;
        internal const bool SkipStartOnObservedValues = true;
        // The lowest cross-fitted validation loss of the shrunk epochs: the shrinkage, not a margin, guards the start.
        internal const double EpochSelectionStandardErrors = 0;
        internal const bool CapAtObservedMaximum = true;
        /// <summary>Early stopping after 50 epochs without a new lowest validation loss.</summary>
        internal const int EarlyStoppingPatience = 50;
        /// <summary>The output layer starts at zero: training starts at the skip connection's least-squares fit.</summary>
        internal const bool ZeroOutputStart = false;
        /// <summary>With the trainer's own mask, the network's training input is scaled by 1 / (1 - mask rate), as inverted dropout.</summary>
        internal const bool ScaleNetworkInput = true;
        /// <summary>A trained epoch is kept shrunk toward the start by the validation targets' least-squares fraction
        /// (the output layer then starts at zero).</summary>
        internal const bool ShrinkTowardStart = true;
        /// <summary>With the trainer's own mask, the validation pass reads the rows imputation will (training targets in place).</summary>
        internal const bool ValidateOnHeldOutInput = true;
    }

    /// <summary>The paper's configuration (PROTOCOL.md; the reference notebook's settings). Use <see cref="ScGnnOptions.Paper"/>.</summary>
    public static class PaperDefaults
    {
        /// <summary>PCA components (paper: 50).</summary>
        public const int PrincipalComponentCount = 50;
        /// <summary>k of the kNN graph (paper: 5).</summary>
        public const int NeighborCount = 5;
        /// <summary>Bottleneck ratio (paper: M / 64).</summary>
        public const int BottleneckRatio = 64;
        /// <summary>Epochs (paper: 1000).</summary>
        public const int Epochs = 1000;
        /// <summary>Adam learning rate (paper: 0.003).</summary>
        public const double LearningRate = 0.003;
        /// <summary>Adam weight decay (paper: 5e-4).</summary>
        public const double WeightDecay = 5e-4;
        /// <summary>Dropout (paper: 0.5).</summary>
        public const double DropoutRate = 0.5;
        /// <summary>Validation fraction (paper: 90/5/5 split).</summary>
        public const double ValidationFraction = 0.05;
        /// <summary>Test fraction (paper: 90/5/5 split).</summary>
        public const double TestFraction = 0.05;

        // The paper's model: counts scale, no skip connection, PCA on the normalized counts, the lowest validation
        // loss kept, outputs not capped.
        internal const ScGnnInputScale InputScale = ScGnnInputScale.Counts;
        internal const bool SkipConnection = false;
        internal const int SkipConnectionHops = 1;
        internal const bool SkipStartOnObservedValues = false;
        internal const double EpochSelectionStandardErrors = 0;
        internal const bool GraphOnLog1p = false;
        internal const bool CapAtObservedMaximum = false;
        /// <summary>The paper runs every epoch.</summary>
        internal const int EarlyStoppingPatience = 0;
    }

    private readonly IHost _host;
    private readonly ScGnnOptions _options;

    internal ScGnnTrainer(IHostEnvironment env, ScGnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = env.Register(nameof(ScGnnTrainer));
        _options = options.Clone();
    }

    /// <summary>The settings this estimator fits with (a copy).</summary>
    public ScGnnOptions Options => _options.Clone();

    /// <summary>Checks the input column (and mask column) and describes the added output column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var cols = inputSchema.ToDictionary(c => c.Name);
        CheckVectorColumn(inputSchema, _options.InputColumnName, nameof(inputSchema));
        if (_options.MaskColumnName is { } mask) CheckVectorColumn(inputSchema, mask, nameof(inputSchema));
        var input = inputSchema.First(c => c.Name == _options.InputColumnName);
        cols[_options.OutputColumnName] = new SchemaShape.Column(_options.OutputColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, false, input.Annotations);
        return new SchemaShape(cols.Values);
    }

    /// <summary>
    /// Reads the input column (sparse), builds the cell graph and trains the network; see <see cref="ScGnnTrainer"/>.
    /// Reports its stages on the ML.NET log and the epochs on the host's progress channel.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="OperationCanceledException"><c>MLContext.CancelExecution()</c> was called, or the options'
    /// cancellation token was cancelled (checked between stages and epochs).</exception>
    public ScGnnImputationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var options = _options.Clone();
        using var ch = _host.Start("Training ScGnn");
        var monitor = new FitMonitor(_host, ch, options.CancellationToken);
        ExpressionMatrix matrix;
        MaskedEntries? mask = null;
        using (var stage = monitor.Stage($"reading column '{options.InputColumnName}'"))
        {
            matrix = ExpressionMatrix.FromDataView(input, options.InputColumnName, null);
            ExpressionValueCheck.Check(matrix, options.InputColumnName);
            if (options.MaskColumnName is { } maskColumn)
                mask = ReadMask(input, maskColumn, matrix.GeneCount);
            stage.Done();
        }
        var geneIds = matrix.GeneIds.ToArray();
        var x = CsrMatrix.From(matrix);
        WarnAboutInput(x, options, monitor);
        monitor.Info($"ScGnn: {options}");
        if (options.OutputMode == ImputationOutputMode.Smoothed)
        {
            // The smoothed output builds each batch's graph in the batch's own PCA and reads no network: fitting one (at
            // a million cells, a 20-minute graph and the skip start) would be spent on nothing.
            ScGnnEngine.RequireCells(x.Rows);
            monitor.Info("ScGnn: the Smoothed output reads no network, so none is fitted; each batch gets its own cell graph at Transform");
            var smoothing = ScGnnNetworkState.SmoothingOnly(x.Columns, options.PrincipalComponentCount, options.NeighborCount, options.InputScale,
                options.GraphOnLog1p, options.CapAtObservedMaximum);
            return new ScGnnImputationTransformer(_host, smoothing, geneIds, options.InputColumnName, options.OutputColumnName,
                options.OutputMode, options.Device, null);
        }
        var result = ScGnnEngine.Fit(x, mask, options, monitor);
        return new ScGnnImputationTransformer(_host, result.State, geneIds, options.InputColumnName, options.OutputColumnName,
            options.OutputMode, options.Device, result);
    }

    /// <summary>Genes above which an unselected input is worth a warning (scanpy keeps about 2,000 highly variable genes).</summary>
    internal const int ManyGenes = 5000;

    // Warnings a scanpy or MAGIC user would want before a long run: raw counts over all genes, a batch too small for k.
    private static void WarnAboutInput(CsrMatrix x, ScGnnOptions o, FitMonitor monitor)
    {
        bool wholeNumbers = true;
        foreach (float v in x.Values) if (v != MathF.Floor(v)) { wholeNumbers = false; break; }
        if (wholeNumbers && x.Columns > ManyGenes)
            monitor.Warning($"ScGnn: the input looks like raw counts over all genes ({x.Columns} genes, every value a whole number). The paper selects " +
                "variable genes and normalizes first (SelectVariableGenes, NormalizeMedianLibrarySize); time and memory grow with the genes.");
        if (x.Rows <= o.NeighborCount)
            monitor.Warning($"ScGnn: {x.Rows} cells are too few for k = {o.NeighborCount} neighbours (at least {o.NeighborCount + 1} cells): " +
                "every cell's neighbourhood is (nearly) the whole batch.");
    }

    private static void CheckVectorColumn(SchemaShape schema, string name, string paramName)
    {
        if (!schema.TryFindColumn(name, out var col))
            throw new ArgumentOutOfRangeException(paramName, $"Input schema has no column '{name}'.");
        if (col.Kind != SchemaShape.Column.VectorKind.Vector || col.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(paramName,
                $"Column '{name}' must be a known-size vector of Single (cells x genes), but is {col.Kind} of {col.ItemType}.");
    }

    private static MaskedEntries ReadMask(IDataView input, string column, int genes)
    {
        var m = ExpressionMatrix.FromDataView(input, column, null);
        if (m.GeneCount != genes)
            throw new ArgumentException($"Mask column '{column}' has {m.GeneCount} slots; the input has {genes}.");
        var c = new List<int>(); var g = new List<int>(); var v = new List<float>();
        for (int i = 0; i < m.CellCount; i++)
        {
            var idx = m.RowIndices(i); var val = m.RowValues(i);
            for (int k = 0; k < idx.Length; k++) { c.Add(i); g.Add(idx[k]); v.Add(val[k]); }
        }
        return new MaskedEntries(c.ToArray(), g.ToArray(), v.ToArray());
    }

}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Estimator for SCGNN dropout imputation (paper §2): PCA of the cells, an exact kNN cell graph, the renormalized
/// adjacency <c>D^-1/2 (A + I) D^-1/2</c>, and a bottlenecked two-layer GCN trained with TorchSharp (Adam) to predict
/// deliberately masked non-zero values. <see cref="Fit"/> returns an <see cref="ScGnnImputationTransformer"/> that
/// imputes the cells it was fitted on and new cells alike.
/// </summary>
/// <remarks>
/// Input: a known-size vector column of Single (normalized counts, e.g. after gene selection and median
/// normalization), cells as rows, gene ids as slot names. Reach it through
/// <see cref="ImputationCatalog.ImputeWithScGnn(TransformsCatalog, ScGnnOptions)"/>.
/// </remarks>
public sealed class ScGnnTrainer : IEstimator<ScGnnImputationTransformer>
{
    /// <summary>The library's default settings: the paper's network, trained the way that measured best (docs/BENCHMARKS.md).</summary>
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
        /// <summary>Training epochs.</summary>
        public const int Epochs = 1000;
        /// <summary>Adam learning rate.</summary>
        public const double LearningRate = 0.003;
        /// <summary>Adam weight decay.</summary>
        public const double WeightDecay = 5e-4;
        /// <summary>Hidden-layer dropout.</summary>
        public const double DropoutRate = 0.5;
        /// <summary>Validation cell fraction.</summary>
        public const double ValidationFraction = 0.05;
        /// <summary>Held-out test cell fraction (none: evaluation masks come from outside the trainer).</summary>
        public const double TestFraction = 0.0;
        /// <summary>One fixed training mask, as the paper (fresh masks lost once the skip connection was in; docs/BENCHMARKS.md).</summary>
        public const bool FreshMaskEachEpoch = false;
        /// <summary>log1p features, count-scale loss and output: won with the skip connection on all three real datasets and on simulations.</summary>
        public const ScGnnInputScale InputScale = ScGnnInputScale.Log1pInput;
        /// <summary>Networks averaged.</summary>
        public const int EnsembleSize = 1;
        /// <summary>Skip connection from the neighbourhood means to the output (see <see cref="ScGnnOptions.SkipConnection"/>).</summary>
        public const bool SkipConnection = true;
        /// <summary>Graph hops the skip connection summarizes (see <see cref="ScGnnOptions.SkipConnectionHops"/>).</summary>
        public const int SkipConnectionHops = 2;
        /// <summary>PCA and kNN on log1p of the input (see <see cref="ScGnnOptions.GraphOnLog1p"/>).</summary>
        public const bool GraphOnLog1p = true;
        /// <summary>The skip start also fits the training cells' observed values (see <see cref="ScGnnOptions.SkipStartOnObservedValues"/>).</summary>
        public const bool SkipStartOnObservedValues = true;
        /// <summary>Leave the start only for a validation gain above 2 standard errors (see <see cref="ScGnnOptions.EpochSelectionStandardErrors"/>).</summary>
        public const double EpochSelectionStandardErrors = 2;
        /// <summary>
        /// Off: k = 5 as the paper. Choosing k by validation (<see cref="ScGnnOptions.SelectNeighborCount"/>) won the
        /// masked-entry protocol on two datasets but lost at simulated true dropouts and in clustering (docs/BENCHMARKS.md).
        /// </summary>
        public const bool SelectNeighborCount = false;
        /// <summary>Outputs capped at each gene's observed maximum (see <see cref="ScGnnOptions.CapAtObservedMaximum"/>).</summary>
        public const bool CapAtObservedMaximum = true;
        /// <summary>Seed.</summary>
        public const int Seed = 1;
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
        /// <summary>One fixed mask (paper).</summary>
        public const bool FreshMaskEachEpoch = false;
        /// <summary>Counts scale (paper).</summary>
        public const ScGnnInputScale InputScale = ScGnnInputScale.Counts;
        /// <summary>One network (paper).</summary>
        public const int EnsembleSize = 1;
        /// <summary>No skip connection (paper).</summary>
        public const bool SkipConnection = false;
        /// <summary>Not part of the paper; 1 when <see cref="ScGnnOptions.SkipConnection"/> is turned on.</summary>
        public const int SkipConnectionHops = 1;
        /// <summary>Not part of the paper (it has no skip connection): the start would fit the masked targets only.</summary>
        public const bool SkipStartOnObservedValues = false;
        /// <summary>The paper keeps the epoch with the lowest validation loss.</summary>
        public const double EpochSelectionStandardErrors = 0;
        /// <summary>The reference notebook runs PCA on the normalized counts.</summary>
        public const bool GraphOnLog1p = false;
        /// <summary>The paper fixes k = 5.</summary>
        public const bool SelectNeighborCount = false;
        /// <summary>The paper's outputs are not capped.</summary>
        public const bool CapAtObservedMaximum = false;
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

    /// <summary>Reads the whole input column, builds the graph and trains the network; see <see cref="ScGnnTrainer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled between epochs.</exception>
    public ScGnnImputationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var matrix = ExpressionMatrix.FromDataView(input, _options.InputColumnName, null);
        MaskedEntries? mask = null;
        if (_options.MaskColumnName is { } maskColumn)
            mask = ReadMask(input, maskColumn, matrix.GeneCount);
        var geneIds = matrix.GeneIds.ToArray();

        using var ch = _host.Start("Training ScGnn");
        var options = _options.Clone();
        var userProgress = options.Progress;
        options.Progress = p =>
        {
            if (p.Epoch == 1 || p.Epoch % 50 == 0 || p.Epoch == p.Epochs)
                ch.Info("epoch {0}/{1}: train loss {2:G5}, validation loss {3:G5} (best epoch {4})", p.Epoch, p.Epochs, p.TrainLoss, p.ValidationLoss, p.BestEpoch);
            userProgress?.Invoke(p);
        };
        var dense = matrix.ToDense();
        var result = ScGnnEngine.Fit(dense, matrix.CellCount, matrix.GeneCount, mask, options, m => ch.Info(m));
        return new ScGnnImputationTransformer(_host, result.State, geneIds, _options.InputColumnName, _options.OutputColumnName,
            _options.OutputMode, _options.Device, result);
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

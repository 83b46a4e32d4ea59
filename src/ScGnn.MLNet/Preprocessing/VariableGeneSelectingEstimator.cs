using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Variable-gene selection of the SCGNN paper (§3.1, step 1 of ../shared/PROTOCOL.md): for every gene, over all
/// cells, <c>dispersion = variance / (1 + mean)</c> with the SAMPLE variance (n-1), on the input values (raw
/// counts in the paper). Keeps the genes whose dispersion is strictly greater than
/// <see cref="Options.MinDispersion"/> (the paper's 0.5; it calls the metric "mean over variance ratio", MVR), or
/// the <see cref="Options.TopGeneCount"/> genes with the largest dispersion. Kept genes are ordered by
/// DESCENDING dispersion, as the paper's reference notebook orders them (ties by original position); set
/// <see cref="Options.KeepOriginalOrder"/> to keep them in input order instead.
/// </summary>
/// <remarks>
/// <see cref="Fit"/> makes one pass over the data, accumulating per-gene sums and sums of squares in double,
/// touching only the stored entries of sparse rows. The fitted <see cref="VariableGeneSelectingTransformer"/> is a
/// slot selection: the output column has one slot per kept gene and carries their <c>SlotNames</c>; sparse rows
/// stay sparse. Create it with <c>mlContext.Transforms.SelectVariableGenes(...)</c>.
/// </remarks>
public sealed class VariableGeneSelectingEstimator : IEstimator<VariableGeneSelectingTransformer>
{
    internal const string ComponentName = "SelectVariableGenes";

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>The paper's threshold on <c>variance / (1 + mean)</c>: 0.5.</summary>
        public const double MinDispersion = 0.5;

        /// <summary>Order of the kept genes: by descending dispersion, as the paper's notebook (false).</summary>
        public const bool KeepOriginalOrder = false;
    }

    /// <summary>Options for <see cref="VariableGeneSelectingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Default <see cref="ScGnnDefaults.ExpressionColumnName"/>.</summary>
        public string OutputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

        /// <summary>Name of the input column (known-size vector of Single, genes as slots); null means <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>
        /// Keep genes with <c>variance / (1 + mean) &gt; MinDispersion</c> (strictly greater; sample variance, n-1).
        /// Ignored when <see cref="TopGeneCount"/> is set. Default <see cref="Defaults.MinDispersion"/> (0.5).
        /// </summary>
        public double MinDispersion { get; set; } = Defaults.MinDispersion;

        /// <summary>
        /// When set, keep this many genes with the largest dispersion instead of thresholding (scanpy's
        /// <c>n_top_genes</c>); all genes when it exceeds the gene count. Default null (threshold).
        /// </summary>
        public int? TopGeneCount { get; set; }

        /// <summary>
        /// Keep the selected genes in their input order instead of by descending dispersion. Default
        /// <see cref="Defaults.KeepOriginalOrder"/> (false: the paper's order).
        /// </summary>
        public bool KeepOriginalOrder { get; set; } = Defaults.KeepOriginalOrder;
    }

    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly double _minDispersion;
    private readonly int? _topGeneCount;
    private readonly bool _keepOriginalOrder;

    internal VariableGeneSelectingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(VariableGeneSelectingEstimator));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        if (!double.IsFinite(options.MinDispersion))
            throw new ArgumentOutOfRangeException(nameof(options), $"{ComponentName}: MinDispersion must be finite, not {options.MinDispersion}.");
        if (options.TopGeneCount is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"{ComponentName}: TopGeneCount must be at least 1, not {options.TopGeneCount}.");
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
        _minDispersion = options.MinDispersion;
        _topGeneCount = options.TopGeneCount;
        _keepOriginalOrder = options.KeepOriginalOrder;
    }

    /// <summary>Checks the input column is a known-size vector of Single and returns the output shape.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = PreprocessingSchema.CheckInput(inputSchema, _inputColumnName, ComponentName);
        return PreprocessingSchema.With(inputSchema, PreprocessingSchema.VectorOutput(_outputColumnName, input));
    }

    /// <summary>Computes every gene's dispersion in one pass and selects the genes to keep.</summary>
    /// <exception cref="InvalidOperationException">Fewer than two cells, or no gene passes the threshold.</exception>
    public VariableGeneSelectingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = PreprocessingSchema.CheckInput(input.Schema, _inputColumnName, ComponentName);
        var (cells, nonZeros, dispersions) = ComputeDispersions(input, column);
        if (cells < 2)
            throw new InvalidOperationException(
                $"{ComponentName}: column '{_inputColumnName}' has {cells} cell(s); the sample variance (n-1) needs at least 2.");
        var names = PreprocessingSchema.GetSlotNames(column);
        var kept = Select(dispersions, names);
        double density = nonZeros / ((double)cells * dispersions.Length);
        return new VariableGeneSelectingTransformer(_host, _outputColumnName, _inputColumnName, dispersions.Length, density, kept,
            kept.Select(j => dispersions[j]).ToArray(), names is null ? null : kept.Select(j => names[j]).ToArray(),
            _minDispersion, _topGeneCount, _keepOriginalOrder);
    }

    /// <summary><c>variance / (1 + mean)</c> per gene (sample variance, n-1) and the non-zero count, from one sparse pass.</summary>
    internal static (long Cells, long NonZeros, double[] Dispersions) ComputeDispersions(IDataView input, DataViewSchema.Column column)
    {
        int genes = PreprocessingSchema.Size(column);
        var moments = GeneMoments.Of(input, column);
        var dispersion = new double[genes];
        if (moments.Rows < 2) return (moments.Rows, moments.NonZeros, dispersion);
        for (int j = 0; j < genes; j++) dispersion[j] = moments.Variance(j) / (1 + moments.Mean(j));
        return (moments.Rows, moments.NonZeros, dispersion);
    }

    private int[] Select(double[] dispersions, string[]? names)
    {
        int genes = dispersions.Length;
        var order = Enumerable.Range(0, genes).ToArray();
        // Descending dispersion, ties by position; NaN (non-finite input) sorts last and never passes.
        Array.Sort(order, (a, b) =>
        {
            double da = double.IsNaN(dispersions[a]) ? double.NegativeInfinity : dispersions[a];
            double db = double.IsNaN(dispersions[b]) ? double.NegativeInfinity : dispersions[b];
            int c = db.CompareTo(da);
            return c != 0 ? c : a.CompareTo(b);
        });
        int[] kept;
        if (_topGeneCount is int top)
            kept = order.Take(Math.Min(top, genes)).ToArray();
        else
            kept = order.TakeWhile(j => dispersions[j] > _minDispersion).ToArray();
        if (kept.Length == 0)
        {
            string best = genes == 0 ? "there are no genes" :
                $"the largest is {dispersions[order[0]]:G6} (gene {(names is null ? "slot " + order[0] : "'" + names[order[0]] + "'")})";
            throw new InvalidOperationException(
                $"{ComponentName}: no gene of column '{_inputColumnName}' has variance / (1 + mean) > {_minDispersion}; {best}. " +
                "Lower MinDispersion, or set TopGeneCount.");
        }
        if (_keepOriginalOrder) Array.Sort(kept);
        return kept;
    }
}

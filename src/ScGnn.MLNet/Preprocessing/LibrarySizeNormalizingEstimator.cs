using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Median library-size normalization of the SCGNN paper (§3.1, step 2 of ../shared/PROTOCOL.md), as scanpy's
/// <c>pp.normalize_total</c> with <c>target_sum=None</c>: each cell's values are scaled so that it sums to the
/// same total, <c>x[i,j] / total[i] * target</c>, where <c>total[i]</c> is the cell's sum over the genes of the
/// input column (the kept genes, when gene selection came first) and <c>target</c> is the median of those totals
/// over the cells with a non-zero total, learned in <see cref="Fit"/> (or the fixed <see cref="Options.TargetSum"/>,
/// scanpy's <c>target_sum</c>, for example 1e4 or 1e6 for CPM).
/// </summary>
/// <remarks>
/// A cell whose total is zero cannot be scaled: by default <see cref="Fit"/> and the transformer's output fail
/// with an error naming the cell (row number and <c>CellId</c>). With <see cref="Options.DropEmptyCells"/> such
/// cells are removed instead (and left out of the median, as scanpy does); the transformer then filters rows,
/// so it is no longer row-to-row and cannot back a <c>PredictionEngine</c>. Create it with
/// <c>mlContext.Transforms.NormalizeMedianLibrarySize(...)</c>.
/// </remarks>
public sealed class LibrarySizeNormalizingEstimator : IEstimator<LibrarySizeNormalizingTransformer>
{
    internal const string ComponentName = "NormalizeMedianLibrarySize";

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>Cells with a zero total are an error (false), not dropped.</summary>
        public const bool DropEmptyCells = false;

        /// <summary>Column used to name cells in errors: <see cref="ScGnnDefaults.CellIdColumnName"/>.</summary>
        public const string CellIdColumnName = ScGnnDefaults.CellIdColumnName;
    }

    /// <summary>Options for <see cref="LibrarySizeNormalizingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Default <see cref="ScGnnDefaults.ExpressionColumnName"/>.</summary>
        public string OutputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

        /// <summary>Name of the input column (known-size vector of Single); null means <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>
        /// Fixed total every cell is scaled to (scanpy <c>target_sum</c>); null (default) learns the median of the
        /// non-zero cell totals in <see cref="Fit"/>, the paper's choice.
        /// </summary>
        public double? TargetSum { get; set; }

        /// <summary>Drop cells whose total is zero instead of failing. Default <see cref="Defaults.DropEmptyCells"/> (false).</summary>
        public bool DropEmptyCells { get; set; } = Defaults.DropEmptyCells;

        /// <summary>
        /// Text column whose value names a cell in error messages, when the input has it. Default
        /// <see cref="Defaults.CellIdColumnName"/>; null names cells by row number only.
        /// </summary>
        public string? CellIdColumnName { get; set; } = Defaults.CellIdColumnName;
    }

    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly double? _targetSum;
    private readonly bool _dropEmptyCells;
    private readonly string? _cellIdColumnName;

    internal LibrarySizeNormalizingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(LibrarySizeNormalizingEstimator));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.TargetSum is double t && !(t > 0 && double.IsFinite(t)))
            throw new ArgumentOutOfRangeException(nameof(options), $"{ComponentName}: TargetSum must be positive and finite, not {t}.");
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
        _targetSum = options.TargetSum;
        _dropEmptyCells = options.DropEmptyCells;
        _cellIdColumnName = options.CellIdColumnName;
    }

    /// <summary>Checks the input column is a known-size vector of Single and returns the output shape.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = PreprocessingSchema.CheckInput(inputSchema, _inputColumnName, ComponentName);
        return PreprocessingSchema.With(inputSchema, PreprocessingSchema.VectorOutput(_outputColumnName, input));
    }

    /// <summary>
    /// Learns the median cell total (one pass), unless <see cref="Options.TargetSum"/> is set, in which case
    /// nothing is read.
    /// </summary>
    /// <exception cref="InvalidOperationException">A cell has a zero total (and cells are not dropped), a total is
    /// negative or not finite, or every cell is empty.</exception>
    public LibrarySizeNormalizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = PreprocessingSchema.CheckInput(input.Schema, _inputColumnName, ComponentName);
        double target = _targetSum ?? MedianTotal(input, column);
        return new LibrarySizeNormalizingTransformer(_host, _outputColumnName, _inputColumnName, target,
            isTargetLearned: _targetSum is null, _dropEmptyCells, _cellIdColumnName);
    }

    private double MedianTotal(IDataView input, DataViewSchema.Column column)
    {
        var totals = new List<double>();
        int idIndex = PreprocessingSchema.CellIdIndex(input.Schema, _cellIdColumnName);
        var needed = idIndex >= 0 ? new[] { column, input.Schema[idIndex] } : new[] { column };
        using (var cursor = input.GetRowCursor(needed))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var describe = PreprocessingSchema.RowDescriber(cursor, _cellIdColumnName);
            VBuffer<float> row = default;
            while (cursor.MoveNext())
            {
                getter(ref row);
                double total = LibrarySizeNormalizingTransformer.Total(row);
                if (total > 0 && double.IsFinite(total))
                    totals.Add(total);
                else if (total != 0 || !_dropEmptyCells)
                    throw LibrarySizeNormalizingTransformer.BadTotal(describe(), total, _inputColumnName, PreprocessingSchema.Size(column));
            }
        }
        if (totals.Count == 0)
            throw new InvalidOperationException($"{ComponentName}: every cell of column '{_inputColumnName}' has a zero total; there is no median to scale to.");
        totals.Sort();
        int n = totals.Count;
        // numpy's median: the mean of the two middle values for an even count.
        return n % 2 == 1 ? totals[n / 2] : (totals[n / 2 - 1] + totals[n / 2]) / 2;
    }
}

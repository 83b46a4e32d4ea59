using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Simulated dropout of the SCGNN paper (§3.1, step 3 of ../shared/PROTOCOL.md): sets a seeded random
/// <c>floor(p * nnz)</c> of the non-zero entries to zero, chosen uniformly without replacement over the whole
/// matrix, and outputs the masked column plus a mask column holding exactly the masked entries with their
/// true values, so an evaluation can score imputation on those entries.
/// </summary>
/// <remarks>
/// <para>The rate <c>p</c> is <see cref="Options.MaskRate"/>, or by default the paper's <c>min(density, 0.3)</c>
/// with <c>density</c> the non-zero fraction of this estimator's input. The paper takes the density of the RAW
/// matrix, before gene selection (which raises the density); to reproduce it exactly pass
/// <see cref="PaperMaskRate"/> of the raw data as <see cref="Options.MaskRate"/>.</para>
/// <para>Where the choice is made: in <see cref="Fit"/>. Every non-zero entry gets a pseudo-random 64-bit key
/// from (<see cref="Options.Seed"/>, the cell, the gene slot); the cell is identified by its
/// <see cref="Options.CellIdColumnName"/> text when the input has that column, else by its ML.NET row id.
/// Fit counts the non-zeros (first pass) and finds the <c>floor(p * nnz)</c>-th smallest key (a 65,536-bucket
/// histogram, then a second pass over one bucket), and stores that threshold. The transformer masks the
/// entries whose key is at or below it. So the mask depends only on the seed and the data; applying the
/// fitted transformer to the same data reproduces exactly the same <c>floor(p * nnz)</c> entries (in any row
/// order, when cells are keyed by id); the model stays small (a threshold, not a list of positions); and on
/// other data each non-zero entry is masked with probability about <c>p</c>. Keys are a hash, so all
/// <c>floor(p * nnz)</c>-subsets are equally likely for practical purposes.</para>
/// <para>Create it with <c>mlContext.Transforms.SimulateDropout(...)</c>.</para>
/// </remarks>
public sealed class DropoutSimulatingEstimator : IEstimator<DropoutSimulatingTransformer>
{
    internal const string ComponentName = "SimulateDropout";
    private const int BucketBits = 16;

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>Name of the mask column: "DropoutMask".</summary>
        public const string MaskColumnName = "DropoutMask";

        /// <summary>The paper's cap on the default rate: <c>p = min(density, 0.3)</c>.</summary>
        public const double MaxDefaultMaskRate = 0.3;

        /// <summary>Seed of the masking: 1.</summary>
        public const int Seed = 1;

        /// <summary>Column identifying cells for the masking keys: <see cref="ScGnnDefaults.CellIdColumnName"/>.</summary>
        public const string CellIdColumnName = ScGnnDefaults.CellIdColumnName;
    }

    /// <summary>Options for <see cref="DropoutSimulatingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the masked output column. Default <see cref="ScGnnDefaults.ExpressionColumnName"/>.</summary>
        public string OutputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

        /// <summary>Name of the input column (known-size vector of Single); null means <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>
        /// Name of the mask column: a sparse vector of the input's size and slot names whose non-zero entries are
        /// exactly the masked positions, holding their true values. Default <see cref="Defaults.MaskColumnName"/>.
        /// </summary>
        public string MaskColumnName { get; set; } = Defaults.MaskColumnName;

        /// <summary>
        /// Fraction of the non-zero entries to mask, in [0, 1]. Default null: the paper's
        /// <c>min(density, 0.3)</c> with the density of this estimator's input.
        /// </summary>
        public double? MaskRate { get; set; }

        /// <summary>Seed of the masking. Default <see cref="Defaults.Seed"/>.</summary>
        public int Seed { get; set; } = Defaults.Seed;

        /// <summary>
        /// Text column whose values identify cells for the masking keys (and name cells in messages), used when
        /// the input has it; null or absent uses ML.NET row ids. Default <see cref="Defaults.CellIdColumnName"/>.
        /// </summary>
        public string? CellIdColumnName { get; set; } = Defaults.CellIdColumnName;
    }

    private readonly IHost _host;
    private readonly Options _options;
    private readonly string _inputColumnName;

    internal DropoutSimulatingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(DropoutSimulatingEstimator));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        ArgumentException.ThrowIfNullOrEmpty(options.MaskColumnName, nameof(options.MaskColumnName));
        if (options.MaskColumnName == options.OutputColumnName)
            throw new ArgumentException($"{ComponentName}: the mask column and the output column are both named '{options.OutputColumnName}'.", nameof(options));
        if (options.MaskRate is double p && !(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"{ComponentName}: MaskRate must be in [0, 1], not {p}.");
        _options = new Options
        {
            OutputColumnName = options.OutputColumnName,
            InputColumnName = options.InputColumnName,
            MaskColumnName = options.MaskColumnName,
            MaskRate = options.MaskRate,
            Seed = options.Seed,
            CellIdColumnName = options.CellIdColumnName,
        };
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
    }

    /// <summary>
    /// The paper's default mask rate for a matrix: <c>min(non-zero fraction, 0.3)</c>. Pass the RAW counts
    /// (before gene selection) to get the paper's "% Mask" (Zeisel 18.79 %, Neuron1K 10.45 %, Jurkat 9.76 %).
    /// </summary>
    /// <param name="data">The data; one pass over <paramref name="columnName"/>.</param>
    /// <param name="columnName">A known-size vector of Single column.</param>
    public static double PaperMaskRate(IDataView data, string columnName = ScGnnDefaults.ExpressionColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = PreprocessingSchema.CheckInput(data.Schema, columnName, ComponentName);
        long nonZeros = 0, cells = 0;
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            getter(ref row);
            foreach (float v in row.GetValues()) if (v != 0) nonZeros++;
            cells++;
        }
        return PaperMaskRateOf(nonZeros, (double)cells * PreprocessingSchema.Size(column));
    }

    /// <summary>The paper's rate <c>min(nonZeros / entries, 0.3)</c> (0 for an empty matrix): the one definition.</summary>
    internal static double PaperMaskRateOf(long nonZeros, double entries) =>
        entries == 0 ? 0 : Math.Min(nonZeros / entries, Defaults.MaxDefaultMaskRate);

    /// <summary>Checks the input column is a known-size vector of Single and returns the output shape (masked column and mask column).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = PreprocessingSchema.CheckInput(inputSchema, _inputColumnName, ComponentName);
        return PreprocessingSchema.With(inputSchema,
            PreprocessingSchema.VectorOutput(_options.OutputColumnName, input),
            PreprocessingSchema.VectorOutput(_options.MaskColumnName, input));
    }

    /// <summary>Counts the non-zero entries, fixes the rate and finds the masking threshold (two passes).</summary>
    public DropoutSimulatingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = PreprocessingSchema.CheckInput(input.Schema, _inputColumnName, ComponentName);
        int genes = PreprocessingSchema.Size(column);

        var histogram = new long[1 << BucketBits];
        long nonZeros = 0, cells = 0;
        Scan(input, column, (in DropoutMaskKey key) => { histogram[key.Key >> (64 - BucketBits)]++; nonZeros++; }, ref cells);

        double rate = _options.MaskRate ?? PaperMaskRateOf(nonZeros, (double)cells * genes);
        long maskCount = (long)Math.Floor(rate * nonZeros);
        DropoutMaskKey? threshold = null;
        if (maskCount > 0)
        {
            // The maskCount-th smallest key lies in the first bucket where the running count reaches it.
            long before = 0;
            int bucket = 0;
            while (before + histogram[bucket] < maskCount) before += histogram[bucket++];
            var inBucket = new List<DropoutMaskKey>((int)Math.Min(histogram[bucket], int.MaxValue));
            long ignored = 0;
            Scan(input, column, (in DropoutMaskKey key) =>
            {
                if ((int)(key.Key >> (64 - BucketBits)) == bucket) inBucket.Add(key);
            }, ref ignored);
            if (inBucket.Count != histogram[bucket])
                throw new InvalidOperationException($"{ComponentName}: the input changed between the two passes over column '{_inputColumnName}'.");
            inBucket.Sort();
            threshold = inBucket[checked((int)(maskCount - before - 1))];
        }
        return new DropoutSimulatingTransformer(_host, _options.OutputColumnName, _inputColumnName, _options.MaskColumnName,
            _options.CellIdColumnName, _options.Seed, genes, rate, isRateFromDensity: _options.MaskRate is null,
            cells, nonZeros, maskCount, threshold);
    }

    private delegate void KeyVisitor(in DropoutMaskKey key);

    private void Scan(IDataView input, DataViewSchema.Column column, KeyVisitor visit, ref long cells)
    {
        int idIndex = PreprocessingSchema.CellIdIndex(input.Schema, _options.CellIdColumnName);
        var needed = idIndex >= 0 ? new[] { column, input.Schema[idIndex] } : new[] { column };
        using var cursor = input.GetRowCursor(needed);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var cellKeys = new DropoutSimulatingTransformer.CellKeyReader(cursor, idIndex >= 0 ? input.Schema[idIndex] : null, _options.Seed);
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            getter(ref row);
            var (hash, high, low) = cellKeys.Read();
            var values = row.GetValues();
            var indices = row.IsDense ? default : row.GetIndices();
            for (int k = 0; k < values.Length; k++)
            {
                if (values[k] == 0) continue;
                int slot = row.IsDense ? k : indices[k];
                visit(new DropoutMaskKey(DropoutMaskKey.EntryKey(hash, slot), high, low, slot));
            }
            cells++;
        }
    }
}

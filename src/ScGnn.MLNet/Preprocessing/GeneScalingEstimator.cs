using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Per-gene scaling as scanpy's <c>pp.scale</c>: learns each gene's mean and standard deviation over all cells
/// (SAMPLE variance, n-1, scanpy's "R convention"; a gene with zero variance gets standard deviation 1), then
/// maps <c>x -&gt; (x - mean) / sd</c> (or <c>x / sd</c> without <see cref="Options.ZeroCenter"/>), clipped to
/// <see cref="Options.MaxValue"/> when set.
/// </summary>
/// <remarks>
/// ML.NET's <c>NormalizeMeanVariance</c> differs: by default (<c>fixZero: true</c>) it does not center and
/// divides by the root mean square <c>sqrt(variance + mean^2)</c>, not the standard deviation; with
/// <c>fixZero: false</c> it centers but uses the population variance (the sample-variance option is internal),
/// maps constant genes to 0 and has no clipping. Zero-centering makes every row dense; without it sparse rows
/// stay sparse. Create it with <c>mlContext.Transforms.ScaleGenes(...)</c>.
/// </remarks>
public sealed class GeneScalingEstimator : IEstimator<GeneScalingTransformer>
{
    internal const string ComponentName = "ScaleGenes";

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>Subtract each gene's mean (scanpy <c>zero_center=True</c>).</summary>
        public const bool ZeroCenter = true;
    }

    /// <summary>Options for <see cref="GeneScalingEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Default <see cref="ScGnnDefaults.ExpressionColumnName"/>.</summary>
        public string OutputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

        /// <summary>Name of the input column (known-size vector of Single); null means <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }

        /// <summary>
        /// Subtract each gene's mean (scanpy <c>zero_center</c>); the output is then dense. Default
        /// <see cref="Defaults.ZeroCenter"/> (true).
        /// </summary>
        public bool ZeroCenter { get; set; } = Defaults.ZeroCenter;

        /// <summary>
        /// Clip scaled values above this (and below its negative when zero-centering), scanpy <c>max_value</c>.
        /// Default null: no clipping.
        /// </summary>
        public double? MaxValue { get; set; }
    }

    private readonly IHost _host;
    private readonly string _outputColumnName;
    private readonly string _inputColumnName;
    private readonly bool _zeroCenter;
    private readonly double? _maxValue;

    internal GeneScalingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _host = env.Register(nameof(GeneScalingEstimator));
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.MaxValue is double m && !(m > 0 && double.IsFinite(m)))
            throw new ArgumentOutOfRangeException(nameof(options), $"{ComponentName}: MaxValue must be positive and finite, not {m}.");
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
        _zeroCenter = options.ZeroCenter;
        _maxValue = options.MaxValue;
    }

    /// <summary>Checks the input column is a known-size vector of Single and returns the output shape.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = PreprocessingSchema.CheckInput(inputSchema, _inputColumnName, ComponentName);
        return PreprocessingSchema.With(inputSchema, PreprocessingSchema.VectorOutput(_outputColumnName, input));
    }

    /// <summary>Learns each gene's mean and sample standard deviation in one pass.</summary>
    public GeneScalingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var column = PreprocessingSchema.CheckInput(input.Schema, _inputColumnName, ComponentName);
        int genes = PreprocessingSchema.Size(column);
        var moments = GeneMoments.Of(input, column);
        if (moments.Rows == 0)
            throw new InvalidOperationException($"{ComponentName}: column '{_inputColumnName}' has no rows to learn means and variances from.");
        var mean = new double[genes];
        var sd = new double[genes];
        for (int j = 0; j < genes; j++)
        {
            mean[j] = moments.Mean(j);
            double variance = moments.Variance(j);
            sd[j] = variance > 0 ? Math.Sqrt(variance) : 1;
        }
        return new GeneScalingTransformer(_host, _outputColumnName, _inputColumnName, mean, sd, _zeroCenter, _maxValue);
    }
}

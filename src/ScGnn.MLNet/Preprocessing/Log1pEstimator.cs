using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Estimator for <see cref="Log1pTransformer"/>: <c>x -&gt; ln(1 + x)</c> on an expression column, as scanpy's
/// <c>pp.log1p</c>. Nothing is learned. Create it with <c>mlContext.Transforms.Log1p(...)</c>.
/// </summary>
public sealed class Log1pEstimator : TrivialEstimator<Log1pTransformer>
{
    /// <summary>Options for <see cref="Log1pEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Name of the output column. Default <see cref="ScGnnDefaults.ExpressionColumnName"/>.</summary>
        public string OutputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

        /// <summary>Name of the input column (a known-size vector of Single); null means <see cref="OutputColumnName"/>.</summary>
        public string? InputColumnName { get; set; }
    }

    private readonly string _inputColumnName;
    private readonly string _outputColumnName;

    internal Log1pEstimator(IHostEnvironment env, Options options)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(Log1pEstimator)), MakeTransformer(env, options))
    {
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName ?? options.OutputColumnName;
    }

    private static Log1pTransformer MakeTransformer(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName, nameof(options.OutputColumnName));
        return new Log1pTransformer(env, options.OutputColumnName, options.InputColumnName ?? options.OutputColumnName);
    }

    /// <summary>Checks the input column is a known-size vector of Single and returns the output shape.</summary>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var input = PreprocessingSchema.CheckInput(inputSchema, _inputColumnName, "Log1p");
        return PreprocessingSchema.With(inputSchema, PreprocessingSchema.VectorOutput(_outputColumnName, input));
    }
}

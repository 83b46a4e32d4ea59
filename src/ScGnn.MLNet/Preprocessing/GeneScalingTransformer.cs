using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;

[assembly: LoadableClass(typeof(GeneScalingTransformer), null, typeof(SignatureLoadModel),
    "ScGnn gene scaling", GeneScalingTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Applies the per-gene scaling learned by <see cref="GeneScalingEstimator"/> (scanpy <c>pp.scale</c>):
/// <c>(x - mean) / sd</c> or <c>x / sd</c>, then optional clipping. Slot names are carried through. Row-to-row;
/// saveable with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class GeneScalingTransformer : OneToOneTransformerBase
{
    internal const string LoaderSignature = "ScGnnScaleGenes";

    internal static readonly ModelComponentInfo Component = new("gene scaling", "SCGSCALE", LoaderSignature,
        versionWritten: 0x00010001, versionReadable: 0x00010001, versionWeCanReadBack: 0x00010001, typeof(GeneScalingTransformer));

    private readonly double[] _mean;
    private readonly double[] _sd;
    private readonly float[] _scaledZero;

    internal GeneScalingTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName,
        double[] mean, double[] standardDeviation, bool zeroCenter, double? maxValue)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(GeneScalingTransformer)), (outputColumnName, inputColumnName))
    {
        if (mean.Length != standardDeviation.Length)
            throw new ArgumentException($"{mean.Length} means but {standardDeviation.Length} standard deviations.");
        for (int j = 0; j < mean.Length; j++)
            if (!double.IsFinite(mean[j]) || !(standardDeviation[j] > 0 && double.IsFinite(standardDeviation[j])))
                throw new ArgumentException($"Gene {j} has mean {mean[j]} and standard deviation {standardDeviation[j]}.");
        if (maxValue is double m && !(m > 0 && double.IsFinite(m)))
            throw new ArgumentOutOfRangeException(nameof(maxValue), $"MaxValue must be positive and finite, not {m}.");
        _mean = mean;
        _sd = standardDeviation;
        ZeroCenter = zeroCenter;
        MaxValue = maxValue;
        _scaledZero = new float[mean.Length];
        for (int j = 0; j < mean.Length; j++) _scaledZero[j] = Scale(j, 0f);
    }

    /// <summary>Name of the output column.</summary>
    public string OutputColumnName => ColumnPairs[0].outputColumnName;

    /// <summary>Name of the input column.</summary>
    public string InputColumnName => ColumnPairs[0].inputColumnName;

    /// <summary>Each gene's mean over the fitted cells.</summary>
    public IReadOnlyList<double> Means => _mean;

    /// <summary>Each gene's sample standard deviation (n-1) over the fitted cells; 1 for constant genes.</summary>
    public IReadOnlyList<double> StandardDeviations => _sd;

    /// <summary>Whether means are subtracted.</summary>
    public bool ZeroCenter { get; }

    /// <summary>Clipping bound, or null.</summary>
    public double? MaxValue { get; }

    private static GeneScalingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return ModelPayload.Load(ctx, Component, r =>
        {
            string output = r.ReadNonEmptyString("output column name");
            string input = r.ReadNonEmptyString("input column name");
            var mean = r.ReadDoubleArray("gene means");
            var sd = r.ReadDoubleArray("gene standard deviations", mean.Length);
            bool zeroCenter = r.ReadFlag("zero center");
            double? max = r.ReadNullableDouble("max value", double.Epsilon);
            return new GeneScalingTransformer(env, output, input, mean, sd, zeroCenter, max);
        });
    }

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        ModelPayload.Save(ctx, Component, w =>
        {
            w.Write(OutputColumnName);
            w.Write(InputColumnName);
            w.WriteDoubleArray(_mean);
            w.WriteDoubleArray(_sd);
            w.Write(ZeroCenter);
            w.WriteNullableDouble(MaxValue);
        });

    /// <inheritdoc/>
    protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol) =>
        PreprocessingSchema.CheckInput(inputSchema, InputColumnName, GeneScalingEstimator.ComponentName, _mean.Length);

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private float Scale(int gene, float x)
    {
        double v = ZeroCenter ? (x - _mean[gene]) / _sd[gene] : x / _sd[gene];
        if (MaxValue is double max)
        {
            if (v > max) v = max;
            else if (ZeroCenter && v < -max) v = -max;
        }
        return (float)v;
    }

    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly GeneScalingTransformer _parent;

        public Mapper(GeneScalingTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
        {
            _parent = parent;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var input = InputSchema[ColMapNewToOld[0]];
            return new[] { new DataViewSchema.DetachedColumn(_parent.OutputColumnName, input.Type, PreprocessingSchema.CopySlotNames(input)) };
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getSource = input.GetGetter<VBuffer<float>>(input.Schema[ColMapNewToOld[iinfo]]);
            VBuffer<float> source = default;
            int genes = _parent._mean.Length;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                getSource(ref source);
                var values = source.GetValues();
                if (_parent.ZeroCenter)
                {
                    // Centering moves zeros, so every slot gets a value.
                    var dense = VBufferEditor.Create(ref dst, genes);
                    if (source.IsDense)
                    {
                        for (int j = 0; j < genes; j++) dense.Values[j] = _parent.Scale(j, values[j]);
                    }
                    else
                    {
                        _parent._scaledZero.AsSpan().CopyTo(dense.Values);
                        var indices = source.GetIndices();
                        for (int k = 0; k < values.Length; k++) dense.Values[indices[k]] = _parent.Scale(indices[k], values[k]);
                    }
                    dst = dense.Commit();
                    return;
                }
                var editor = VBufferEditor.Create(ref dst, genes, values.Length);
                var idx = source.IsDense ? default : source.GetIndices();
                for (int k = 0; k < values.Length; k++)
                    editor.Values[k] = _parent.Scale(source.IsDense ? k : idx[k], values[k]);
                if (!source.IsDense) idx.CopyTo(editor.Indices);
                dst = editor.Commit();
            };
            return getter;
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;

[assembly: LoadableClass(typeof(Log1pTransformer), null, typeof(SignatureLoadModel),
    "ScGnn log1p", Log1pTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Maps every expression value <c>x</c> to <c>ln(1 + x)</c>, as scanpy's <c>pp.log1p</c> (natural logarithm). Zero
/// stays zero, so sparse rows stay sparse; slot names are carried through. Produced by
/// <see cref="Log1pEstimator"/> (<c>mlContext.Transforms.Log1p(...)</c>); row-to-row, saveable with
/// <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class Log1pTransformer : OneToOneTransformerBase
{
    internal const string LoaderSignature = "ScGnnLog1p";

    internal static readonly ModelComponentInfo Component = new("log1p transform", "SCGLOG1P", LoaderSignature,
        versionWritten: 0x00010001, versionReadable: 0x00010001, versionWeCanReadBack: 0x00010001, typeof(Log1pTransformer));

    internal Log1pTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(Log1pTransformer)), (outputColumnName, inputColumnName))
    {
    }

    /// <summary>Name of the output column.</summary>
    public string OutputColumnName => ColumnPairs[0].outputColumnName;

    /// <summary>Name of the input column.</summary>
    public string InputColumnName => ColumnPairs[0].inputColumnName;

    /// <summary><c>ln(1 + x)</c>, accurate for small <c>x</c> (numpy's <c>log1p</c> semantics; NaN below -1).</summary>
    internal static float Log1p(float x)
    {
        double u = 1.0 + x;
        // Goldberg's correction: log(u) * x / (u - 1) cancels the rounding error of 1 + x.
        return u == 1.0 ? x : (float)(Math.Log(u) * x / (u - 1.0));
    }

    private static Log1pTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return ModelPayload.Load(ctx, Component, r =>
        {
            string output = r.ReadNonEmptyString("output column name");
            string input = r.ReadNonEmptyString("input column name");
            return new Log1pTransformer(env, output, input);
        });
    }

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        ModelPayload.Save(ctx, Component, w =>
        {
            w.Write(OutputColumnName);
            w.Write(InputColumnName);
        });

    /// <inheritdoc/>
    protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol) =>
        PreprocessingSchema.CheckInput(inputSchema, ColumnPairs[col].inputColumnName, "Log1p");

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly Log1pTransformer _parent;

        public Mapper(Log1pTransformer parent, DataViewSchema inputSchema)
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
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                getSource(ref source);
                var values = source.GetValues();
                var editor = VBufferEditor.Create(ref dst, source.Length, values.Length);
                for (int k = 0; k < values.Length; k++)
                    editor.Values[k] = Log1p(values[k]);
                if (!source.IsDense)
                    source.GetIndices().CopyTo(editor.Indices);
                dst = editor.Commit();
            };
            return getter;
        }
    }
}

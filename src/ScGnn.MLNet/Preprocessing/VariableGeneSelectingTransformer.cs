using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;

[assembly: LoadableClass(typeof(VariableGeneSelectingTransformer), null, typeof(SignatureLoadModel),
    "ScGnn variable-gene selection", VariableGeneSelectingTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Keeps the genes (slots) chosen by <see cref="VariableGeneSelectingEstimator"/>, in the chosen order, with their
/// <c>SlotNames</c>. Sparse rows stay sparse. Row-to-row (works in a <c>PredictionEngine</c>); saveable with
/// <c>mlContext.Model.Save</c>. The input must have the fitted number of genes; when it has slot names, the
/// kept slots must carry the fitted gene names.
/// </summary>
public sealed class VariableGeneSelectingTransformer : OneToOneTransformerBase
{
    internal const string LoaderSignature = "ScGnnVariableGenes";

    internal static readonly ModelComponentInfo Component = new("variable-gene selection", "SCGVGSEL", LoaderSignature,
        versionWritten: 0x00010001, versionReadable: 0x00010001, versionWeCanReadBack: 0x00010001, typeof(VariableGeneSelectingTransformer));

    private readonly int _inputGeneCount;
    private readonly int[] _kept;
    private readonly double[] _dispersions;
    private readonly string[]? _names;
    private readonly int[] _outputSlot;
    private readonly bool _ascending;

    internal VariableGeneSelectingTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName,
        int inputGeneCount, double inputDensity, int[] keptGenes, double[] dispersions, string[]? keptNames,
        double minDispersion, int? topGeneCount, bool keepOriginalOrder)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(VariableGeneSelectingTransformer)), (outputColumnName, inputColumnName))
    {
        if (keptGenes.Length == 0 || dispersions.Length != keptGenes.Length || keptNames is not null && keptNames.Length != keptGenes.Length)
            throw new ArgumentException($"Inconsistent selection: {keptGenes.Length} genes, {dispersions.Length} dispersions, {keptNames?.Length} names.");
        _outputSlot = new int[inputGeneCount];
        Array.Fill(_outputSlot, -1);
        for (int k = 0; k < keptGenes.Length; k++)
        {
            int g = keptGenes[k];
            if ((uint)g >= (uint)inputGeneCount || _outputSlot[g] >= 0)
                throw new ArgumentException($"Kept gene index {g} is out of range [0, {inputGeneCount}) or repeated.", nameof(keptGenes));
            _outputSlot[g] = k;
        }
        if (!(inputDensity >= 0 && inputDensity <= 1))
            throw new ArgumentOutOfRangeException(nameof(inputDensity), $"Density must be in [0, 1], not {inputDensity}.");
        _inputGeneCount = inputGeneCount;
        InputDensity = inputDensity;
        _kept = keptGenes;
        _dispersions = dispersions;
        _names = keptNames;
        _ascending = keptGenes.Zip(keptGenes.Skip(1)).All(p => p.First < p.Second);
        MinDispersion = minDispersion;
        TopGeneCount = topGeneCount;
        KeepOriginalOrder = keepOriginalOrder;
    }

    /// <summary>Name of the output column.</summary>
    public string OutputColumnName => ColumnPairs[0].outputColumnName;

    /// <summary>Name of the input column.</summary>
    public string InputColumnName => ColumnPairs[0].inputColumnName;

    /// <summary>Number of genes (slots) of the input column the selection was fitted on.</summary>
    public int InputGeneCount => _inputGeneCount;

    /// <summary>
    /// Non-zero fraction of the input the selection was fitted on (the raw matrix, in the paper's pipeline). The
    /// paper's dropout rate is <c>min(InputDensity, 0.3)</c>: pass it as <c>maskRate</c> to
    /// <see cref="PreprocessingCatalog.SimulateDropout(Microsoft.ML.TransformsCatalog, string, string?, string, double?, int)"/>,
    /// whose own default sees only the selected genes, which are denser.
    /// </summary>
    public double InputDensity { get; }

    /// <summary>Input slot of each output slot, in output order.</summary>
    public IReadOnlyList<int> KeptGeneIndices => _kept;

    /// <summary>Gene ids (input SlotNames) of the kept genes in output order, or null when the input had no slot names.</summary>
    public IReadOnlyList<string>? KeptGeneNames => _names;

    /// <summary><c>variance / (1 + mean)</c> (sample variance, n-1) of each kept gene, in output order.</summary>
    public IReadOnlyList<double> KeptGeneDispersions => _dispersions;

    /// <summary>The threshold the selection used (ignored when <see cref="TopGeneCount"/> is set).</summary>
    public double MinDispersion { get; }

    /// <summary>The number of top genes requested, or null when thresholding.</summary>
    public int? TopGeneCount { get; }

    /// <summary>Whether kept genes are in input order (true) or by descending dispersion (false).</summary>
    public bool KeepOriginalOrder { get; }

    private static VariableGeneSelectingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return ModelPayload.Load(ctx, Component, r =>
        {
            string output = r.ReadNonEmptyString("output column name");
            string input = r.ReadNonEmptyString("input column name");
            int inputGenes = r.ReadInt32("input gene count", 1, int.MaxValue);
            double density = r.ReadDouble("input density", 0, 1);
            var kept = r.ReadInt32Array("kept gene indices", -1, 0, inputGenes);
            var dispersions = r.ReadDoubleArray("kept gene dispersions", kept.Length);
            var names = r.ReadFlag("has gene names") ? r.ReadStringArray("kept gene names", kept.Length) : null;
            double min = r.ReadDouble("minimum dispersion");
            int? top = r.ReadFlag("has top gene count") ? r.ReadInt32("top gene count", 1, int.MaxValue) : null;
            bool originalOrder = r.ReadFlag("keep original order");
            return new VariableGeneSelectingTransformer(env, output, input, inputGenes, density, kept, dispersions, names, min, top, originalOrder);
        });
    }

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        ModelPayload.Save(ctx, Component, w =>
        {
            w.Write(OutputColumnName);
            w.Write(InputColumnName);
            w.Write(_inputGeneCount);
            w.Write(InputDensity);
            w.WriteInt32Array(_kept);
            w.WriteDoubleArray(_dispersions);
            w.Write(_names is not null);
            if (_names is not null) w.WriteStringArray(_names);
            w.Write(MinDispersion);
            w.Write(TopGeneCount.HasValue);
            if (TopGeneCount.HasValue) w.Write(TopGeneCount.Value);
            w.Write(KeepOriginalOrder);
        });

    /// <inheritdoc/>
    protected override void CheckInputColumn(DataViewSchema inputSchema, int col, int srcCol)
    {
        var column = PreprocessingSchema.CheckInput(inputSchema, InputColumnName, VariableGeneSelectingEstimator.ComponentName, _inputGeneCount);
        if (_names is null || PreprocessingSchema.GetSlotNames(column) is not { } inputNames) return;
        for (int k = 0; k < _kept.Length; k++)
            if (!string.Equals(inputNames[_kept[k]], _names[k], StringComparison.Ordinal))
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"{VariableGeneSelectingEstimator.ComponentName}: slot {_kept[k]} of column '{InputColumnName}' is gene '{inputNames[_kept[k]]}', " +
                    $"but the selection was fitted with gene '{_names[k]}' there; the input genes are in a different order.");
    }

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>Copies the kept slots of <paramref name="src"/> into <paramref name="dst"/> (sparse stays sparse).</summary>
    private void Select(in VBuffer<float> src, ref VBuffer<float> dst, ref int[] scratchSlots, ref float[] scratchValues)
    {
        var values = src.GetValues();
        if (src.IsDense)
        {
            var dense = VBufferEditor.Create(ref dst, _kept.Length);
            for (int k = 0; k < _kept.Length; k++)
                dense.Values[k] = values[_kept[k]];
            dst = dense.Commit();
            return;
        }
        var indices = src.GetIndices();
        int count = 0;
        if (scratchSlots.Length < values.Length)
        {
            scratchSlots = new int[values.Length];
            scratchValues = new float[values.Length];
        }
        for (int i = 0; i < values.Length; i++)
        {
            int slot = _outputSlot[indices[i]];
            if (slot < 0) continue;
            scratchSlots[count] = slot;
            scratchValues[count++] = values[i];
        }
        // Dispersion order is not input order, so the selected entries need sorting by output slot.
        if (!_ascending) Array.Sort(scratchSlots, scratchValues, 0, count);
        var editor = VBufferEditor.Create(ref dst, _kept.Length, count);
        scratchValues.AsSpan(0, count).CopyTo(editor.Values);
        if (count < _kept.Length) scratchSlots.AsSpan(0, count).CopyTo(editor.Indices);
        dst = editor.Commit();
    }

    private sealed class Mapper : OneToOneMapperBase
    {
        private readonly VariableGeneSelectingTransformer _parent;

        public Mapper(VariableGeneSelectingTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
        {
            _parent = parent;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var annotations = _parent._names is null
                ? new DataViewSchema.Annotations.Builder().ToAnnotations()
                : PreprocessingSchema.SlotNames(_parent._names);
            return new[]
            {
                new DataViewSchema.DetachedColumn(_parent.OutputColumnName,
                    new VectorDataViewType(NumberDataViewType.Single, _parent._kept.Length), annotations),
            };
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getSource = input.GetGetter<VBuffer<float>>(input.Schema[ColMapNewToOld[iinfo]]);
            VBuffer<float> source = default;
            int[] slots = Array.Empty<int>();
            float[] values = Array.Empty<float>();
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                getSource(ref source);
                _parent.Select(in source, ref dst, ref slots, ref values);
            };
            return getter;
        }
    }
}

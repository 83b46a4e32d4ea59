using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;

[assembly: LoadableClass(typeof(DropoutSimulatingTransformer), null, typeof(SignatureLoadModel),
    "ScGnn dropout simulation", DropoutSimulatingTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Applies the dropout mask fitted by <see cref="DropoutSimulatingEstimator"/>: the output column is the input
/// with the masked non-zero entries set to zero (stored sparse), and the mask column (same size and slot names)
/// holds exactly the masked entries with their true values. On the data it was fitted on, exactly
/// <see cref="MaskedCount"/> entries are masked. Row-to-row; saveable with <c>mlContext.Model.Save</c>.
/// </summary>
public sealed class DropoutSimulatingTransformer : RowToRowTransformerBase
{
    internal const string LoaderSignature = "ScGnnDropoutSimulation";

    internal static readonly ModelComponentInfo Component = new("dropout simulation", "SCGDROPO", LoaderSignature,
        versionWritten: 0x00010001, versionReadable: 0x00010001, versionWeCanReadBack: 0x00010001, typeof(DropoutSimulatingTransformer));

    private readonly DropoutMaskKey? _threshold;

    internal DropoutSimulatingTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName,
        string maskColumnName, string? cellIdColumnName, int seed, int geneCount, double maskRate, bool isRateFromDensity,
        long fittedCellCount, long fittedNonZeroCount, long maskedCount, DropoutMaskKey? threshold)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(DropoutSimulatingTransformer)))
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(maskColumnName);
        if (maskColumnName == outputColumnName)
            throw new ArgumentException($"The mask and output columns are both named '{outputColumnName}'.", nameof(maskColumnName));
        if (!(maskRate >= 0 && maskRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(maskRate), $"Mask rate must be in [0, 1], not {maskRate}.");
        if (geneCount < 0 || fittedCellCount < 0 || fittedNonZeroCount < 0 || maskedCount < 0 || maskedCount > fittedNonZeroCount
            || (maskedCount > 0) != threshold.HasValue || threshold is { } t && (uint)t.Slot >= (uint)geneCount)
            throw new ArgumentException("Inconsistent dropout statistics.");
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        MaskColumnName = maskColumnName;
        CellIdColumnName = cellIdColumnName;
        Seed = seed;
        GeneCount = geneCount;
        MaskRate = maskRate;
        IsMaskRateFromDensity = isRateFromDensity;
        FittedCellCount = fittedCellCount;
        FittedNonZeroCount = fittedNonZeroCount;
        MaskedCount = maskedCount;
        _threshold = threshold;
    }

    /// <summary>Name of the masked output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the input column.</summary>
    public string InputColumnName { get; }

    /// <summary>Name of the mask column (masked positions with their true values).</summary>
    public string MaskColumnName { get; }

    /// <summary>Text column identifying cells for the masking keys when present; otherwise ML.NET row ids are used.</summary>
    public string? CellIdColumnName { get; }

    /// <summary>Seed of the masking.</summary>
    public int Seed { get; }

    /// <summary>Number of genes (slots) of the input column.</summary>
    public int GeneCount { get; }

    /// <summary>The rate <c>p</c> used: the given rate, or <c>min(density, 0.3)</c> of the fitted input.</summary>
    public double MaskRate { get; }

    /// <summary>True when <see cref="MaskRate"/> was derived from the input's density (the paper's default).</summary>
    public bool IsMaskRateFromDensity { get; }

    /// <summary>Number of cells seen in Fit.</summary>
    public long FittedCellCount { get; }

    /// <summary>Number of non-zero entries seen in Fit.</summary>
    public long FittedNonZeroCount { get; }

    /// <summary><c>floor(MaskRate * FittedNonZeroCount)</c>: how many entries are masked on the fitted data.</summary>
    public long MaskedCount { get; }

    private bool IsMasked(in DropoutMaskKey key) => _threshold is { } t && key.CompareTo(t) <= 0;

    private static DropoutSimulatingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        return ModelPayload.Load(ctx, Component, r =>
        {
            string output = r.ReadNonEmptyString("output column name");
            string input = r.ReadNonEmptyString("input column name");
            string mask = r.ReadNonEmptyString("mask column name");
            string? cellId = r.ReadNullableString();
            int seed = r.ReadInt32();
            int genes = r.ReadInt32("gene count", 0, int.MaxValue);
            double rate = r.ReadDouble("mask rate", 0, 1);
            bool fromDensity = r.ReadFlag("rate from density");
            long cells = r.ReadInt64();
            long nonZeros = r.ReadInt64();
            long masked = r.ReadInt64();
            DropoutMaskKey? threshold = r.ReadFlag("has threshold")
                ? new DropoutMaskKey(r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadInt32("threshold slot", 0, Math.Max(genes - 1, 0)))
                : null;
            return new DropoutSimulatingTransformer(env, output, input, mask, cellId, seed, genes, rate, fromDensity,
                cells, nonZeros, masked, threshold);
        });
    }

    /// <inheritdoc/>
    protected override void SaveModel(ModelSaveContext ctx) =>
        ModelPayload.Save(ctx, Component, w =>
        {
            w.Write(OutputColumnName);
            w.Write(InputColumnName);
            w.Write(MaskColumnName);
            w.WriteNullableString(CellIdColumnName);
            w.Write(Seed);
            w.Write(GeneCount);
            w.Write(MaskRate);
            w.Write(IsMaskRateFromDensity);
            w.Write(FittedCellCount);
            w.Write(FittedNonZeroCount);
            w.Write(MaskedCount);
            w.Write(_threshold.HasValue);
            if (_threshold is { } t)
            {
                w.Write(t.Key);
                w.Write(t.RowHigh);
                w.Write(t.RowLow);
                w.Write(t.Slot);
            }
        });

    /// <inheritdoc/>
    protected override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>Reads the per-cell hash and the row id of the current row.</summary>
    internal sealed class CellKeyReader
    {
        private readonly ValueGetter<DataViewRowId> _getRowId;
        private readonly ValueGetter<ReadOnlyMemory<char>>? _getCellId;
        private readonly int _seed;
        private DataViewRowId _rowId;
        private ReadOnlyMemory<char> _cellId;

        internal CellKeyReader(DataViewRow row, DataViewSchema.Column? cellIdColumn, int seed)
        {
            _getRowId = row.GetIdGetter();
            _getCellId = cellIdColumn is { } c ? row.GetGetter<ReadOnlyMemory<char>>(c) : null;
            _seed = seed;
        }

        internal (ulong CellHash, ulong RowHigh, ulong RowLow) Read()
        {
            _getRowId(ref _rowId);
            ulong identity;
            if (_getCellId is not null)
            {
                _getCellId(ref _cellId);
                identity = DropoutMaskKey.TextIdentity(_cellId.Span);
            }
            else
            {
                identity = DropoutMaskKey.RowIdentity(_rowId.High, _rowId.Low);
            }
            return (DropoutMaskKey.CellHash(_seed, identity), _rowId.High, _rowId.Low);
        }
    }

    private sealed class Mapper : MapperBase
    {
        private readonly DropoutSimulatingTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly int _cellIdIndex;

        public Mapper(DropoutSimulatingTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _parent = parent;
            _input = PreprocessingSchema.CheckInput(inputSchema, parent.InputColumnName, DropoutSimulatingEstimator.ComponentName, parent.GeneCount);
            _cellIdIndex = PreprocessingSchema.CellIdIndex(inputSchema, parent.CellIdColumnName);
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            var slotNames = PreprocessingSchema.CopySlotNames(_input);
            return new[]
            {
                new DataViewSchema.DetachedColumn(_parent.OutputColumnName, _input.Type, slotNames),
                new DataViewSchema.DetachedColumn(_parent.MaskColumnName, _input.Type, slotNames),
            };
        }

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool any = activeOutput(0) || activeOutput(1);
            return col => any && (col == _input.Index || col == _cellIdIndex);
        }

        protected override void SaveModel(ModelSaveContext ctx) => _parent.SaveModel(ctx);

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            bool keepMasked = iinfo == 1;
            var getSource = input.GetGetter<VBuffer<float>>(input.Schema[_input.Index]);
            var keys = new CellKeyReader(input, _cellIdIndex >= 0 ? input.Schema[_cellIdIndex] : null, _parent.Seed);
            int genes = _parent.GeneCount;
            VBuffer<float> source = default;
            int[] slots = Array.Empty<int>();
            float[] kept = Array.Empty<float>();
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                getSource(ref source);
                var (hash, high, low) = keys.Read();
                var values = source.GetValues();
                var indices = source.IsDense ? default : source.GetIndices();
                if (slots.Length < values.Length)
                {
                    slots = new int[values.Length];
                    kept = new float[values.Length];
                }
                int count = 0;
                for (int k = 0; k < values.Length; k++)
                {
                    if (values[k] == 0) continue;
                    int slot = source.IsDense ? k : indices[k];
                    var key = new DropoutMaskKey(DropoutMaskKey.EntryKey(hash, slot), high, low, slot);
                    if (_parent.IsMasked(key) != keepMasked) continue;
                    slots[count] = slot;
                    kept[count++] = values[k];
                }
                var editor = VBufferEditor.Create(ref dst, genes, count);
                kept.AsSpan(0, count).CopyTo(editor.Values);
                if (count < genes) slots.AsSpan(0, count).CopyTo(editor.Indices);
                dst = editor.Commit();
            };
            return getter;
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Persistence;
using ScGnn.MLNet.Preprocessing;

[assembly: LoadableClass(typeof(LibrarySizeNormalizingTransformer), null, typeof(SignatureLoadModel),
    "ScGnn library-size normalization", LibrarySizeNormalizingTransformer.LoaderSignature)]

namespace ScGnn.MLNet.Preprocessing;

/// <summary>
/// Scales each cell to <see cref="TargetSum"/>: <c>x[i,j] / total[i] * TargetSum</c>, with <c>total[i]</c> the
/// cell's sum over the input column's genes (computed in double). Sparse rows stay sparse; slot names are
/// carried through. Produced by <see cref="LibrarySizeNormalizingEstimator"/>; saveable with
/// <c>mlContext.Model.Save</c>.
/// </summary>
/// <remarks>
/// Without <see cref="DropEmptyCells"/> this is a row-to-row transformer, and reading a cell whose total is zero
/// fails with an error naming it. With <see cref="DropEmptyCells"/>, <see cref="Transform"/> first filters out
/// the cells whose total is zero, so the output has fewer rows than the input; such a transformer is not
/// row-to-row (<see cref="ITransformer.IsRowToRowMapper"/> is false) and cannot back a <c>PredictionEngine</c>.
/// </remarks>
public sealed class LibrarySizeNormalizingTransformer : ITransformer
{
    internal const string LoaderSignature = "ScGnnLibrarySizeNorm";

    internal static readonly ModelComponentInfo Component = new("median library-size normalization", "SCGLIBSZ", LoaderSignature,
        versionWritten: 0x00010001, versionReadable: 0x00010001, versionWeCanReadBack: 0x00010001, typeof(LibrarySizeNormalizingTransformer));

    private readonly IHost _host;

    internal LibrarySizeNormalizingTransformer(IHostEnvironment env, string outputColumnName, string inputColumnName,
        double targetSum, bool isTargetLearned, bool dropEmptyCells, string? cellIdColumnName)
    {
        ArgumentNullException.ThrowIfNull(env);
        _host = env.Register(nameof(LibrarySizeNormalizingTransformer));
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        if (!(targetSum > 0 && double.IsFinite(targetSum)))
            throw new ArgumentOutOfRangeException(nameof(targetSum), $"Target sum must be positive and finite, not {targetSum}.");
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        TargetSum = targetSum;
        IsTargetSumLearned = isTargetLearned;
        DropEmptyCells = dropEmptyCells;
        CellIdColumnName = cellIdColumnName;
    }

    /// <summary>Name of the output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>Name of the input column.</summary>
    public string InputColumnName { get; }

    /// <summary>The total every cell is scaled to: the learned median cell total, or the fixed target.</summary>
    public double TargetSum { get; }

    /// <summary>True when <see cref="TargetSum"/> is the median learned in Fit; false when it was given.</summary>
    public bool IsTargetSumLearned { get; }

    /// <summary>Whether cells with a zero total are removed (true) or are an error (false).</summary>
    public bool DropEmptyCells { get; }

    /// <summary>Text column used to name cells in errors, when present in the input.</summary>
    public string? CellIdColumnName { get; }

    /// <summary>False when <see cref="DropEmptyCells"/> is set: the output then has fewer rows than the input.</summary>
    bool ITransformer.IsRowToRowMapper => !DropEmptyCells;

    /// <summary>Checks the input column and returns the output schema (the same whether or not cells are dropped).</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return RowToRowMapperTransform.GetOutputSchema(inputSchema, new Mapper(this, inputSchema));
    }

    /// <summary>Scales each cell to <see cref="TargetSum"/> (lazily, as rows are read), first dropping empty cells when asked.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = PreprocessingSchema.CheckInput(input.Schema, InputColumnName, LibrarySizeNormalizingEstimator.ComponentName);
        IDataView source = input;
        if (DropEmptyCells)
            source = LambdaFilter.Create<VBuffer<float>>(_host, "DropEmptyCells", input, InputColumnName, column.Type,
                (in VBuffer<float> row) => Total(row) != 0);
        return new RowToRowMapperTransform(_host, source, new Mapper(this, source.Schema), schema => new Mapper(this, schema));
    }

    IRowToRowMapper ITransformer.GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (DropEmptyCells)
            throw new InvalidOperationException(
                $"{LibrarySizeNormalizingEstimator.ComponentName} with DropEmptyCells removes rows, so it cannot map one row at a time " +
                "(for example in a PredictionEngine). Fit it without DropEmptyCells for row-by-row use.");
        return new RowToRowMapperTransform(_host, new EmptyDataView(_host, inputSchema), new Mapper(this, inputSchema),
            schema => new Mapper(this, schema));
    }

    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        ModelPayload.Save(ctx, Component, w =>
        {
            w.Write(OutputColumnName);
            w.Write(InputColumnName);
            w.Write(TargetSum);
            w.Write(IsTargetSumLearned);
            w.Write(DropEmptyCells);
            w.WriteNullableString(CellIdColumnName);
        });

    private static LibrarySizeNormalizingTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(ctx);
        return ModelPayload.Load(ctx, Component, r =>
        {
            string output = r.ReadNonEmptyString("output column name");
            string input = r.ReadNonEmptyString("input column name");
            double target = r.ReadDouble("target sum", double.Epsilon);
            bool learned = r.ReadFlag("target learned");
            bool drop = r.ReadFlag("drop empty cells");
            string? cellId = r.ReadNullableString();
            return new LibrarySizeNormalizingTransformer(env, output, input, target, learned, drop, cellId);
        });
    }

    /// <summary>A cell's total, in double.</summary>
    internal static double Total(in VBuffer<float> row)
    {
        double total = 0;
        foreach (float v in row.GetValues()) total += v;
        return total;
    }

    internal static InvalidOperationException BadTotal(string cell, double total, string column, int genes)
    {
        return total == 0
            ? new InvalidOperationException(
                $"{LibrarySizeNormalizingEstimator.ComponentName}: {cell} has a total of 0 over the {genes} genes of column '{column}', " +
                "so it cannot be scaled. Remove empty cells first, or set DropEmptyCells to drop them.")
            : new InvalidOperationException(
                $"{LibrarySizeNormalizingEstimator.ComponentName}: {cell} has a total of {total} over the genes of column '{column}'; " +
                "counts must be non-negative and finite.");
    }

    private sealed class Mapper : IRowMapper
    {
        private readonly LibrarySizeNormalizingTransformer _parent;
        private readonly DataViewSchema.Column _input;
        private readonly int _cellIdIndex;

        public Mapper(LibrarySizeNormalizingTransformer parent, DataViewSchema inputSchema)
        {
            _parent = parent;
            _input = PreprocessingSchema.CheckInput(inputSchema, parent.InputColumnName, LibrarySizeNormalizingEstimator.ComponentName);
            _cellIdIndex = PreprocessingSchema.CellIdIndex(inputSchema, parent.CellIdColumnName);
        }

        public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
        {
            bool active = activeOutput(0);
            return col => active && (col == _input.Index || col == _cellIdIndex);
        }

        public DataViewSchema.DetachedColumn[] GetOutputColumns() =>
            new[] { new DataViewSchema.DetachedColumn(_parent.OutputColumnName, _input.Type, PreprocessingSchema.CopySlotNames(_input)) };

        public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var getters = new Delegate[1];
            if (!activeOutput(0)) return getters;
            var getSource = input.GetGetter<VBuffer<float>>(input.Schema[_input.Index]);
            var describe = PreprocessingSchema.RowDescriber(input, _parent.CellIdColumnName);
            double target = _parent.TargetSum;
            int genes = PreprocessingSchema.Size(_input);
            VBuffer<float> source = default;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                getSource(ref source);
                double total = Total(source);
                if (!(total > 0 && double.IsFinite(total)))
                    throw BadTotal(describe(), total, _parent.InputColumnName, genes);
                double scale = target / total;
                var values = source.GetValues();
                var editor = VBufferEditor.Create(ref dst, source.Length, values.Length);
                for (int k = 0; k < values.Length; k++)
                    editor.Values[k] = (float)(values[k] * scale);
                if (!source.IsDense) source.GetIndices().CopyTo(editor.Indices);
                dst = editor.Commit();
            };
            getters[0] = getter;
            return getters;
        }

        void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_parent).Save(ctx);

        public ITransformer GetTransformer() => _parent;
    }
}

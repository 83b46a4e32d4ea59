using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Scores an imputed expression column on the entries hidden by simulated dropout (PROTOCOL.md "Evaluation";
/// paper §3.2). The mask column is what the dropout-simulation estimator outputs: a sparse <c>Vector&lt;float&gt;</c>
/// of the same size as the imputed column whose non-zero entries are exactly the masked positions, holding their
/// true values. Rows are cells; a row's index is its position in a cursor over <c>data</c> (0-based).
/// </summary>
public static class ImputationEvaluator
{
    /// <summary>Default column names.</summary>
    public static class Defaults
    {
        /// <summary>Name of the dropout-mask column written by the dropout-simulation estimator.</summary>
        public const string DropoutMaskColumnName = "DropoutMask";
    }

    /// <summary>Scores every masked entry; no seen/unseen split.</summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="imputedColumn">Known-size <c>Vector&lt;float&gt;</c> column with the imputed values.</param>
    /// <param name="dropoutMaskColumn">Known-size <c>Vector&lt;float&gt;</c> column of the same size; non-zero entries are the masked positions with their true values.</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing, is not a known-size float vector, or the sizes differ.</exception>
    public static ImputationEvaluation Evaluate(IDataView data, string imputedColumn, string dropoutMaskColumn = Defaults.DropoutMaskColumnName)
        => EvaluateCore(data, imputedColumn, dropoutMaskColumn, null, null);

    /// <summary>
    /// Scores the masked entries overall and separately for rows the model trained on (<paramref name="isSeenRow"/>
    /// true) and the others.
    /// </summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="imputedColumn">Known-size <c>Vector&lt;float&gt;</c> column with the imputed values.</param>
    /// <param name="dropoutMaskColumn">Known-size <c>Vector&lt;float&gt;</c> column of the same size; non-zero entries are the masked positions with their true values.</param>
    /// <param name="isSeenRow">Called with each row's 0-based index; true for rows whose masked entries were training targets.</param>
    public static ImputationEvaluation Evaluate(IDataView data, string imputedColumn, string dropoutMaskColumn, Func<long, bool> isSeenRow)
    {
        ArgumentNullException.ThrowIfNull(isSeenRow);
        return EvaluateCore(data, imputedColumn, dropoutMaskColumn, isSeenRow, null);
    }

    /// <summary>
    /// Scores the masked entries overall and separately for the rows listed in <paramref name="seenRows"/> (0-based row
    /// indices of the cells the model trained on) and the others.
    /// </summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="imputedColumn">Known-size <c>Vector&lt;float&gt;</c> column with the imputed values.</param>
    /// <param name="dropoutMaskColumn">Known-size <c>Vector&lt;float&gt;</c> column of the same size; non-zero entries are the masked positions with their true values.</param>
    /// <param name="seenRows">0-based indices of the seen rows; an index at or past the row count is an error.</param>
    public static ImputationEvaluation Evaluate(IDataView data, string imputedColumn, string dropoutMaskColumn, IReadOnlySet<int> seenRows)
    {
        ArgumentNullException.ThrowIfNull(seenRows);
        foreach (int r in seenRows)
            if (r < 0) throw new ArgumentOutOfRangeException(nameof(seenRows), r, "Row indices must be non-negative.");
        var result = EvaluateCore(data, imputedColumn, dropoutMaskColumn, row => row <= int.MaxValue && seenRows.Contains((int)row), null);
        if (result.SeenRowCount != seenRows.Count)
            throw new ArgumentOutOfRangeException(nameof(seenRows),
                $"{seenRows.Count - result.SeenRowCount} of the seen row indices are at or past the row count {result.RowCount}.");
        return result;
    }

    /// <summary>
    /// Scores the masked entries overall and separately for rows with <paramref name="isSeenRow"/>[row] true and the others.
    /// </summary>
    /// <param name="data">Rows are cells.</param>
    /// <param name="imputedColumn">Known-size <c>Vector&lt;float&gt;</c> column with the imputed values.</param>
    /// <param name="dropoutMaskColumn">Known-size <c>Vector&lt;float&gt;</c> column of the same size; non-zero entries are the masked positions with their true values.</param>
    /// <param name="isSeenRow">One flag per row; its length must equal the row count.</param>
    public static ImputationEvaluation Evaluate(IDataView data, string imputedColumn, string dropoutMaskColumn, bool[] isSeenRow)
    {
        ArgumentNullException.ThrowIfNull(isSeenRow);
        return EvaluateCore(data, imputedColumn, dropoutMaskColumn, null, isSeenRow);
    }

    private static ImputationEvaluation EvaluateCore(IDataView data, string imputedColumn, string dropoutMaskColumn,
        Func<long, bool>? predicate, bool[]? flags)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(imputedColumn);
        ArgumentException.ThrowIfNullOrEmpty(dropoutMaskColumn);
        var imputedCol = ExpressionSchema.GetExpressionColumn(data.Schema, imputedColumn, nameof(imputedColumn));
        var maskCol = ExpressionSchema.GetExpressionColumn(data.Schema, dropoutMaskColumn, nameof(dropoutMaskColumn));
        int size = ((VectorDataViewType)imputedCol.Type).Size;
        int maskSize = ((VectorDataViewType)maskCol.Type).Size;
        if (size != maskSize)
            throw new ArgumentOutOfRangeException(nameof(dropoutMaskColumn),
                $"Mask column '{dropoutMaskColumn}' has {maskSize} slots but imputed column '{imputedColumn}' has {size}.");
        bool split = predicate is not null || flags is not null;

        var seenPred = new List<float>();
        var seenTrue = new List<float>();
        var unseenPred = new List<float>();
        var unseenTrue = new List<float>();
        long rows = 0, seenRowCount = 0;
        using (var cursor = data.GetRowCursor(new[] { imputedCol, maskCol }))
        {
            var imputedGetter = cursor.GetGetter<VBuffer<float>>(imputedCol);
            var maskGetter = cursor.GetGetter<VBuffer<float>>(maskCol);
            VBuffer<float> imputed = default, mask = default;
            while (cursor.MoveNext())
            {
                long row = rows++;
                bool seen = false;
                if (flags is not null)
                {
                    if (row >= flags.Length)
                        throw new ArgumentException($"isSeenRow has {flags.Length} flags but the data has more rows.", "isSeenRow");
                    seen = flags[row];
                }
                else if (predicate is not null)
                {
                    seen = predicate(row);
                }
                if (seen) seenRowCount++;

                maskGetter(ref mask);
                var maskValues = mask.GetValues();
                bool anyMasked = false;
                for (int k = 0; k < maskValues.Length; k++)
                    if (maskValues[k] != 0) { anyMasked = true; break; }
                if (!anyMasked) continue;
                imputedGetter(ref imputed);
                var (predList, trueList) = seen ? (seenPred, seenTrue) : (unseenPred, unseenTrue);
                Collect(in imputed, in mask, predList, trueList, row, imputedColumn);
            }
        }
        if (flags is not null && rows != flags.Length)
            throw new ArgumentException($"isSeenRow has {flags.Length} flags but the data has {rows} rows.", "isSeenRow");

        // Without a split every entry went to the "unseen" lists.
        int total = seenPred.Count + unseenPred.Count;
        var allPred = new float[total];
        var allTrue = new float[total];
        seenPred.CopyTo(allPred, 0);
        unseenPred.CopyTo(allPred, seenPred.Count);
        seenTrue.CopyTo(allTrue, 0);
        unseenTrue.CopyTo(allTrue, seenTrue.Count);
        var overall = ImputationMetrics.Compute(allPred, allTrue);
        if (!split)
            return new ImputationEvaluation(overall, null, null, rows, 0);
        var seenMetrics = ImputationMetrics.Compute(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(seenPred),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(seenTrue));
        var unseenMetrics = ImputationMetrics.Compute(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(unseenPred),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(unseenTrue));
        return new ImputationEvaluation(overall, seenMetrics, unseenMetrics, rows, seenRowCount);
    }

    /// <summary>Appends (imputed, true) for each non-zero mask entry of one row.</summary>
    private static void Collect(in VBuffer<float> imputed, in VBuffer<float> mask, List<float> pred, List<float> truth, long row, string imputedColumn)
    {
        var maskValues = mask.GetValues();
        var maskIndices = mask.IsDense ? default : mask.GetIndices();
        var imputedValues = imputed.GetValues();
        var imputedIndices = imputed.IsDense ? default : imputed.GetIndices();
        int p = 0;
        for (int k = 0; k < maskValues.Length; k++)
        {
            float t = maskValues[k];
            if (t == 0) continue;
            int j = mask.IsDense ? k : maskIndices[k];
            float v;
            if (imputed.IsDense)
            {
                v = imputedValues[j];
            }
            else
            {
                // Both index lists increase, so a forward merge finds the slot; an absent slot is 0.
                while (p < imputedIndices.Length && imputedIndices[p] < j) p++;
                v = p < imputedIndices.Length && imputedIndices[p] == j ? imputedValues[p] : 0f;
            }
            if (!float.IsFinite(v))
                throw new InvalidOperationException($"Column '{imputedColumn}' holds {v} at row {row}, slot {j}; imputed values must be finite.");
            if (!float.IsFinite(t))
                throw new InvalidOperationException($"The dropout mask holds {t} at row {row}, slot {j}; true values must be finite.");
            pred.Add(v);
            truth.Add(t);
        }
    }
}

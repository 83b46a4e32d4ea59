using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Numerics;

/// <summary>
/// Per-gene sums and sums of squares over cells (rows), in double, from dense or sparse rows: the one source of the
/// sample means and variances (n - 1) that gene selection, gene scaling and the scaled cell graph read.
/// </summary>
internal sealed class GeneMoments
{
    private readonly double[] _sum;
    private readonly double[] _sumSquares;

    /// <summary>Starts empty, for <paramref name="genes"/> genes.</summary>
    internal GeneMoments(int genes)
    {
        _sum = new double[genes];
        _sumSquares = new double[genes];
    }

    /// <summary>Rows added so far.</summary>
    internal long Rows { get; private set; }

    /// <summary>Stored entries that were not zero, over every row added.</summary>
    internal long NonZeros { get; private set; }

    /// <summary>Adds one row: every gene's value in order when <paramref name="indices"/> is empty and the row is dense, else the stored values of the listed genes.</summary>
    internal void AddRow(ReadOnlySpan<float> values, ReadOnlySpan<int> indices, bool dense)
    {
        for (int k = 0; k < values.Length; k++)
        {
            double v = values[k];
            int j = dense ? k : indices[k];
            if (v != 0) NonZeros++;
            _sum[j] += v;
            _sumSquares[j] += v * v;
        }
        Rows++;
    }

    /// <summary>The moments of a sparse matrix's columns (its rows are the cells).</summary>
    internal static GeneMoments Of(CsrMatrix x)
    {
        var m = new GeneMoments(x.Columns);
        for (int i = 0; i < x.Rows; i++) m.AddRow(x.RowValues(i), x.RowIndices(i), dense: false);
        return m;
    }

    /// <summary>The moments of a vector column (genes) over the rows of <paramref name="input"/>, in one cursor pass.</summary>
    internal static GeneMoments Of(IDataView input, DataViewSchema.Column column)
    {
        var m = new GeneMoments(((VectorDataViewType)column.Type).Size);
        using var cursor = input.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> row = default;
        while (cursor.MoveNext())
        {
            getter(ref row);
            m.AddRow(row.GetValues(), row.IsDense ? default : row.GetIndices(), row.IsDense);
        }
        return m;
    }

    /// <summary>Gene <paramref name="j"/>'s mean over the rows, zeros included (0 before any row).</summary>
    internal double Mean(int j) => Rows > 0 ? _sum[j] / Rows : 0;

    /// <summary>Gene <paramref name="j"/>'s mean square over the rows.</summary>
    internal double MeanSquare(int j) => Rows > 0 ? _sumSquares[j] / Rows : 0;

    /// <summary>
    /// Gene <paramref name="j"/>'s sample variance (n - 1 denominator) over the rows, zeros included; 0 with fewer than two
    /// rows. Sums of squares are exact enough in double; the tiny negatives of cancellation are clamped to 0.
    /// </summary>
    internal double Variance(int j) => Rows > 1 ? Math.Max(0, (_sumSquares[j] - _sum[j] * Mean(j)) / (Rows - 1)) : 0;
}

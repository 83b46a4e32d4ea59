using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Numerics;

/// <summary>
/// Rows x columns in compressed sparse rows, without ids: the numeric core's working form of an expression matrix
/// (cells are rows, genes columns). Stored entries may be zero; column indices ascend within a row.
/// </summary>
internal sealed class CsrMatrix
{
    internal CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values)
    {
        if (rowPointers.Length != rows + 1) throw new ArgumentException($"rowPointers has length {rowPointers.Length}; expected {rows + 1}.");
        if (columnIndices.Length != values.Length || rowPointers[^1] != values.Length)
            throw new ArgumentException("rowPointers, columnIndices and values disagree on the stored count.");
        Rows = rows;
        Columns = columns;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
    }

    internal int Rows { get; }
    internal int Columns { get; }
    internal int[] RowPointers { get; }
    internal int[] ColumnIndices { get; }
    internal float[] Values { get; }
    internal long StoredCount => Values.Length;

    internal ReadOnlySpan<int> RowIndices(int row) => ColumnIndices.AsSpan(RowPointers[row], RowPointers[row + 1] - RowPointers[row]);
    internal ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(RowPointers[row], RowPointers[row + 1] - RowPointers[row]);

    /// <summary>The matrix's numbers without its ids (arrays shared: neither side writes them).</summary>
    internal static CsrMatrix From(ExpressionMatrix m) =>
        new(m.CellCount, m.GeneCount, m.RowPointerArray, m.ColumnIndexArray, m.ValueArray);

    /// <summary>Row pointers (length <paramref name="rowCount"/> + 1) of entries whose rows are <paramref name="sortedRows"/>, ascending.</summary>
    internal static int[] RowPointersOf(int[] sortedRows, int rowCount)
    {
        var ptr = new int[rowCount + 1];
        foreach (int r in sortedRows) ptr[r + 1]++;
        for (int i = 0; i < rowCount; i++) ptr[i + 1] += ptr[i];
        return ptr;
    }

    /// <summary>A dense row-major matrix's non-zeros.</summary>
    internal static CsrMatrix FromDense(ReadOnlySpan<float> dense, int rows, int columns)
    {
        if (dense.Length != (long)rows * columns) throw new ArgumentException("Dense size does not match rows x columns.");
        var ptr = new int[rows + 1];
        var cols = new List<int>();
        var vals = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            var row = dense.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++)
                if (row[j] != 0) { cols.Add(j); vals.Add(row[j]); }
            ptr[i + 1] = vals.Count;
        }
        return new CsrMatrix(rows, columns, ptr, cols.ToArray(), vals.ToArray());
    }

    /// <summary><c>log(1 + x)</c> of every stored value (single precision, <see cref="MathF.Log(float)"/>); zeros stay zero.</summary>
    internal CsrMatrix Log1p()
    {
        var v = new float[Values.Length];
        for (int k = 0; k < v.Length; k++) v[k] = MathF.Log(1 + Values[k]);
        return new CsrMatrix(Rows, Columns, RowPointers, ColumnIndices, v);
    }

    /// <summary>
    /// Each column divided by its standard deviation over every row, zeros included (variance with n - 1, as scanpy's
    /// <c>pp.scale</c> without its clipping); a column without variance becomes zero. No centering, so the matrix stays
    /// sparse: a PCA that centers implicitly then sees z-scores. <paramref name="inPlace"/> rescales these values (for a
    /// fresh copy such as <see cref="Log1p"/>'s) instead of allocating new ones.
    /// </summary>
    internal CsrMatrix ScaleColumnsToUnitVariance(bool inPlace = false)
    {
        var moments = GeneMoments.Of(this);
        var factor = new float[Columns];
        for (int j = 0; j < Columns; j++)
        {
            double variance = moments.Variance(j);
            // Relative to the mean square: the difference of sums leaves rounding, not variance, in a constant column.
            factor[j] = variance > 1e-10 * Math.Max(moments.MeanSquare(j), double.Epsilon) ? (float)(1 / Math.Sqrt(variance)) : 0f;
        }
        var v2 = inPlace ? Values : new float[Values.Length];
        for (int k = 0; k < v2.Length; k++) v2[k] = Values[k] * factor[ColumnIndices[k]];
        return inPlace ? this : new CsrMatrix(Rows, Columns, RowPointers, ColumnIndices, v2);
    }

    /// <summary>The columns listed (ascending), renumbered 0, 1, ... in that order.</summary>
    internal CsrMatrix SelectColumns(int[] columns)
    {
        var map = new int[Columns];
        Array.Fill(map, -1);
        for (int c = 0; c < columns.Length; c++)
        {
            if (c > 0 && columns[c] <= columns[c - 1]) throw new ArgumentException("Columns must ascend.", nameof(columns));
            map[columns[c]] = c;
        }
        var ptr = new int[Rows + 1];
        for (int i = 0; i < Rows; i++)
        {
            int n = 0;
            foreach (int j in RowIndices(i)) if (map[j] >= 0) n++;
            ptr[i + 1] = ptr[i] + n;
        }
        var cols = new int[ptr[Rows]];
        var vals = new float[ptr[Rows]];
        for (int i = 0; i < Rows; i++)
        {
            var idx = RowIndices(i);
            var val = RowValues(i);
            int o = ptr[i];
            for (int q = 0; q < idx.Length; q++)
                if (map[idx[q]] is int c and >= 0) { cols[o] = c; vals[o++] = val[q]; }
        }
        return new CsrMatrix(Rows, columns.Length, ptr, cols, vals);
    }

    /// <summary>The rows listed (ascending), renumbered 0, 1, ... in that order.</summary>
    internal CsrMatrix SelectRows(int[] rows)
    {
        var ptr = new int[rows.Length + 1];
        for (int r = 0; r < rows.Length; r++)
        {
            if (r > 0 && rows[r] <= rows[r - 1]) throw new ArgumentException("Rows must ascend.", nameof(rows));
            ptr[r + 1] = ptr[r] + RowPointers[rows[r] + 1] - RowPointers[rows[r]];
        }
        var cols = new int[ptr[rows.Length]];
        var vals = new float[ptr[rows.Length]];
        for (int r = 0; r < rows.Length; r++)
        {
            RowIndices(rows[r]).CopyTo(cols.AsSpan(ptr[r]));
            RowValues(rows[r]).CopyTo(vals.AsSpan(ptr[r]));
        }
        return new CsrMatrix(rows.Length, Columns, ptr, cols, vals);
    }

    /// <summary>Rows <c>[start, start + count)</c> as a dense row-major block.</summary>
    internal float[] ToDense(int start, int count)
    {
        var dense = new float[(long)count * Columns];
        for (int i = 0; i < count; i++)
        {
            var idx = RowIndices(start + i);
            var val = RowValues(start + i);
            long off = (long)i * Columns;
            for (int q = 0; q < idx.Length; q++) dense[off + idx[q]] = val[q];
        }
        return dense;
    }

    /// <summary>The whole matrix as a dense row-major array (small inputs and tests only).</summary>
    internal float[] ToDense() => ToDense(0, Rows);
}

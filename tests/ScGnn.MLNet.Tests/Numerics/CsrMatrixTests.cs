using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Numerics;

public sealed class CsrMatrixTests
{
    [Fact]
    public void Selected_columns_keep_their_values_renumbered_in_order()
    {
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 2, 3, 0, 4, 0, 5, 6, 0, 0, 0 }, 3, 4);
        var s = x.SelectColumns(new[] { 1, 3 });
        Assert.Equal(3, s.Rows);
        Assert.Equal(2, s.Columns);
        Assert.Equal(new float[] { 0, 3, 4, 5, 0, 0 }, s.ToDense());
        Assert.Equal(3, s.StoredCount);
        Assert.Throws<ArgumentException>(() => x.SelectColumns(new[] { 2, 1 }));
    }

    [Fact]
    public void Columns_scaled_to_unit_variance_divide_by_the_n_minus_1_standard_deviation()
    {
        // Columns: 0, 2, 4 (mean 2, variance (4 + 0 + 4) / 2 = 4, sd 2); all zero; constant 2; 1, 0, 0 (variance 1/3).
        var dense = new float[] { 0, 0, 2, 1, 2, 0, 2, 0, 4, 0, 2, 0 };
        var x = CsrMatrix.FromDense(dense, 3, 4);
        var s = x.ScaleColumnsToUnitVariance();
        float r3 = MathF.Sqrt(3);
        var expected = new float[] { 0, 0, 0, r3, 1, 0, 0, 0, 2, 0, 0, 0 };
        var got = s.ToDense();
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], got[k], 5);
        Assert.Equal(dense, x.ToDense());
        Assert.Same(x.ColumnIndices, s.ColumnIndices);
        var inPlace = x.ScaleColumnsToUnitVariance(inPlace: true);
        Assert.Same(x, inPlace);
        Assert.Equal(got, x.ToDense());
    }

    [Fact]
    public void Selected_rows_keep_their_values_renumbered_in_order()
    {
        // Rows [1 0 2 3], [0 4 0 5], [6 0 0 0]: rows 0 and 2, and the empty selection.
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 2, 3, 0, 4, 0, 5, 6, 0, 0, 0 }, 3, 4);
        var s = x.SelectRows(new[] { 0, 2 });
        Assert.Equal(2, s.Rows);
        Assert.Equal(4, s.Columns);
        Assert.Equal(new float[] { 1, 0, 2, 3, 6, 0, 0, 0 }, s.ToDense());
        Assert.Equal(4, s.StoredCount);
        Assert.Equal(new[] { 0, 3, 4 }, s.RowPointers);
        Assert.Equal(0, x.SelectRows(Array.Empty<int>()).Rows);
        Assert.Throws<ArgumentException>(() => x.SelectRows(new[] { 2, 2 }));
    }
}

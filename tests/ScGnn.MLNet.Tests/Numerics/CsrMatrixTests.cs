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
}

using ScGnn.MLNet.Data;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Numerics;

public sealed class GeneMomentsTests
{
    // 3 cells x 3 genes: gene 0 = 1, 3, 5 (mean 3, sample variance 4); gene 1 all zero; gene 2 = 2, 0, 0 (mean 2/3,
    // sample variance ((2 - 2/3)² + 2 (2/3)²) / 2 = 4/3).
    private static readonly float[] X = { 1, 0, 2, 3, 0, 0, 5, 0, 0 };

    [Fact]
    public void Sparse_and_dense_rows_give_the_sample_mean_and_variance()
    {
        var sparse = GeneMoments.Of(CsrMatrix.FromDense(X, 3, 3));
        var dense = new GeneMoments(3);
        for (int i = 0; i < 3; i++) dense.AddRow(X.AsSpan(3 * i, 3), default, dense: true);
        foreach (var m in new[] { sparse, dense })
        {
            Assert.Equal(3, m.Rows);
            Assert.Equal(4, m.NonZeros);
            Assert.Equal(3, m.Mean(0), 12);
            Assert.Equal(4, m.Variance(0), 12);
            Assert.Equal(0, m.Mean(1));
            Assert.Equal(0, m.Variance(1));
            Assert.Equal(2.0 / 3, m.Mean(2), 12);
            Assert.Equal(4.0 / 3, m.Variance(2), 12);
            Assert.Equal(35.0 / 3, m.MeanSquare(0), 12);
        }
    }

    [Fact]
    public void A_data_view_column_gives_the_same_moments_as_its_matrix()
    {
        var matrix = ExpressionMatrix.FromDense(X, new[] { "c1", "c2", "c3" }, new[] { "g1", "g2", "g3" });
        var view = matrix.ToDataView();
        var m = GeneMoments.Of(view, view.Schema[ScGnnDefaults.ExpressionColumnName]);
        Assert.Equal(3, m.Rows);
        Assert.Equal(4, m.Variance(0), 12);
        Assert.Equal(4.0 / 3, m.Variance(2), 12);
    }

    [Fact]
    public void One_row_has_no_variance_and_a_constant_gene_none_below_zero()
    {
        var one = new GeneMoments(1);
        one.AddRow(new float[] { 7 }, default, dense: true);
        Assert.Equal(7, one.Mean(0));
        Assert.Equal(0, one.Variance(0));
        // A constant large value: the difference of sums may round below zero; the variance is clamped at 0.
        var constant = new GeneMoments(1);
        for (int i = 0; i < 1000; i++) constant.AddRow(new float[] { 0.1f + 1e6f }, default, dense: true);
        Assert.InRange(constant.Variance(0), 0, 1e-3);
    }
}

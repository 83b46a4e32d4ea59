using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ScGnnEngineTests
{
    [Fact]
    public void With_its_own_mask_the_skip_start_is_fitted_on_the_features_imputation_reads()
    {
        // The trainer draws its own mask (no mask column), as `scgnn impute` does. Start only: one epoch whose start
        // is kept, and a zero output layer, so the output is the skip start alone: intercept + coefficients x features.
        var x = CsrMatrix.From(TwoGroupData.Create(cells: 60, genes: 40, seed: 7).Observed);
        var o = new ScGnnOptions
        {
            Epochs = 1, PrincipalComponentCount = 8, BottleneckRatio = 8, Device = ScGnnDevice.Cpu,
            ZeroOutputStart = true, CapAtObservedMaximum = false,
        };
        var fit = ScGnnEngine.Fit(x, null, o);
        Assert.Equal(0, fit.BestEpoch);
        var predicted = ScGnnPredictor.Predict(fit.State, x, ScGnnDevice.Cpu);

        // The start is a least-squares fit with a free intercept on every observed non-zero of the training cells
        // (masked targets included). When imputation reads the features the fit read, each gene's residuals over
        // that set sum to zero. Features from the trainer's masked input would be 1/(1 - rate) sparser at fit, and
        // the residuals would not.
        var residual = new double[x.Columns];
        var total = new double[x.Columns];
        for (int i = 0; i < x.Rows; i++)
        {
            if (fit.CellRoles[i] != TrainingTargets.RoleTrain) continue;
            var idx = x.RowIndices(i); var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
            {
                residual[idx[q]] += predicted[i * x.Columns + idx[q]] - val[q];
                total[idx[q]] += val[q];
            }
        }
        for (int j = 0; j < x.Columns; j++)
            Assert.True(Math.Abs(residual[j]) <= 1e-3 * total[j] + 1e-3, $"gene {j}: residual sum {residual[j]:G4} over values summing to {total[j]:G4}");
    }
}

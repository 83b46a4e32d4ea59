using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Shrinks a trained epoch's change of the output toward the closed-form start: <c>start + alpha (epoch - start)</c> with
/// the least-squares <c>alpha</c> on the validation targets, clipped to [0, 1]. On small data the trained network's
/// change points the right way more often than it is the right size (a step of Adam moves every weight by about the
/// learning rate), so a fraction of it can beat the start where the whole of it loses.
/// </summary>
/// <remarks>
/// The gain is judged honestly by cross-fitting: the validation cells are split in two by parity, and each half's
/// errors use the other half's <c>alpha</c>, so no entry is scored with a shrinkage fitted on itself. The kept
/// <c>alpha</c> is the one fitted on every validation entry. With the output layer's weights starting at zero the
/// output is linear in <c>W2</c>, <c>b2</c> and the skip coefficients for fixed <c>W1</c>, <c>b1</c>, so the shrunk
/// output is exactly a network: those parameters moved the same fraction from their start
/// (<see cref="BottleneckGcn.ShrinkOutputLayerTowards"/>).
/// </remarks>
internal static class StartShrinkage
{
    /// <summary>
    /// The shrinkage of <paramref name="now"/> toward <paramref name="start"/> (outputs at the validation entries) against
    /// <paramref name="values"/>: <c>alpha</c> fitted on every entry, and the cross-fitted squared errors per entry.
    /// </summary>
    /// <param name="start">The start's output at the entries.</param>
    /// <param name="now">The epoch's output at the entries.</param>
    /// <param name="values">The targets' values.</param>
    /// <param name="firstHalf">Boolean per entry: whether its cell is in the first of the two cross-fitting halves.</param>
    internal static (double Alpha, Tensor CrossFittedErrors) Fit(Tensor start, Tensor now, Tensor values, Tensor firstHalf)
    {
        using var scope = NewDisposeScope();
        var r = (values - start).to_type(ScalarType.Float64);
        var d = (now - start).to_type(ScalarType.Float64);
        var rd = r * d;
        var dd = d * d;
        var inFirst = firstHalf.to_type(ScalarType.Float64);
        var inSecond = 1 - inFirst;
        double all = Alpha(rd.sum().item<double>(), dd.sum().item<double>());
        double first = Alpha((rd * inFirst).sum().item<double>(), (dd * inFirst).sum().item<double>());
        double second = Alpha((rd * inSecond).sum().item<double>(), (dd * inSecond).sum().item<double>());
        // Each half is scored with the other half's alpha.
        var alpha = inFirst * second + inSecond * first;
        var errors = (r - alpha * d).square().to_type(ScalarType.Float32);
        return (all, errors.MoveToOuterDisposeScope());
    }

    /// <summary>The least-squares <c>alpha</c> of <c>r ~ alpha d</c> from its sums, clipped to [0, 1]; 0 when <c>d</c> is zero.</summary>
    internal static double Alpha(double sumRd, double sumDd) => sumDd > 0 ? Math.Clamp(sumRd / sumDd, 0, 1) : 0;
}

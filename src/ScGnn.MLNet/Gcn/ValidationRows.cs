using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The rows the validation pass reads when they differ from the training input <c>X</c>:
/// <c>X / <see cref="InputScale"/> + <see cref="Restored"/></c>, the training input unscaled with the training targets
/// back in place, as imputation will read them. Kept as that sum so that the validation pass costs one product of the
/// restored entries, <c>X_val W1 = (X W1) / scale + R W1</c>, instead of a second product of every non-zero.
/// </summary>
/// <param name="Restored">The training targets on the network's scale, as sparse rows of the cells x genes matrix.</param>
/// <param name="InputScale">The factor the training input carries (1 / (1 - mask rate) as inverted dropout, or 1).</param>
internal readonly record struct ValidationRows(CsrMatrix Restored, float InputScale);

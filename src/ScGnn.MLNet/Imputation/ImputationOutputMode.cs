namespace ScGnn.MLNet.Imputation;

/// <summary>What the imputation transformer writes into its output column.</summary>
public enum ImputationOutputMode
{
    /// <summary>Zero entries get the model's prediction (clamped at 0); observed non-zero values are kept (the paper).</summary>
    ImputeZeros = 0,

    /// <summary>Every entry gets the model's output (clamped at 0): imputation plus denoising.</summary>
    Denoise = 1,

    /// <summary>
    /// For clustering and visualisation: every entry is the batch's input diffused over its kNN cell graph (in the
    /// model's PCA space), <c>P^t X</c> with <c>P</c> the random walk with self loops, as MAGIC smooths. The neighbour
    /// count (the model's k halved, as is, or doubled) and the steps t (0-10) are chosen per batch by molecular
    /// cross-validation: the (k, t) whose smoothing of half of each value's molecules best predicts the other half.
    /// t = 0, the input unchanged, when no smoothing predicts held-out molecules better. The network's values are not
    /// used: KMeans on them does worse than on this output (docs/benchmarks/clustering.md). The batch stays sparse:
    /// above one block (4 M values) each block of output rows is computed from the sparse rows of <c>P^t</c>.
    /// </summary>
    Smoothed = 2,
}

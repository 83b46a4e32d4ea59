namespace ScGnn.MLNet.Imputation;

/// <summary>What the imputation transformer writes into its output column.</summary>
public enum ImputationOutputMode
{
    /// <summary>Zero entries get the model's prediction (clamped at 0); observed non-zero values are kept (the paper).</summary>
    ImputeZeros = 0,

    /// <summary>Every entry gets the model's output (clamped at 0): imputation plus denoising.</summary>
    Denoise = 1,

    /// <summary>
    /// For clustering and visualisation: every entry is the batch's input partly diffused over a cell graph in the
    /// batch's own PCA (of log1p values, each gene scaled to unit variance with n - 1 as scanpy's <c>pp.scale</c>, with
    /// the model's component count), <c>(1 - w) X + w P^t X</c>, as MAGIC
    /// smooths: <c>P</c> is MAGIC's adaptive kernel over each cell's 3k nearest cells (bandwidth its k-th neighbour's
    /// distance, symmetrized, self loops, rows normalized). The neighbour count (the
    /// model's k halved, as is, or doubled), the steps t (0-10) and the weight w (0.1-1) are chosen per batch by
    /// molecular cross-validation: the choice whose smoothing of half of each value's molecules best predicts the
    /// other half (on a random 200,000 of the batch's cells when it has more). t = 0, the input unchanged, when no smoothing predicts held-out molecules better; w below 1 keeps
    /// part of the input where full smoothing would merge weakly separated groups. The network's values are not
    /// used: KMeans on them does worse than on this output (docs/BENCHMARKS.md section 4). The batch stays sparse:
    /// above one block (4 M values) each block of output rows is computed from the sparse rows of <c>P^t</c>.
    /// A fit with this mode fits no network (<see cref="ScGnnImputationTransformer.HasNetwork"/> is false).
    /// </summary>
    Smoothed = 2,
}

namespace ScGnn.MLNet.Imputation;

/// <summary>What the imputation transformer writes into its output column.</summary>
public enum ImputationOutputMode
{
    /// <summary>Zero entries get the model's prediction (clamped at 0); observed non-zero values are kept (the paper).</summary>
    ImputeZeros = 0,

    /// <summary>Every entry gets the model's output (clamped at 0): imputation plus denoising.</summary>
    Denoise = 1,
}

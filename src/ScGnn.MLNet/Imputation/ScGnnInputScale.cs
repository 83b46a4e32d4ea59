namespace ScGnn.MLNet.Imputation;

/// <summary>The scale on which the network sees its input and is trained.</summary>
internal enum ScGnnInputScale
{
    /// <summary>Normalized counts as given (the paper; the MSE is on counts).</summary>
    Counts = 0,

    /// <summary>
    /// <c>log1p</c> of the normalized counts (natural log, as scanpy's <c>pp.log1p</c>); the loss is on that scale and
    /// predictions are mapped back with <c>expm1</c>.
    /// </summary>
    Log1p = 1,

    /// <summary>
    /// The network reads <c>log1p</c> of the normalized counts but predicts counts and is trained on the counts' MSE:
    /// log-scaled features tame highly expressed genes without biasing predictions through <c>expm1</c>.
    /// </summary>
    Log1pInput = 2,
}

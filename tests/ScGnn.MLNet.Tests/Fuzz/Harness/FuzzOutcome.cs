namespace ScGnn.MLNet.Fuzz;

/// <summary>What one fuzz case did.</summary>
internal enum FuzzOutcome
{
    /// <summary>The entry point accepted the input (and any oracle agreed).</summary>
    Accepted,
    /// <summary>The specific exception, naming the file (or cell and gene).</summary>
    Rejected,
    /// <summary>Any other exception escaped: a bug.</summary>
    Foreign,
    /// <summary>The specific exception type, but the message does not name the file: a bug.</summary>
    Unnamed,
    /// <summary>Allocated more than the budget for the input size: a bug.</summary>
    OverBudget,
    /// <summary>Ran past the time budget: a bug (hang or quadratic blow-up).</summary>
    Slow,
    /// <summary>Two entry points disagree (the validator passes a model that Load rejects, or the reverse): a bug.</summary>
    Mismatch,
}

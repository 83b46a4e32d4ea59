namespace ScGnn.MLNet.Evaluation;

/// <summary>Result of <see cref="ImputationProtocol.Run"/>: per-fold metrics and their mean ± sd (n-1), as the paper's Table 2.</summary>
public sealed class ImputationProtocolResult
{
    internal ImputationProtocolResult(IReadOnlyList<ImputationFoldResult> folds, int cells, int genes, double maskRate)
    {
        Folds = folds;
        Cells = cells;
        Genes = genes;
        MaskRate = maskRate;
        Unseen = ImputationMetricsSummary.Summarize(folds.Select(f => f.Unseen));
    }

    /// <summary>Each fold's result.</summary>
    public IReadOnlyList<ImputationFoldResult> Folds { get; }

    /// <summary>Mean ± sample sd over folds of the unseen-entry metrics.</summary>
    public ImputationMetricsSummary Unseen { get; }

    /// <summary>Cells after preprocessing.</summary>
    public int Cells { get; }

    /// <summary>Genes after selection.</summary>
    public int Genes { get; }

    /// <summary>The mask rate used.</summary>
    public double MaskRate { get; }
}

namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// Result of <see cref="ImputationEvaluator"/>: metrics over all masked entries and, when the rows were split, over
/// the masked entries of the rows the model trained on ("seen") and of the other rows ("unseen"). The paper reports
/// the masked entries of its 5 % test cells, which are unseen.
/// </summary>
public sealed class ImputationEvaluation
{
    /// <summary>Creates an evaluation result.</summary>
    /// <param name="overall">Metrics over every masked entry.</param>
    /// <param name="seen">Metrics over the masked entries of rows the model trained on, or <c>null</c> without a split.</param>
    /// <param name="unseen">Metrics over the masked entries of the other rows, or <c>null</c> without a split.</param>
    /// <param name="rowCount">Number of rows (cells) read.</param>
    /// <param name="seenRowCount">Number of rows in the seen group (0 without a split).</param>
    public ImputationEvaluation(ImputationMetrics overall, ImputationMetrics? seen, ImputationMetrics? unseen, long rowCount, long seenRowCount)
    {
        ArgumentNullException.ThrowIfNull(overall);
        if ((seen is null) != (unseen is null))
            throw new ArgumentException("seen and unseen must both be given or both be null.", nameof(seen));
        Overall = overall;
        Seen = seen;
        Unseen = unseen;
        RowCount = rowCount;
        SeenRowCount = seenRowCount;
    }

    /// <summary>Metrics over every masked entry.</summary>
    public ImputationMetrics Overall { get; }

    /// <summary>Metrics over the masked entries of the rows marked as seen (training cells); <c>null</c> when no split was given.</summary>
    public ImputationMetrics? Seen { get; }

    /// <summary>Metrics over the masked entries of the rows not marked as seen (validation and test cells); <c>null</c> when no split was given.</summary>
    public ImputationMetrics? Unseen { get; }

    /// <summary>Number of rows (cells) read.</summary>
    public long RowCount { get; }

    /// <summary>Number of rows marked as seen (0 when no split was given).</summary>
    public long SeenRowCount { get; }

    /// <summary>True when a seen/unseen split was given.</summary>
    public bool HasSplit => Seen is not null;
}

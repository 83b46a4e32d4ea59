namespace ScGnn.MLNet.Evaluation;

/// <summary>One fold of <see cref="ImputationProtocol"/>.</summary>
/// <param name="Seed">Seed of the mask and the model.</param>
/// <param name="Unseen">Metrics over masked entries the model never trained on (the reported number).</param>
/// <param name="Seen">Metrics over masked entries of cells whose masked entries were training or validation targets, or null.</param>
/// <param name="FitSeconds">Wall time of fitting the imputer.</param>
/// <param name="BestEpoch">Epoch whose weights were kept.</param>
public sealed record ImputationFoldResult(int Seed, ImputationMetrics Unseen, ImputationMetrics? Seen, double FitSeconds, int BestEpoch);

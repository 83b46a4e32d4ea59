using ScGnn.MLNet.Evaluation;

namespace ScGnn.Samples.Analysis;

/// <summary>One line of an accuracy table: a method (or baseline) and its metrics on a set of entries.</summary>
internal sealed record AccuracyRow(string Method, ImputationMetrics Metrics);

namespace ScGnn.MLNet.Embedding;

/// <summary>Progress of a <see cref="TSne"/> optimization, reported every <see cref="TSneOptions.ProgressInterval"/> iterations.</summary>
/// <param name="Iteration">Iterations done (1-based).</param>
/// <param name="Iterations">Total iterations planned.</param>
/// <param name="KlDivergence">
/// KL divergence <c>KL(P || Q)</c> of the current embedding against the un-exaggerated input affinities (so values in the
/// early-exaggeration phase are comparable with later ones). With Barnes-Hut, <c>Q</c>'s normalization is the tree's estimate.
/// </param>
/// <param name="Exaggerating">True during the early-exaggeration phase.</param>
public readonly record struct TSneProgress(int Iteration, int Iterations, double KlDivergence, bool Exaggerating);

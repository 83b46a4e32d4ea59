using ScGnn.MLNet.Imputation;

namespace ScGnn.MLNet.Gcn;

/// <summary>A trained network: the kept weights (<see cref="BottleneckGcn.ExportWeights"/> order) and how it got there.</summary>
/// <param name="Weights">The weights of <paramref name="BestEpoch"/>.</param>
/// <param name="History">One entry per epoch run.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (0 = the start).</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the last epoch.</param>
/// <param name="BatchCount">Adam steps per epoch (1 on the whole graph).</param>
/// <param name="KeptFraction">The fraction of <paramref name="BestEpoch"/>'s change of the start that was kept
/// (<see cref="StartShrinkage"/>; 1 without shrinking or at the start).</param>
internal sealed record GcnFit(float[][] Weights, IReadOnlyList<ScGnnEpochProgress> History, int BestEpoch, bool StoppedEarly, int BatchCount,
    double KeptFraction = 1);

using ScGnn.MLNet.Imputation;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>How <see cref="GcnFitter"/> trains one network: the paper's Adam settings, the epoch rule and the batching.</summary>
internal sealed record GcnTrainingSettings
{
    /// <summary>Most Adam steps (paper: 1000 epochs of one step each on the whole graph). With mini-batches an epoch is
    /// one pass of several steps, and at most this many steps are run in all (<see cref="GcnFitter.MiniBatchEpochs"/>).</summary>
    internal int Epochs { get; init; } = 1000;

    /// <summary>Adam learning rate (paper: 0.003).</summary>
    internal double LearningRate { get; init; } = 0.003;

    /// <summary>Adam L2 weight decay (paper: 5e-4), on every parameter.</summary>
    internal double WeightDecay { get; init; } = 5e-4;

    /// <summary>Dropout on the hidden layer while training (paper: 0.5).</summary>
    internal double DropoutRate { get; init; } = 0.5;

    /// <summary>
    /// Stop when the validation loss has not reached a new low for this many Adam steps, counted in epochs: as many
    /// epochs on the whole graph (one step each), <see cref="GcnFitter.PatienceEpochs"/> with mini-batches; null runs every epoch.
    /// </summary>
    internal int? Patience { get; init; }

    /// <summary>Paired standard errors a later epoch's validation gain over the start must exceed to be kept (0: lowest loss).</summary>
    internal double SelectionStandardErrors { get; init; }

    /// <summary>Cells per mini-batch; null chooses: the whole graph up to <see cref="GcnFitter.WholeGraphEntries"/> cells x genes, else batches of about
    /// <see cref="GcnFitter.BatchInputEntries"/> cells x genes (<see cref="GcnFitter.BatchCellCount"/>).</summary>
    internal int? BatchCells { get; init; }

    /// <summary>Feeds the input block as a sparse COO tensor instead of dense rows (same result; less memory, slower on CPU).</summary>
    internal bool SparseInput { get; init; }

    /// <summary>Starts the output layer's weights at zero, so epoch 0 is exactly the bias and skip connection's start.</summary>
    internal bool ZeroOutputStart { get; init; }

    /// <summary>
    /// Keeps a trained epoch shrunk toward the start by the validation targets' least-squares fraction
    /// (<see cref="StartShrinkage"/>), judged by its cross-fitted errors. The shrinkage is exact only from a zero output
    /// layer, so it starts there whatever <see cref="ZeroOutputStart"/> says.
    /// </summary>
    internal bool ShrinkTowardStart { get; init; }

    /// <summary>Where tensors live.</summary>
    internal Device Device { get; init; } = CPU;

    /// <summary>Seed of the weights, dropout and batch order.</summary>
    internal int Seed { get; init; }

    /// <summary>Called after every epoch.</summary>
    internal Action<ScGnnEpochProgress>? Progress { get; init; }

    /// <summary>Checked before every step.</summary>
    internal Action? CheckAlive { get; init; }

    /// <summary>Receives one-line messages (batching, early stop).</summary>
    internal Action<string>? Log { get; init; }
}

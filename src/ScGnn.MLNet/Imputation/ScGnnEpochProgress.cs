namespace ScGnn.MLNet.Imputation;

/// <summary>Progress of one training epoch, reported to <see cref="ScGnnOptions.Progress"/> and ML.NET's progress channel.</summary>
/// <param name="Epoch">1-based epoch number. Both losses are measured on the weights entering this epoch, after
/// <c>Epoch - 1</c> epochs: the first report scores the starting weights.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="TrainLoss">MSE over the masked entries of the training cells (on the training scale) in this epoch's step.</param>
/// <param name="ValidationLoss">MSE over the masked entries of the validation cells, or NaN when there are none.</param>
/// <param name="BestEpoch">
/// The number of epochs behind the weights kept so far (0: the starting weights), whose losses are those reported
/// with <c>Epoch = BestEpoch + 1</c>: the one definition of the kept epoch, the same as
/// <see cref="ScGnnImputationTransformer.BestEpoch"/> after the last epoch. It is not always the epoch with the
/// lowest validation loss: the library default keeps a trained epoch only for a significant gain over the start.
/// </param>
public sealed record ScGnnEpochProgress(int Epoch, int Epochs, double TrainLoss, double ValidationLoss, int BestEpoch)
{
    /// <summary>Training time so far (zero in <see cref="ScGnnImputationTransformer.TrainingHistory"/>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated training time left at the mean epoch time so far.</summary>
    public TimeSpan Remaining { get; init; }
}

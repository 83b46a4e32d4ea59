namespace ScGnn.MLNet.Imputation;

/// <summary>Progress of one training epoch, reported to <see cref="ScGnnOptions.Progress"/> and ML.NET's progress channel.</summary>
/// <param name="Epoch">1-based epoch number. Both losses are measured on the weights entering this epoch, after
/// <c>Epoch - 1</c> epochs: the first report scores the starting weights.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="TrainLoss">MSE over the masked entries of the training cells (on the training scale) in this epoch's step.</param>
/// <param name="ValidationLoss">MSE over the masked entries of the validation cells, or NaN when there are none: the
/// network of this epoch as trained (see <see cref="SelectionLoss"/> for the loss the kept epoch is chosen by).</param>
/// <param name="BestEpoch">
/// The number of epochs behind the weights kept so far (0: the starting weights), whose losses are those reported
/// with <c>Epoch = BestEpoch + 1</c>: the one definition of the kept epoch, the same as
/// <see cref="ScGnnImputationTransformer.BestEpoch"/> after the last epoch. It is not always the epoch with the
/// lowest validation loss: the library default chooses by <see cref="SelectionLoss"/>.
/// </param>
public sealed record ScGnnEpochProgress(int Epoch, int Epochs, double TrainLoss, double ValidationLoss, int BestEpoch)
{
    /// <summary>
    /// The validation loss the kept epoch is chosen by, on the same weights. With the library default, this epoch's
    /// change of the starting weights' output shrunk by the least-squares fraction the validation targets support,
    /// cross-fitted (each half of the validation cells scored with the other half's fraction), so a trained epoch is
    /// judged by the part of it that would be kept; equal to <see cref="ValidationLoss"/> for the starting weights and
    /// where the epoch rule does not shrink (the paper configuration). NaN without validation targets, and for models
    /// saved before format 1.8.
    /// </summary>
    public double SelectionLoss { get; init; } = double.NaN;

    /// <summary>Training time so far (zero in <see cref="ScGnnImputationTransformer.TrainingHistory"/>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Estimated training time left at the mean epoch time so far.</summary>
    public TimeSpan Remaining { get; init; }
}

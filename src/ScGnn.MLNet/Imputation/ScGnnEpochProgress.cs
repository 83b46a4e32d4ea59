namespace ScGnn.MLNet.Imputation;

/// <summary>Progress of one training epoch, reported to <see cref="ScGnnOptions.Progress"/> and ML.NET's channel.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Total epochs planned.</param>
/// <param name="TrainLoss">MSE over the masked entries of the training cells (on the training scale).</param>
/// <param name="ValidationLoss">MSE over the masked entries of the validation cells, or NaN when there are none.</param>
/// <param name="BestEpoch">Epoch with the lowest validation loss so far (the one that will be kept).</param>
public sealed record ScGnnEpochProgress(int Epoch, int Epochs, double TrainLoss, double ValidationLoss, int BestEpoch);

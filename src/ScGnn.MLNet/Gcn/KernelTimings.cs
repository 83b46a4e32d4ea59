using System.Diagnostics;

namespace ScGnn.MLNet.Gcn;

/// <summary>Accumulated wall time of the training kernel's phases (seconds), for the speed benchmark.</summary>
internal sealed class KernelTimings
{
    internal double InputProducts { get; private set; }
    internal double Propagation { get; private set; }
    internal double SecondLayer { get; private set; }
    internal double Validation { get; private set; }
    internal double Optimizer { get; private set; }
    internal int Epochs { get; private set; }

    internal void Add(long inputProducts, long propagation, long secondLayer, long validation, long optimizer)
    {
        double f = 1.0 / Stopwatch.Frequency;
        InputProducts += inputProducts * f;
        Propagation += propagation * f;
        SecondLayer += secondLayer * f;
        Validation += validation * f;
        Optimizer += optimizer * f;
        Epochs++;
    }

    internal void Add(KernelTimings other)
    {
        InputProducts += other.InputProducts; Propagation += other.Propagation; SecondLayer += other.SecondLayer;
        Validation += other.Validation; Optimizer += other.Optimizer; Epochs += other.Epochs;
    }

    public override string ToString() => Epochs == 0 ? "no epochs" : string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"per epoch: X products {1e3 * InputProducts / Epochs:F2} ms, Â/ReLU/dropout {1e3 * Propagation / Epochs:F2} ms, " +
        $"second layer at targets {1e3 * SecondLayer / Epochs:F2} ms, validation {1e3 * Validation / Epochs:F2} ms, Adam {1e3 * Optimizer / Epochs:F2} ms");
}

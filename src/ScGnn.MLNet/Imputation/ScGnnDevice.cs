namespace ScGnn.MLNet.Imputation;

/// <summary>Where the network is trained and evaluated.</summary>
public enum ScGnnDevice
{
    /// <summary>CUDA when a GPU and a CUDA backend are present, else CPU.</summary>
    Auto = 0,

    /// <summary>Always the CPU (bit-reproducible for a given seed and thread count).</summary>
    Cpu = 1,

    /// <summary>Always CUDA; fails when no GPU is usable.</summary>
    Cuda = 2,
}

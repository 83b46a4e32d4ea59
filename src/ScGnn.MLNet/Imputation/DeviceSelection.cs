using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Imputation;

/// <summary>The TorchSharp device an <see cref="ScGnnDevice"/> option stands for.</summary>
internal static class DeviceSelection
{
    internal static Device Resolve(ScGnnDevice option) => option switch
    {
        ScGnnDevice.Cpu => CPU,
        ScGnnDevice.Cuda => TorchRuntime.IsCudaAvailable ? CUDA : throw new InvalidOperationException(
            "ScGnn Device is Cuda but no CUDA device is usable: install a GPU driver and reference TorchSharp-cuda-linux, or use Auto/Cpu."),
        _ => TorchRuntime.DefaultDevice,
    };
}

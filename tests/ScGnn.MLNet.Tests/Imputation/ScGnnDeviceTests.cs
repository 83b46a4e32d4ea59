using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Torch;

namespace ScGnn.MLNet.Tests.Imputation;

/// <summary>A fact that needs a usable CUDA device; skipped (with the reason) otherwise.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public CudaFactAttribute()
    {
        if (!TorchRuntime.IsCudaAvailable) Skip = "needs a CUDA GPU and a CUDA TorchSharp backend";
    }
}

[Collection(TorchCollection.Name)]
public sealed class ScGnnDeviceTests
{
    private static float[] Impute(ScGnnDevice device)
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var o = new ScGnnOptions { Epochs = 50, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = device };
        var data = observed.ToDataView();
        return ml.Transforms.ImputeWithScGnn(o).Fit(data).Transform(data)
            .GetColumn<VBuffer<float>>(ScGnnTrainer.Defaults.OutputColumnName).SelectMany(v => v.DenseValues()).ToArray();
    }

    [Fact]
    public void Asking_for_cuda_without_a_gpu_fails_clearly()
    {
        if (TorchRuntime.IsCudaAvailable) return; // covered by the CUDA test below
        var ex = Assert.Throws<InvalidOperationException>(() => Impute(ScGnnDevice.Cuda));
        Assert.Contains("no CUDA device", ex.Message);
    }

    [CudaFact]
    public void Cuda_and_cpu_agree()
    {
        var cpu = Impute(ScGnnDevice.Cpu);
        var gpu = Impute(ScGnnDevice.Cuda);
        Assert.Equal(cpu.Length, gpu.Length);
        for (int i = 0; i < cpu.Length; i++) Assert.Equal(cpu[i], gpu[i], 2);
    }
}

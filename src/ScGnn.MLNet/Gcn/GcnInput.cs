using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The network's input <c>X</c> (cells x genes) and the only two products training needs from it:
/// <c>U = X W1</c> and <c>dW1 = X^T G</c> (row-major float arrays).
/// </summary>
internal abstract class GcnInput : IDisposable
{
    /// <summary>
    /// Density below which the sparse path beats the dense one on CPU (measured on 2 cores, pbmc3k's shape with hidden 18:
    /// about 10 % against the blocked AVX2 kernel, about 30 % against TorchSharp BLAS).
    /// </summary>
    internal static double SparseDensityThreshold => BlockedGcnInput.IsSupported ? 0.10 : 0.30;

    /// <summary>Which CPU path <see cref="Create"/> takes for a given density (for reports).</summary>
    internal static string CpuPathFor(double density) =>
        density < SparseDensityThreshold ? "sparse C#" : BlockedGcnInput.IsSupported ? "register-blocked AVX2/FMA" : "dense TorchSharp BLAS";

    internal abstract int Cells { get; }
    internal abstract int Genes { get; }

    /// <summary>result (cells x hidden) = X W (genes x hidden).</summary>
    internal abstract void Multiply(float[] w, int hidden, float[] result);

    /// <summary>result (genes x hidden) = X^T G (cells x hidden).</summary>
    internal abstract void MultiplyTransposed(float[] g, int hidden, float[] result);

    public virtual void Dispose() { }

    /// <summary>
    /// On CPU: the sparse path for sparse inputs, the register-blocked AVX2 kernel for dense ones (TorchSharp BLAS
    /// where the CPU lacks AVX2/FMA). On CUDA: TorchSharp.
    /// </summary>
    internal static GcnInput Create(float[] dense, int cells, int genes, Device device)
    {
        if (device.type != TorchSharp.DeviceType.CPU) return new DenseGcnInput(dense, cells, genes, device);
        long nnz = 0;
        foreach (float v in dense) if (v != 0) nnz++;
        double density = (double)nnz / ((double)cells * genes);
        if (density < SparseDensityThreshold) return new SparseGcnInput(dense, cells, genes);
        return BlockedGcnInput.IsSupported ? new BlockedGcnInput(dense, cells, genes) : new DenseGcnInput(dense, cells, genes, device);
    }
}

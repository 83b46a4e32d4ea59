using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The network's input <c>X</c> (cells x genes) and the only two products training needs from it:
/// <c>U = X W1</c> and <c>dW1 = X^T G</c> (row-major float arrays).
/// </summary>
internal abstract class GcnInput : IDisposable
{
    /// <summary>Density below which the sparse C# path beats dense BLAS (measured on 2 cores: see docs/BENCHMARKS.md).</summary>
    internal const double SparseDensityThreshold = 0.3;

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

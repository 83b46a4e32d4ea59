using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// <c>Â H</c> as a TorchSharp custom autograd function on the CPU: forward <c>S H</c>, backward <c>Sᵀ G</c>, both by
/// <see cref="AdjacencySlice"/>'s CSR kernel. Replaces torch's sparse COO <c>mm</c>, against which the tests check it.
/// </summary>
internal sealed class AdjacencyProduct : autograd.SingleTensorFunction<AdjacencyProduct>
{
    /// <inheritdoc/>
    public override string Name => nameof(AdjacencyProduct);

    /// <summary>vars: the <see cref="AdjacencySlice"/>, then the dense <c>Columns x D</c> float32 CPU tensor.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var slice = (AdjacencySlice)vars[0];
        var h = (Tensor)vars[1];
        ctx.save_data("slice", slice);
        return Apply(slice, h);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var slice = (AdjacencySlice)ctx.get_data("slice");
        return new List<Tensor> { null!, Apply(slice.Transposed(), gradOutput) };
    }

    private static Tensor Apply(AdjacencySlice slice, Tensor h)
    {
        if (h.dim() != 2 || h.shape[0] != slice.Columns)
            throw new ArgumentException($"Expected a {slice.Columns} x D tensor; got [{string.Join(", ", h.shape)}].");
        int d = (int)h.shape[1];
        var source = h.contiguous();
        var result = empty(slice.Rows, d, dtype: ScalarType.Float32);
        slice.Multiply(MemoryMarshal.Cast<byte, float>(source.bytes), d, MemoryMarshal.Cast<byte, float>(result.bytes));
        return result;
    }
}

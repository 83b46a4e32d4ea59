using ScGnn.MLNet.Numerics;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// <c>U = X W1</c> for a constant sparse input block as a TorchSharp custom autograd function on the CPU: forward one
/// sparse row times <c>W1</c> per cell, backward <c>dW1 = Xᵀ dU</c> one gene at a time over the transposed block
/// (<see cref="GcnInput.Transposed"/>); <c>X</c> gets no gradient. Replaces the dense block's <c>mm</c> (BLAS) and
/// the sparse COO <c>mm</c>, against which the tests check it.
/// </summary>
/// <remarks>
/// The input is about a third non-zero on typical 10x data, so the sparse product does a third of the dense
/// product's multiply-adds and never builds the dense cells x genes block. Each output row has one writer and a fixed
/// summation order, so the result does not depend on the thread count. docs/BENCHMARKS.md (section 2) has the gain.
/// </remarks>
internal sealed class SparseInputProduct : autograd.SingleTensorFunction<SparseInputProduct>
{
    /// <inheritdoc/>
    public override string Name => nameof(SparseInputProduct);

    /// <summary>vars: the <see cref="GcnInput"/> (with host rows), then <c>W1</c> (genes x D, float32 CPU).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (GcnInput)vars[0];
        var w1 = (Tensor)vars[1];
        var x = input.Rows ?? throw new ArgumentException("The input block has no host rows.");
        if (w1.dim() != 2 || w1.shape[0] != x.Columns)
            throw new ArgumentException($"Expected W1 of {x.Columns} x D; got [{string.Join(", ", w1.shape)}].");
        int d = (int)w1.shape[1], dp = HostKernels.Padded(d);
        ctx.save_data("input", input);
        ctx.save_data("shape", new[] { d, dp });
        var w = HostKernels.RentPadded(w1, dp);
        var u = Product(x, w, d, dp);
        HostKernels.Return(w);
        return u;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var input = (GcnInput)ctx.get_data("input");
        var shape = (int[])ctx.get_data("shape");
        int d = shape[0], dp = shape[1];
        var g = HostKernels.RentPadded(gradOutput, dp);
        var gradW1 = Product(input.Transposed(), g, d, dp);
        HostKernels.Return(g);
        return new List<Tensor> { null!, gradW1 };
    }

    // x (rows x k, sparse) times a dense k x dp (padded) array: a new rows x d tensor.
    private static Tensor Product(CsrMatrix x, float[] dense, int d, int dp)
    {
        var result = HostKernels.Rent((long)x.Rows * dp);
        HostKernels.For(x.Rows, 64, (start, end) =>
        {
            unsafe
            {
                fixed (int* ptr = x.RowPointers, col = x.ColumnIndices)
                fixed (float* val = x.Values, w = dense, o = result)
                    HostKernels.SparseRows(ptr, col, val, w, o, start, end, dp);
            }
        });
        var product = HostKernels.Unpad(result, x.Rows, d, dp);
        HostKernels.Return(result);
        return product;
    }
}

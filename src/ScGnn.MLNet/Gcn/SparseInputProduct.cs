using ScGnn.MLNet.Numerics;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// <c>U = X W1</c> for a constant sparse input block as a TorchSharp custom autograd function on the CPU: forward one
/// sparse row times <c>W1</c> per cell, backward <c>dW1 = Xᵀ dU</c> scattered row by row into per-part sums that stay
/// in cache; <c>X</c> gets no gradient. Replaces the dense block's <c>mm</c> (BLAS) and
/// the sparse COO <c>mm</c>, against which the tests check it.
/// </summary>
/// <remarks>
/// The input is about a third non-zero on typical 10x data, so the sparse product does a third of the dense
/// product's multiply-adds and never builds the dense cells x genes block. Forward, each output row has one writer;
/// backward, the parts are fixed by the block's size: both sum in a fixed order, so the result does not depend on
/// the thread count. docs/BENCHMARKS.md (section 2) has the gain.
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
        var gradW1 = TransposedProduct(input.Rows!, g, d, dp);
        HostKernels.Return(g);
        return new List<Tensor> { null!, gradW1 };
    }

    // Non-zeros per part of the backward's cell range; at most MaxParts parts.
    private const int PartNonZeros = 1 << 18;
    private const int MaxParts = 16;

    // xᵀ times a dense rows x dp (padded) array: a new columns x d tensor. The cells are cut into parts by the block's
    // size alone; each part scatters its rows into its own columns x dp sums, read in cache row by row (no transposed
    // copy of the block), and the parts are added in order, so the result does not depend on the thread count.
    private static Tensor TransposedProduct(CsrMatrix x, float[] dense, int d, int dp)
    {
        int parts = Math.Clamp(x.Values.Length / PartNonZeros, 1, Math.Min(MaxParts, Math.Max(1, x.Rows)));
        int size = x.Columns * dp;
        var sums = HostKernels.Rent(parts * size);
        Array.Clear(sums, 0, parts * size);
        Parallel.For(0, parts, p =>
        {
            int start = (int)((long)x.Rows * p / parts), end = (int)((long)x.Rows * (p + 1) / parts);
            unsafe
            {
                fixed (int* ptr = x.RowPointers, col = x.ColumnIndices)
                fixed (float* val = x.Values, src = dense, dst = &sums[p * size])
                    HostKernels.ScatterRows(ptr, col, val, src, dst, start, end, dp);
            }
        });
        var total = sums.AsSpan(0, size);
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(total, sums.AsSpan(p * size, size), total);
        var product = HostKernels.Unpad(sums, x.Columns, d, dp);
        HostKernels.Return(sums);
        return product;
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

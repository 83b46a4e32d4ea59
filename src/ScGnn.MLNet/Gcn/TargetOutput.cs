using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The network's output at target entries as a TorchSharp custom autograd function on the CPU:
/// <c>out[e] = Z[row_e] · W2t[gene_e] + b2[gene_e] + sum_f S[gene_e, f] F[e, f]</c>, the skip term optional.
/// Replaces <c>(Z W2 + b2).flatten().index_select(0, row * genes + gene)</c> plus
/// <c>(F * S.index_select(0, genes)).sum(1)</c>, against which the tests check it. Given target values <c>y</c>, it
/// returns the squared errors <c>(out[e] - y[e])²</c> instead, replacing the loss's <c>sub</c> and <c>square</c> too.
/// </summary>
/// <remarks>
/// The TorchSharp expression builds the dense rows x genes block and, in its backward pass, scatters into it and
/// multiplies it back; this function touches only the entries: forward one dot product of the hidden width per entry,
/// backward <c>dZ</c> as a sum over each row's entries and <c>dW2t</c>, <c>db2</c> as sums over each gene's entries
/// (<see cref="TargetIndex"/>), so no rows x genes array exists. docs/BENCHMARKS.md (section 2) has the measured gain.
/// </remarks>
internal sealed class TargetOutput : autograd.SingleTensorFunction<TargetOutput>
{
    /// <inheritdoc/>
    public override string Name => nameof(TargetOutput);

    /// <summary>The output without building an autograd node (for passes under <c>no_grad</c>).</summary>
    internal static Tensor Evaluate(TargetIndex index, Tensor z, Tensor w2t, Tensor b2, Tensor? skip, Tensor? features, Tensor? values)
    {
        var (result, zp, wp, residual) = Forward(index, z, w2t, b2, skip, features, values);
        HostKernels.Return(zp);
        HostKernels.Return(wp);
        if (residual is not null) HostKernels.Return(residual);
        return result;
    }

    /// <summary>
    /// vars: the <see cref="TargetIndex"/>, <c>Z</c> (rows x D), <c>W2t</c> (genes x D), <c>b2</c> (genes), the skip
    /// coefficients <c>S</c> (genes x F) and the entries' features <c>F</c> (entries x F) or two nulls, and the target
    /// values (entries) or null; float32 CPU.
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var index = (TargetIndex)vars[0];
        var z = (Tensor)vars[1];
        var w2t = (Tensor)vars[2];
        var skip = vars.Length > 4 ? (Tensor?)vars[4] : null;
        var features = vars.Length > 5 ? (Tensor?)vars[5] : null;
        var values = vars.Length > 6 ? (Tensor?)vars[6] : null;
        var (result, zp, wp, residual) = Forward(index, z, w2t, (Tensor)vars[3], skip, features, values);
        ctx.save_data("index", index);
        ctx.save_data("arity", vars.Length);
        // The padded copies of Z and W2t (and the residuals) go back to the pool in backward.
        ctx.save_data("z", zp);
        ctx.save_data("w", wp);
        if (residual is not null) ctx.save_data("residual", residual);
        ctx.save_data("shape", new[] { (int)z.shape[0], (int)z.shape[1], (int)w2t.shape[0], skip is null ? 0 : (int)skip.shape[1] });
        if (features is not null) ctx.save_for_backward(new List<Tensor> { features });
        return result;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var index = (TargetIndex)ctx.get_data("index");
        var zp = (float[])ctx.get_data("z");
        var wp = (float[])ctx.get_data("w");
        var shape = (int[])ctx.get_data("shape");
        int rows = shape[0], d = shape[1], genes = shape[2], f = shape[3], dp = HostKernels.Padded(d), n = index.Count;
        using var grad = gradOutput.contiguous();
        using var x = f > 0 ? ctx.get_saved_variables()[0].contiguous() : null;
        var gz = HostKernels.Rent((long)rows * dp);
        var gw = HostKernels.Rent((long)genes * dp);
        var byRow = HostKernels.Rent(n);
        var byGene = HostKernels.Rent(n);
        var gb = new float[genes];
        var gs = new float[(long)genes * f];
        // Rows and genes without entries get zero gradients; the others are written whole.
        Array.Clear(gz, index.RowCount * dp, (rows - index.RowCount) * dp);
        Array.Clear(gw, index.GeneCount * dp, (genes - index.GeneCount) * dp);
        var residual = ctx.get_data("residual") as float[];
        // Through the square: d/dout (out - y)² = 2 (out - y).
        var scaled = residual is null ? null : HostKernels.Rent(n);
        unsafe
        {
            fixed (float* gradAt = HostKernels.Floats(grad))
            {
                var gIn = (IntPtr)gradAt;
                if (scaled is not null)
                    HostKernels.For(n, 16384, (start, end) =>
                    {
                        float* gi = (float*)gIn;
                        for (int e = start; e < end; e++) scaled[e] = 2 * residual![e] * gi[e];
                    });
                // The output gradient in row order and in gene order, so both products read it sequentially.
                HostKernels.For(n, 16384, (start, end) =>
                {
                    fixed (float* sp = scaled)
                    fixed (int* rq = index.ByRow, gq = index.ByGene)
                    fixed (float* br = byRow, bg = byGene)
                    {
                        float* gi = sp is null ? (float*)gIn : sp;
                        for (int q = start; q < end; q++) { br[q] = gi[rq[q]]; bg[q] = gi[gq[q]]; }
                    }
                });
            }
        }
        var g = scaled is null ? HostKernels.Floats(grad) : scaled.AsSpan(0, n);
        if (residual is not null)
        {
            HostKernels.Return(residual);
            residual = scaled;
        }
        unsafe
        {
            fixed (float* gp = g, fp = x is null ? Span<float>.Empty : HostKernels.Floats(x))
            {
                var (gAt, fAt) = ((IntPtr)gp, (IntPtr)fp);
                // dZ[r] = sum over row r's entries of g_e W2t[gene_e].
                HostKernels.For(index.RowCount, 64, (start, end) =>
                {
                    fixed (int* ptr = index.RowStarts, col = index.GenesByRow)
                    fixed (float* val = byRow, w = wp, o = gz)
                        HostKernels.SparseRows(ptr, col, val, w, o, start, end, dp);
                });
                // dW2t[g], db2[g] = sums over gene g's entries of g_e Z[row_e], g_e.
                HostKernels.For(index.GeneCount, 16, (start, end) =>
                {
                    fixed (int* ptr = index.GeneStarts, col = index.RowsByGene)
                    fixed (float* val = byGene, zr = zp, o = gw, b = gb)
                    {
                        HostKernels.SparseRows(ptr, col, val, zr, o, start, end, dp);
                        for (int j = start; j < end; j++)
                        {
                            float sum = 0;
                            for (int q = ptr[j]; q < ptr[j + 1]; q++) sum += val[q];
                            b[j] = sum;
                        }
                    }
                });
                if (f > 0) SkipGradient(index, (float*)gAt, (float*)fAt, f, gs);
            }
        }
        var grads = new List<Tensor>
        {
            null!,
            HostKernels.Unpad(gz, rows, d, dp),
            HostKernels.Unpad(gw, genes, d, dp),
            tensor(gb),
        };
        int arity = (int)ctx.get_data("arity");
        if (arity > 4) grads.Add(f > 0 ? tensor(gs, genes, f) : null!);
        while (grads.Count < arity) grads.Add(null!);
        foreach (var buffer in new[] { zp, wp, gz, gw, byRow, byGene }) HostKernels.Return(buffer);
        if (residual is not null) HostKernels.Return(residual);
        return grads;
    }

    private static (Tensor Result, float[] Z, float[] W, float[]? Residual) Forward(TargetIndex index, Tensor z, Tensor w2t, Tensor b2,
        Tensor? skip, Tensor? features, Tensor? values)
    {
        int rows = (int)z.shape[0], d = (int)z.shape[1], genes = (int)w2t.shape[0];
        int f = skip is null ? 0 : (int)skip.shape[1];
        if (w2t.shape[1] != d || b2.numel() != genes)
            throw new ArgumentException($"Z is {rows} x {d}, W2t [{string.Join(", ", w2t.shape)}], b2 {b2.numel()}.");
        if (index.RowCount > rows || index.GeneCount > genes)
            throw new ArgumentException($"Entries reach row {index.RowCount - 1} and gene {index.GeneCount - 1}; Z has {rows} rows, W2t {genes}.");
        if (skip is not null && (features is null || skip.shape[0] != genes || features.shape[0] != index.Count || features.shape[1] != f))
            throw new ArgumentException("The skip coefficients need genes x F and features entries x F.");
        if (values is not null && values.numel() != index.Count)
            throw new ArgumentException($"{values.numel()} target values for {index.Count} entries.");

        int dp = HostKernels.Padded(d);
        var zp = HostKernels.RentPadded(z, dp);
        var wp = HostKernels.RentPadded(w2t, dp);
        var bias = HostKernels.ToArray(b2);
        var s = skip is null ? Array.Empty<float>() : HostKernels.ToArray(skip);
        using var x = features?.contiguous();
        using var y = values?.contiguous();
        var residual = values is null ? null : HostKernels.Rent(index.Count);
        var result = empty(index.Count, dtype: ScalarType.Float32);
        unsafe
        {
            fixed (float* fp = x is null ? Span<float>.Empty : HostKernels.Floats(x), op = HostKernels.Floats(result),
                   yp = y is null ? Span<float>.Empty : HostKernels.Floats(y))
            {
                var (fAt, oAt, yAt) = ((IntPtr)fp, (IntPtr)op, (IntPtr)yp);
                HostKernels.For(index.Count, 4096, (start, end) =>
                {
                    fixed (int* er = index.Rows, eg = index.Genes)
                    fixed (float* zr = zp, wr = wp, b = bias, sk = s, rr = residual)
                    {
                        float* fx = (float*)fAt, o = (float*)oAt, target = (float*)yAt;
                        for (int e = start; e < end; e++)
                        {
                            int g = eg[e];
                            float v = HostKernels.Dot(zr + (long)er[e] * dp, wr + (long)g * dp, dp) + b[g];
                            for (int k = 0; k < f; k++) v += sk[g * f + k] * fx[(long)e * f + k];
                            if (rr is null) o[e] = v;
                            else
                            {
                                float r = v - target[e];
                                rr[e] = r;
                                o[e] = r * r;
                            }
                        }
                    }
                });
            }
        }
        return (result, zp, wp, residual);
    }

    // dS[g, k] = sum over gene g's entries of g_e F[e, k], in entry order (F is read once, sequentially): each chunk
    // of entries sums into its own genes x F buffer, and the buffers are added in chunk order.
    private static unsafe void SkipGradient(TargetIndex index, float* g, float* features, int f, float[] result)
    {
        int n = index.Count, chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, n / 16384));
        var partial = new float[chunks][];
        var (gAt, fAt) = ((IntPtr)g, (IntPtr)features);
        Parallel.For(0, chunks, c =>
        {
            var acc = new float[result.Length];
            float* ge = (float*)gAt, fx = (float*)fAt;
            int[] genes = index.Genes;
            for (int e = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks); e < end; e++)
            {
                float v = ge[e];
                int at = genes[e] * f;
                for (int k = 0; k < f; k++) acc[at + k] += v * fx[(long)e * f + k];
            }
            partial[c] = acc;
        });
        for (int c = 0; c < chunks; c++)
            for (int i = 0; i < result.Length; i++) result[i] += partial[c][i];
    }
}

using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The skip connection's term at target entries, <c>out[e] = sum_f S[gene_e, f] F[e, f]</c>, as a TorchSharp custom
/// autograd function on the CPU (the gradient flows to the per-gene coefficients <c>S</c>, genes x features).
/// Replaces <c>(F * S.index_select(0, genes)).sum(1)</c>, whose backward (an <c>index_add</c> over every target) cost
/// more than the rest of a step on this project's CPU; the tests check the two against each other.
/// </summary>
internal sealed class SkipTerm : autograd.SingleTensorFunction<SkipTerm>
{
    /// <inheritdoc/>
    public override string Name => nameof(SkipTerm);

    /// <summary>The term at the entries: through this function on the CPU, through <c>index_select</c> elsewhere.</summary>
    internal static Tensor At(Tensor coefficients, Tensor features, Tensor genes, int[] hostGenes)
    {
        if (coefficients.device_type == TorchSharp.DeviceType.CPU)
            return apply(coefficients, features, hostGenes);
        return (features * coefficients.index_select(0, genes)).sum(1);
    }

    /// <summary>vars: coefficients (genes x F), features (entries x F), genes per entry (int[]).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var coefficients = ((Tensor)vars[0]).contiguous();
        var features = ((Tensor)vars[1]).contiguous();
        var genes = (int[])vars[2];
        int f = (int)coefficients.shape[1];
        var result = empty(genes.Length, dtype: ScalarType.Float32);
        var s = MemoryMarshal.Cast<byte, float>(coefficients.bytes).ToArray();
        var x = MemoryMarshal.Cast<byte, float>(features.bytes).ToArray();
        ctx.save_data("features", x);
        ctx.save_data("featureCount", f);
        ctx.save_data("genes", genes);
        ctx.save_data("geneCount", (int)coefficients.shape[0]);
        var o = new float[genes.Length];
        Parallel.For(0, Chunks(genes.Length), c =>
        {
            var (start, end) = Range(genes.Length, c);
            for (int e = start; e < end; e++)
            {
                float sum = 0;
                for (int k = 0; k < f; k++) sum += s[genes[e] * f + k] * x[e * f + k];
                o[e] = sum;
            }
        });
        o.AsSpan().CopyTo(MemoryMarshal.Cast<byte, float>(result.bytes));
        return result;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var x = (float[])ctx.get_data("features");
        int f = (int)ctx.get_data("featureCount");
        var genes = (int[])ctx.get_data("genes");
        int geneCount = (int)ctx.get_data("geneCount");
        var g = MemoryMarshal.Cast<byte, float>(gradOutput.contiguous().bytes).ToArray();
        int chunks = Chunks(genes.Length);
        var partial = new double[chunks][];
        Parallel.For(0, chunks, c =>
        {
            var acc = new double[geneCount * f];
            var (start, end) = Range(genes.Length, c);
            for (int e = start; e < end; e++)
                for (int k = 0; k < f; k++) acc[genes[e] * f + k] += (double)g[e] * x[e * f + k];
            partial[c] = acc;
        });
        var sum = new float[geneCount * f];
        for (int i = 0; i < sum.Length; i++)
        {
            double t = 0;
            for (int c = 0; c < chunks; c++) t += partial[c][i];
            sum[i] = (float)t;
        }
        return new List<Tensor> { tensor(sum, geneCount, f), null!, null! };
    }

    private static int Chunks(int n) => Math.Max(1, Math.Min(Environment.ProcessorCount, n / 4096));

    private static (int, int) Range(int n, int c)
    {
        int chunks = Chunks(n);
        return ((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks));
    }
}

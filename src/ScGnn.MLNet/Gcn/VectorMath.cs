using System.Numerics;
using System.Runtime.InteropServices;

namespace ScGnn.MLNet.Gcn;

/// <summary>SIMD helpers for the short (hidden-width) rows the training kernel works on.</summary>
internal static class VectorMath
{
    /// <summary>y += a x.</summary>
    internal static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(a);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < xv.Length; v++) yv[v] += va * xv[v];
            j = xv.Length * Vector<float>.Count;
        }
        for (; j < x.Length; j++) y[j] += a * x[j];
    }

    /// <summary>The dot product, accumulated in float as BLAS does for these short rows.</summary>
    internal static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float s = 0;
        int j = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<float>.Count)
        {
            var av = MemoryMarshal.Cast<float, Vector<float>>(a);
            var bv = MemoryMarshal.Cast<float, Vector<float>>(b);
            var acc = Vector<float>.Zero;
            for (int v = 0; v < av.Length; v++) acc += av[v] * bv[v];
            s = Vector.Sum(acc);
            j = av.Length * Vector<float>.Count;
        }
        for (; j < a.Length; j++) s += a[j] * b[j];
        return s;
    }
}

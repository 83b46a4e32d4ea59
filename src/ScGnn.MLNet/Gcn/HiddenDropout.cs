using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Dropout on the hidden layer (paper §2, pygcn's <c>F.dropout</c>): each value kept with probability <c>1 - rate</c>
/// and scaled by <c>1 / (1 - rate)</c>, as <c>functional.dropout</c>. On the CPU the mask is drawn by a counter-based
/// hash (SplitMix64 of the seed, the draw and the element), in parallel, and applied as a product with a constant
/// tensor, so autograd's backward is the same mask; elsewhere it is <c>functional.dropout</c>.
/// </summary>
/// <remarks>
/// torch's CPU dropout draws its Bernoulli mask one element at a time from one Mersenne Twister: at 100k cells x 10
/// hidden that took about 14 ms of a 200-300 ms epoch (docs/BENCHMARKS.md §2). The hash gives the same mask for the
/// same seed and draw whatever the number of threads.
/// </remarks>
internal sealed class HiddenDropout
{
    private readonly ulong _seed;
    private ulong _draws;

    internal HiddenDropout(int seed) => _seed = Mix((ulong)seed ^ 0xD1B54A32D192ED03UL);

    /// <summary><paramref name="h"/> with a fresh mask at <paramref name="rate"/> (0 to 1).</summary>
    internal Tensor Apply(Tensor h, double rate)
    {
        if (rate <= 0) return h;
        if (rate >= 1) return h * 0;
        if (!HostKernels.OnCpu(h)) return functional.dropout(h, rate, training: true);
        var mask = Mask(h.numel(), rate).reshape(h.shape);
        return h * mask;
    }

    /// <summary>The next mask of <paramref name="count"/> values, each 0 or <c>1 / (1 - rate)</c>.</summary>
    internal Tensor Mask(long count, double rate)
    {
        var mask = empty(count, dtype: ScalarType.Float32);
        if (count == 0) return mask;
        ulong key = Mix(_seed + Mix(++_draws));
        // Kept when the hash's high 32 bits reach rate x 2^32.
        ulong threshold = (ulong)Math.Round(rate * 4294967296.0);
        uint kept = BitConverter.SingleToUInt32Bits((float)(1 / (1 - rate)));
        var values = HostKernels.Floats(mask);
        unsafe
        {
            fixed (float* at = values)
            {
                var basePtr = (IntPtr)at;
                HostKernels.For(checked((int)count), 1 << 15, (start, end) =>
                {
                    uint* m = (uint*)basePtr;
                    // Branch-free (a random mask mispredicts half the time): the borrow of (hash - threshold) is the drop bit.
                    for (int i = start; i < end; i++) m[i] = kept & ((uint)(((Mix(key + (ulong)i) >> 32) - threshold) >> 63) - 1u);
                });
            }
        }
        return mask;
    }

    // SplitMix64's finalizer (Steele, Lea and Flood 2014).
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

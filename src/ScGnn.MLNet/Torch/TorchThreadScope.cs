using static TorchSharp.torch;

namespace ScGnn.MLNet.Torch;

/// <summary>
/// Runs the calling thread's torch CPU ops single-threaded until disposed, then restores the previous thread count.
/// </summary>
/// <remarks>
/// For work whose torch ops are small or made of many short parallel regions (a training step's rows x hidden ops,
/// LAPACK's eigensolver): torch's OpenMP workers spin between regions, and on a busy machine every region's barrier
/// waits a scheduler time slice for a descheduled worker, so such work ran many times slower than on one thread
/// (docs/BENCHMARKS.md section 2 has the measurements).
/// </remarks>
internal sealed class TorchThreadScope : IDisposable
{
    private readonly int _previous;

    private TorchThreadScope(int previous) => _previous = previous;

    /// <summary>A scope running torch on one thread, or null when it already does.</summary>
    internal static TorchThreadScope? SingleThreaded()
    {
        int threads = get_num_threads();
        if (threads <= 1) return null;
        set_num_threads(1);
        return new TorchThreadScope(threads);
    }

    /// <summary>Restores the thread count in force when the scope began.</summary>
    public void Dispose() => set_num_threads(_previous);
}

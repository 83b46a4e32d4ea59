using System.Runtime.InteropServices;

namespace ScGnn.MLNet.Torch;

/// <summary>
/// Returns the C heap's free memory to the operating system. LibTorch allocates its CPU tensors with the C allocator;
/// when every training step allocates tensors of a different size (mini-batches), glibc keeps the freed blocks in its
/// arenas, and the resident size grows far beyond what is live.
/// </summary>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>
    /// A full, compacting collection that hands the freed managed memory back to the system, then <see cref="Trim"/>:
    /// between large stages, where the workstation GC would otherwise keep the earlier stage's garbage committed.
    /// </summary>
    internal static void ReleaseGarbage()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Trim();
    }

    /// <summary>Calls glibc's <c>malloc_trim(0)</c>; a no-op off Linux or on a C library without it (musl).</summary>
    internal static void Trim()
    {
        if (_unavailable) return;
        try { malloc_trim(UIntPtr.Zero); }
        catch (EntryPointNotFoundException) { _unavailable = true; }
        catch (DllNotFoundException) { _unavailable = true; }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(UIntPtr pad);
}

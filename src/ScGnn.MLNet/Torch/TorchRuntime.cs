using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Torch;

/// <summary>
/// Loads TorchSharp's native backend once per process and picks the compute device.
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> declares a dependency on <c>GLIBCXX_3.4.32</c> (GCC 13's
/// libstdc++) for one symbol it never calls. On Debian 12 / Ubuntu 22.04 (GCC 12) the loader rejects it. When
/// that happens, the copy in the application's output folder (never the NuGet cache) is rewritten atomically
/// with that one version requirement marked weak, after which it loads and runs normally. Systems whose
/// libstdc++ already provides the version are left untouched. Every component of this library calls
/// <see cref="EnsureInitialized"/> before its first tensor operation; applications that use TorchSharp
/// directly should call it first too.
/// </remarks>
public static class TorchRuntime
{
    internal const string NativeLibraryFileName = "libLibTorchSharp.so";
    internal const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly object Gate = new();
    private static bool _initialized;
    private static string? _patchedPath;

    /// <summary>Path of the native library this process patched, or <c>null</c> when none was needed.</summary>
    public static string? PatchedLibraryPath
    {
        get { lock (Gate) return _patchedPath; }
    }

    /// <summary>
    /// Loads the TorchSharp native backend (patching the app-local Linux library when the system libstdc++
    /// requires it) and initializes the CPU device. Safe to call many times and from many threads.
    /// </summary>
    /// <exception cref="TorchRuntimeException">The backend could not be loaded; the message says why and what to do.</exception>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            if (OperatingSystem.IsLinux())
                _patchedPath = PrepareLinuxLibrary();
            try
            {
                InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not TorchRuntimeException)
            {
                throw new TorchRuntimeException(
                    "TorchSharp's native backend could not be loaded: " + e.Message + " " +
                    "Reference a backend package in the application (libtorch-cpu-linux-x64, TorchSharp-cpu or " +
                    "TorchSharp-cuda-linux, version " + typeof(torch).Assembly.GetName().Version + " family), " +
                    "and on Linux make sure the application's output folder is writable on first run.", e);
            }
            _initialized = true;
        }
    }

    /// <summary>True when a CUDA device is usable by TorchSharp in this process.</summary>
    public static bool IsCudaAvailable
    {
        get
        {
            EnsureInitialized();
            try { return cuda.is_available(); }
            catch (Exception) { return false; }
        }
    }

    /// <summary>
    /// The device used when an option asks for "auto": CUDA when a GPU and a CUDA backend are present, else CPU.
    /// </summary>
    public static Device DefaultDevice => IsCudaAvailable ? CUDA : CPU;

    /// <summary>Sets the seeds of TorchSharp's CPU (and CUDA, when present) generators.</summary>
    public static void ManualSeed(long seed)
    {
        EnsureInitialized();
        random.manual_seed(seed);
    }

    private static string? PrepareLinuxLibrary()
    {
        foreach (var path in CandidatePaths())
        {
            if (!File.Exists(path)) continue;
            if (TryLoad(path, out var error)) return null;
            if (error is null || !error.Contains(MissingVersion, StringComparison.Ordinal))
                return null; // another problem: let TorchSharp report it in its own words.
            PatchInPlace(path, error);
            if (!TryLoad(path, out var again))
                throw new TorchRuntimeException(
                    $"'{path}' still fails to load after marking {MissingVersion} weak: {again}. " +
                    "Install a libstdc++ from GCC 13 or newer, or run on a system that has one.");
            return path;
        }
        return null;
    }

    private static IEnumerable<string> CandidatePaths()
    {
        string baseDir = AppContext.BaseDirectory;
        yield return Path.Combine(baseDir, NativeLibraryFileName);
        yield return Path.Combine(baseDir, "runtimes", "linux-x64", "native", NativeLibraryFileName);
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string dirs)
        {
            foreach (var dir in dirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                if (IsUnder(dir, baseDir))
                    yield return Path.Combine(dir, NativeLibraryFileName);
        }
    }

    private static bool IsUnder(string dir, string root) =>
        Path.GetFullPath(dir).StartsWith(Path.GetFullPath(root), StringComparison.Ordinal);

    private static bool TryLoad(string path, out string? error)
    {
        try
        {
            NativeLibrary.Load(path);
            error = null;
            return true;
        }
        catch (DllNotFoundException e)
        {
            error = e.Message;
            return false;
        }
    }

    internal static void PatchInPlace(string path, string loadError)
    {
        byte[] image = File.ReadAllBytes(path);
        var result = ElfVersionPatcher.MakeVersionWeak(image, MissingVersion);
        if (result != ElfVersionPatcher.PatchResult.Patched)
            throw new TorchRuntimeException(
                $"'{path}' fails to load ({loadError}) but has no {MissingVersion} requirement that could be made weak. " +
                "Install a libstdc++ from GCC 13 or newer.");
        string temp = path + ".scgnn-" + Environment.ProcessId + ".tmp";
        try
        {
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true); // atomic rename: a concurrent loader sees old or new, never half.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new TorchRuntimeException(
                $"'{path}' needs {MissingVersion}, which this system's libstdc++ lacks, and the app-local copy could not " +
                $"be patched ({e.Message}). Make the application folder writable for one run, or install a libstdc++ " +
                "from GCC 13 or newer.", e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

using ScGnn.MLNet.Torch;

namespace ScGnn.MLNet.Tests.Torch;

public sealed class ElfVersionPatcherTests
{
    private static string? OriginalLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFileName);
        return File.Exists(path) ? path : null;
    }

    [Fact]
    public void Marks_the_GLIBCXX_3_4_32_requirement_weak_and_nothing_else()
    {
        var path = OriginalLibrary();
        if (path is null) return; // non-Linux restore: the Linux library is not in the cache.
        byte[] original = File.ReadAllBytes(path);
        byte[] image = (byte[])original.Clone();

        Assert.Equal(ElfVersionPatcher.PatchResult.Patched, ElfVersionPatcher.MakeVersionWeak(image, TorchRuntime.MissingVersion));
        int changed = Enumerable.Range(0, image.Length).Count(i => image[i] != original[i]);
        Assert.Equal(1, changed); // one flags byte
        Assert.Equal(ElfVersionPatcher.PatchResult.AlreadyWeak, ElfVersionPatcher.MakeVersionWeak(image, TorchRuntime.MissingVersion));
        Assert.Equal(ElfVersionPatcher.PatchResult.NotRequired, ElfVersionPatcher.MakeVersionWeak(image, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Rejects_a_file_that_is_not_ELF()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MakeVersionWeak(new byte[100], TorchRuntime.MissingVersion));
        Assert.Contains("not an ELF", ex.Message);
    }

    [Fact]
    public void The_app_local_copy_loads_after_initialization()
    {
        ScGnn.MLNet.Torch.TorchRuntime.EnsureInitialized();
        var local = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFileName);
        if (!File.Exists(local)) return;
        var image = File.ReadAllBytes(local);
        // Either this system's libstdc++ has the version (untouched copy), or the copy now carries the weak flag.
        var result = ElfVersionPatcher.MakeVersionWeak(image, TorchRuntime.MissingVersion);
        bool systemHasVersion = File.Exists("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")
            && System.Text.Encoding.ASCII.GetString(File.ReadAllBytes("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")).Contains(TorchRuntime.MissingVersion);
        Assert.Equal(systemHasVersion ? ElfVersionPatcher.PatchResult.Patched : ElfVersionPatcher.PatchResult.AlreadyWeak, result);
    }
}

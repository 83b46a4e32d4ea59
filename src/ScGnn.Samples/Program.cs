using ScGnn.MLNet.Torch;
using static TorchSharp.torch;
TorchRuntime.EnsureInitialized();
using var a = ones(3, 3);
using var b = a.matmul(a);
Console.WriteLine(b.sum().item<float>());
Console.WriteLine("patched: " + TorchRuntime.PatchedLibraryPath);

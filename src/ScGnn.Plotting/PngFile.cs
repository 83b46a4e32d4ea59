using ScGnn.MLNet.Data;
using SkiaSharp;

namespace ScGnn.Plotting;

/// <summary>Atomic PNG writing: the image goes to a temporary file in the target folder, then replaces the target.</summary>
internal static class PngFile
{
    internal const int MinSize = 64;
    internal const int MaxSize = 16_384;

    internal static string CheckTarget(string path, int width, int height)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (width < MinSize || width > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"Width must be between {MinSize} and {MaxSize} pixels.");
        if (height < MinSize || height > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"Height must be between {MinSize} and {MaxSize} pixels.");
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new ArgumentException($"'{full}' is a folder; give a file name ending in .png.", nameof(path));
        return full;
    }

    /// <summary>Encodes the surface and moves it into place; the target is never left half-written.</summary>
    internal static void Write(SKSurface surface, string fullPath) => AtomicOutput.WriteFile(fullPath, stream =>
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(stream);
    });

    internal static SKSurface CreateSurface(int width, int height)
        => SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
           ?? throw new InvalidOperationException($"Could not create a {width} x {height} drawing surface.");
}

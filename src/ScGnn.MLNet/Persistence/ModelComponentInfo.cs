using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// Identity and format version of one saveable component: the ML.NET <see cref="VersionInfo"/> plus the
/// user-facing name that load errors show. One static instance per transformer type.
/// </summary>
internal sealed class ModelComponentInfo
{
    /// <summary>Creates the descriptor and checks ML.NET's limits on the signatures.</summary>
    /// <param name="displayName">User-facing name used in error messages (for example "variable-gene selection").</param>
    /// <param name="modelSignature">Exactly 8 characters (ASCII), identifying the binary format.</param>
    /// <param name="loaderSignature">At most 24 ASCII characters; unique across every assembly ML.NET loads.</param>
    /// <param name="versionWritten">Format version this build writes.</param>
    /// <param name="versionReadable">Oldest reader version that can read what this build writes.</param>
    /// <param name="versionWeCanReadBack">Oldest written version this build still reads.</param>
    /// <param name="componentType">Type whose assembly's simple name is stored as the loader assembly.</param>
    internal ModelComponentInfo(string displayName, string modelSignature, string loaderSignature,
        uint versionWritten, uint versionReadable, uint versionWeCanReadBack, Type componentType)
    {
        if (modelSignature.Length != 8 || modelSignature.Any(c => c > 0x7F))
            throw new ArgumentException($"Model signature '{modelSignature}' must be exactly 8 ASCII characters.", nameof(modelSignature));
        if (loaderSignature.Length is 0 or > 24 || loaderSignature.Any(c => c is <= ' ' or > '~'))
            throw new ArgumentException($"Loader signature '{loaderSignature}' must be 1 to 24 printable ASCII characters.", nameof(loaderSignature));
        if (versionReadable > versionWritten || versionWeCanReadBack > versionWritten)
            throw new ArgumentException($"Inconsistent versions for '{loaderSignature}'.", nameof(versionReadable));
        DisplayName = displayName;
        LoaderSignature = loaderSignature;
        // The simple name: a full name would pin our assembly version, so a model saved by a newer build
        // would fail to load in an older one before our own version check could explain why.
        LoaderAssemblyName = componentType.Assembly.GetName().Name!;
        VersionInfo = new VersionInfo(modelSignature, versionWritten, versionReadable, versionWeCanReadBack,
            LoaderAssemblyName, loaderSignature);
        if (!Registry.TryAdd(loaderSignature, this))
            throw new InvalidOperationException($"Two ScGnn.MLNet components use the loader signature '{loaderSignature}'.");
    }

    private static readonly ConcurrentDictionary<string, ModelComponentInfo> Registry = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> AllRegistered = new(() =>
    {
        // Each saveable type creates its descriptor in a static field; run those initializers.
        foreach (var attribute in typeof(ModelComponentInfo).Assembly.GetCustomAttributes<LoadableClassAttribute>())
            RuntimeHelpers.RunClassConstructor(attribute.InstanceType.TypeHandle);
        return true;
    });

    /// <summary>The descriptor of this library's component with the given loader signature, if any.</summary>
    internal static ModelComponentInfo? Find(string loaderSignature)
    {
        _ = AllRegistered.Value;
        return Registry.TryGetValue(loaderSignature, out var info) ? info : null;
    }

    /// <summary>User-facing name used in error messages.</summary>
    internal string DisplayName { get; }

    /// <summary>ML.NET loader signature (the key <c>LoadableClass</c> registers).</summary>
    internal string LoaderSignature { get; }

    /// <summary>Simple name of the assembly ML.NET loads to find the loader.</summary>
    internal string LoaderAssemblyName { get; }

    /// <summary>The ML.NET version record written into the model header.</summary>
    internal VersionInfo VersionInfo { get; }

    /// <summary>This library's version, for messages.</summary>
    internal static string LibraryVersion { get; } = GetLibraryVersion();

    private static string GetLibraryVersion()
    {
        var asm = typeof(ModelComponentInfo).Assembly;
        string? v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? asm.GetName().Version?.ToString();
        if (v is null) return "(unknown version)";
        int plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? v[..plus] : v;
    }
}

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// A saved ML.NET model holds a ScGnn.MLNet component that this build cannot load: the component's data is
/// corrupt or tampered with (checksum mismatch, impossible sizes, truncated data), or it was written in a
/// format version this build does not read (saved by a newer ScGnn.MLNet, or an unsupported older one).
/// </summary>
/// <remarks>
/// <c>MLContext.Model.Load</c> calls component loaders by reflection, so this exception reaches the caller
/// wrapped (in a <see cref="System.Reflection.TargetInvocationException"/>, possibly inside ML.NET's own
/// exceptions). It is thrown without an inner exception, so <see cref="Exception.GetBaseException"/> on what
/// <c>Load</c> threw returns it.
/// </remarks>
public sealed class ScGnnModelFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="component">User-facing name of the component that failed to load.</param>
    /// <param name="loaderSignature">ML.NET loader signature of the component.</param>
    /// <param name="message">The full message (it names the component and the problem).</param>
    /// <param name="modelVersion">Format version stored in the model, when known.</param>
    /// <param name="supportedVersion">Newest format version this build reads, when relevant.</param>
    public ScGnnModelFormatException(string component, string loaderSignature, string message,
        uint? modelVersion = null, uint? supportedVersion = null)
        : base(message)
    {
        Component = component;
        LoaderSignature = loaderSignature;
        ModelVersion = modelVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>User-facing name of the component that failed to load (for example "variable-gene selection").</summary>
    public string Component { get; }

    /// <summary>ML.NET loader signature of the component, as stored in the model.</summary>
    public string LoaderSignature { get; }

    /// <summary>Format version stored in the model, when the failure is about versions.</summary>
    public uint? ModelVersion { get; }

    /// <summary>Newest format version this build reads, when the failure is about versions.</summary>
    public uint? SupportedVersion { get; }
}

namespace ScGnn.MLNet.Torch;

/// <summary>TorchSharp's native backend could not be loaded; the message says why and what to do.</summary>
public sealed class TorchRuntimeException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public TorchRuntimeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public TorchRuntimeException(string message, Exception inner) : base(message, inner) { }
}

namespace ScGnn.MLNet.Fuzz;

/// <summary>Two entry points (or an entry point and an oracle) disagree about one input.</summary>
internal sealed class FuzzMismatchException(string message, Exception? inner = null) : Exception(message, inner);

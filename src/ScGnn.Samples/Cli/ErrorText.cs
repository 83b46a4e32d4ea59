using System.Text.RegularExpressions;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Persistence;

namespace ScGnn.Samples.Cli;

/// <summary>Turns any exception into the one line printed after "error: " (never a stack trace).</summary>
internal static partial class ErrorText
{
    public static string For(Exception e)
    {
        // ML.NET wraps errors raised while a data view is read ("Splitter/consolidator worker encountered
        // exception..."); the innermost exception is ours and says what is wrong.
        var root = e is UsageException or CommandFailedException or ExpressionFormatException or ScGnnModelFormatException or ScGnn.MLNet.Torch.TorchRuntimeException
            ? e
            : Unwrap(e);
        string message = root switch
        {
            OperationCanceledException => "interrupted.",
            OutOfMemoryException => "out of memory; try a smaller input or fewer genes.",
            ArgumentException a when a.ParamName is not null => a.Message.Replace($" (Parameter '{a.ParamName}')", ""),
            UsageException or CommandFailedException or ExpressionFormatException or ScGnnModelFormatException or ScGnn.MLNet.Torch.TorchRuntimeException
                or IOException or UnauthorizedAccessException or ArgumentException or FormatException
                or InvalidOperationException or NotSupportedException => root.Message,
            _ => root.GetType().Name + ": " + root.Message,
        };
        return OneLine(message);
    }

    public static string OneLine(string text)
    {
        var line = Whitespace().Replace(text, " ").Trim();
        if (line.Length > 2000) line = line[..2000] + "…";
        return line.Length == 0 ? "unknown failure." : line;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            if (e is AggregateException { InnerExceptions.Count: 1 } agg) { e = agg.InnerExceptions[0]; continue; }
            if (e.InnerException is { } inner && (e is System.Reflection.TargetInvocationException || IsWrapper(e))) { e = inner; continue; }
            return e;
        }
    }

    // ML.NET's cursor wrappers carry a generic message and the real error as the inner exception.
    private static bool IsWrapper(Exception e) =>
        e.InnerException is not null && (e.Message.Contains("encountered exception", StringComparison.Ordinal)
            || e.Message.Contains("Error during class instantiation", StringComparison.Ordinal)
            || e.GetType() == typeof(InvalidOperationException) && e.InnerException is not null);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

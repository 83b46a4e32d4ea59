using System.Runtime.ExceptionServices;

namespace ScGnn.MLNet.Numerics;

/// <summary>Cancellation checks (ML.NET's <c>IHost.CheckAlive</c>) inside parallel loops.</summary>
internal static class Cancellation
{
    /// <summary>
    /// Runs <paramref name="body"/>; a cancellation thrown inside one of its parallel loops comes out as the
    /// <see cref="OperationCanceledException"/> it was, not wrapped in the loop's <see cref="AggregateException"/>,
    /// so callers catch a cancelled fit as they would a serial one.
    /// </summary>
    internal static void Unwrapped(Action body)
    {
        try { body(); }
        catch (AggregateException e)
        {
            var cancelled = e.Flatten().InnerExceptions.OfType<OperationCanceledException>().FirstOrDefault();
            if (cancelled is null) throw;
            ExceptionDispatchInfo.Throw(cancelled);
        }
    }
}

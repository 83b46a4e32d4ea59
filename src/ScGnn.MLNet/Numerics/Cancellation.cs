using System.Runtime.ExceptionServices;

namespace ScGnn.MLNet.Numerics;

/// <summary>Cancellation checks (ML.NET's <c>IHost.CheckAlive</c>) and errors inside parallel loops.</summary>
internal static class Cancellation
{
    /// <summary>
    /// Runs <paramref name="body"/>; what one of its parallel loops throws comes out as it was thrown, not wrapped in
    /// the loop's <see cref="AggregateException"/>: a cancellation as its <see cref="OperationCanceledException"/>
    /// (callers catch a cancelled fit as they would a serial one), and errors of one type (a full disk in every worker)
    /// as the first of them. Mixed errors stay aggregated.
    /// </summary>
    internal static void Unwrapped(Action body)
    {
        try { body(); }
        catch (AggregateException e)
        {
            var inner = e.Flatten().InnerExceptions;
            var cancelled = inner.OfType<OperationCanceledException>().FirstOrDefault();
            if (cancelled is not null) ExceptionDispatchInfo.Throw(cancelled);
            if (inner.Count > 0 && inner.All(x => x.GetType() == inner[0].GetType())) ExceptionDispatchInfo.Throw(inner[0]);
            throw;
        }
    }
}

namespace ScGnn.MLNet.Tests.Fuzz;

/// <summary>
/// Fuzz campaigns measure allocation process-wide (<see cref="GC.GetTotalAllocatedBytes(bool)"/>), so they run
/// alone, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
    /// <summary>The collection name to put on fuzz test classes.</summary>
    public const string Name = "Fuzz";
}

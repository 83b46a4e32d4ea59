namespace ScGnn.MLNet.Tests;

/// <summary>Every test that touches TorchSharp runs in this collection, one at a time (native state is process-wide).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    /// <summary>The collection name to put on torch test classes.</summary>
    public const string Name = "Torch";
}

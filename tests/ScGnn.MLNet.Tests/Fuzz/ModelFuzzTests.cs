using ScGnn.MLNet.Fuzz;

namespace ScGnn.MLNet.Tests.Fuzz;

[Collection(FuzzCollection.Name)]
public sealed class ModelFuzzTests
{
    [Fact]
    public void Validator_rejects_with_a_named_error_or_passes_a_model_that_loads()
    {
        var report = FuzzSlice.Run(new ModelFuzzTarget(), 80);
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 20, 80);
    }
}

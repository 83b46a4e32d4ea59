using ScGnn.MLNet.Fuzz;

namespace ScGnn.MLNet.Tests.Fuzz;

[Collection(FuzzCollection.Name)]
public sealed class TrainerInputFuzzTests
{
    [Fact]
    public void Fit_refuses_every_bad_value_naming_its_cell_and_gene()
    {
        var report = FuzzSlice.Run(new TrainerInputFuzzTarget(), 80);
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 20, 79);
        Assert.True(report.Counts[FuzzOutcome.Accepted] > 0);
    }
}

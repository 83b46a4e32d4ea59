using ScGnn.MLNet.Fuzz;

namespace ScGnn.MLNet.Tests.Fuzz;

[Collection(FuzzCollection.Name)]
public sealed class ReaderFuzzTests
{
    [Fact]
    public void TenX_reader_rejects_every_mutation_with_a_named_error_within_budget()
    {
        var report = FuzzSlice.Run(ReaderFuzzTarget.TenX(), 120);
        // The mutations must reach both sides: some still parse, many do not.
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 30, 119);
        Assert.True(report.Counts[FuzzOutcome.Accepted] > 0);
    }

    [Theory]
    [InlineData(',')]
    [InlineData('\t')]
    public void Csv_and_tsv_readers_reject_every_mutation_with_a_named_error_within_budget(char separator)
    {
        var report = FuzzSlice.Run(ReaderFuzzTarget.Text(separator), 60);
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 15, 59);
    }

    [Fact]
    public void Label_reader_rejects_every_mutation_with_a_named_error_within_budget()
    {
        var report = FuzzSlice.Run(ReaderFuzzTarget.Labels(), 60);
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 10, 59);
    }

    [Fact]
    public void Parquet_reader_rejects_every_mutation_with_a_named_error_within_budget()
    {
        var report = FuzzSlice.Run(ReaderFuzzTarget.Parquet(), 150);
        Assert.InRange(report.Counts[FuzzOutcome.Rejected], 50, 150);
    }
}

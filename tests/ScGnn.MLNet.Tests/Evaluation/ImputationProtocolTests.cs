using Microsoft.ML;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Simulation;

namespace ScGnn.MLNet.Tests.Evaluation;

[Collection(TorchCollection.Name)]
public sealed class ImputationProtocolTests
{
    private static IDataView Counts() =>
        ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 120, GeneCount = 150, Seed = 3 }).Observed.ToDataView();

    private static ScGnnOptions Quick(ScGnnOptions o)
    {
        o.Epochs = 60;
        o.BottleneckRatio = 8;
        o.PrincipalComponentCount = 10;
        o.Device = ScGnnDevice.Cpu;
        return o;
    }

    [Fact]
    public void Paper_protocol_scores_test_cells_only_and_summarizes_folds()
    {
        var ml = new MLContext(1);
        var options = ImputationProtocolOptions.Paper();
        options.Folds = 2;
        Quick(options.Model);
        var seen = new List<int>();
        options.FoldCompleted = f => seen.Add(f.Seed);
        var r = ImputationProtocol.Run(ml, Counts(), options);

        Assert.Equal(new[] { 1, 2 }, seen);
        Assert.Equal(120, r.Cells);
        Assert.InRange(r.Genes, 20, 150);
        Assert.InRange(r.MaskRate, 0.01, 0.3);
        foreach (var f in r.Folds)
        {
            Assert.NotNull(f.Seen);
            // 6 of 120 cells are test cells: their masked entries are a small share of all masked entries.
            Assert.InRange(f.Unseen.Count, 1, f.Seen!.Count / 5);
            Assert.True(f.Unseen.PearsonR > 0.2, $"r = {f.Unseen.PearsonR}");
        }
        Assert.Equal(r.Folds.Average(f => f.Unseen.Mse), r.Unseen.Mse.Mean, 6);
        Assert.Equal(2, r.Unseen.RunCount);
    }

    [Fact]
    public void Default_protocol_scores_every_masked_entry_and_is_reproducible()
    {
        var ml = new MLContext(1);
        ImputationProtocolResult Run()
        {
            var o = new ImputationProtocolOptions { Folds = 1, FirstSeed = 4, UseMaskAsTargets = false };
            Quick(o.Model);
            return ImputationProtocol.Run(ml, Counts(), o);
        }
        var a = Run();
        var b = Run();
        var f = Assert.Single(a.Folds);
        Assert.Null(f.Seen);
        Assert.True(f.Unseen.Count > 100);
        Assert.Equal(f.Unseen.Mse, b.Folds[0].Unseen.Mse);
        Assert.Equal(f.Unseen.PearsonR, b.Folds[0].Unseen.PearsonR);
    }

    [Fact]
    public void Invalid_protocol_options_are_rejected()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImputationProtocol.Run(ml, Counts(), new ImputationProtocolOptions { Folds = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImputationProtocol.Run(ml, Counts(), new ImputationProtocolOptions { MaskRate = 1.5 }));
    }
}

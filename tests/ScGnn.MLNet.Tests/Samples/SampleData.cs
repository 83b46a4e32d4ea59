using ScGnn.MLNet.Data;
using ScGnn.MLNet.Simulation;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>Small simulated datasets written to files for the app tests.</summary>
internal static class SampleData
{
    /// <summary>120 cells x 150 genes in 3 groups (seeded), small enough that a few epochs take well under a second.</summary>
    public static SimulatedExpression Simulate(int seed = 3) =>
        ExpressionSimulator.Simulate(new SimulationOptions { CellCount = 120, GeneCount = 150, GroupCount = 3, Seed = seed });

    /// <summary>Writes the observed counts as <paramref name="name"/> (format by extension) and the groups as labels.tsv.</summary>
    public static string Write(string folder, string name, out string labelsPath, int seed = 3)
    {
        var sim = Simulate(seed);
        var path = Path.Combine(folder, name);
        ExpressionFile.Write(sim.Observed, path);
        labelsPath = Path.Combine(folder, "labels.tsv");
        File.WriteAllLines(labelsPath, new[] { "cell\tlabel" }.Concat(sim.Observed.CellIds.Zip(sim.Groups, (c, g) => c + "\t" + g)));
        return path;
    }
}

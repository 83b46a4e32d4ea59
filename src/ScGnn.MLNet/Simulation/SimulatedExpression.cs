using Microsoft.ML;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Simulation;

/// <summary>
/// Result of <see cref="ExpressionSimulator.Simulate(SimulationOptions)"/>: observed counts (after dropout), the
/// true counts before dropout (ground truth for imputation), each cell's group, and the parameters drawn on the
/// way (Splatter's <c>rowData</c>/<c>colData</c>).
/// </summary>
public sealed class SimulatedExpression
{
    internal SimulatedExpression(ExpressionMatrix observed, ExpressionMatrix trueCounts, string[] groups, string[] groupNames,
        double[] geneMeans, double[][] deFactors, double[] librarySizes, SimulationOptions options)
    {
        Observed = observed;
        TrueCounts = trueCounts;
        Groups = groups;
        GroupNames = groupNames;
        GeneMeans = geneMeans;
        DEFactors = deFactors;
        LibrarySizes = librarySizes;
        Options = options;
    }

    /// <summary>Counts after dropout (Splatter <c>counts</c>): cells <c>Cell1..</c> x genes <c>Gene1..</c>.</summary>
    public ExpressionMatrix Observed { get; }

    /// <summary>Counts before dropout (Splatter <c>TrueCounts</c>); every observed count equals its true count or is 0.</summary>
    public ExpressionMatrix TrueCounts { get; }

    /// <summary>Group label of each cell (<c>Group1..</c>), in cell order.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>Group labels, <c>Group1..GroupK</c>.</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>Base mean of each gene (gamma draw, outliers applied) before DE and library scaling (Splatter <c>BaseGeneMean</c>).</summary>
    public IReadOnlyList<double> GeneMeans { get; }

    /// <summary>DE fold change per group and gene, <c>DEFactors[group][gene]</c>; 1 for genes not differentially expressed (Splatter <c>DEFacGroupK</c>).</summary>
    public IReadOnlyList<IReadOnlyList<double>> DEFactors { get; }

    /// <summary>Library size drawn for each cell (Splatter <c>ExpLibSize</c>).</summary>
    public IReadOnlyList<double> LibrarySizes { get; }

    /// <summary>The options used (a copy of the caller's values).</summary>
    public SimulationOptions Options { get; }

    /// <summary>The group labels as <see cref="CellLabels"/> keyed by cell id.</summary>
    public CellLabels Labels => new(Observed.CellIds, Groups.ToArray());

    /// <summary>
    /// The observed (or, with <paramref name="trueCounts"/>, the true) counts as an <see cref="IDataView"/>:
    /// <c>CellId</c>, <c>Expression</c> (sparse vector, gene ids as slot names) and the group as <c>CellType</c>.
    /// </summary>
    public IDataView ToDataView(bool trueCounts = false) =>
        Labels.JoinTo((trueCounts ? TrueCounts : Observed).ToDataView());
}

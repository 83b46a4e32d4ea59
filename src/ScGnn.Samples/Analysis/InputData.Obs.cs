using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

internal sealed partial record InputData
{
    /// <summary>The prefix of <c>--labels obs:NAME</c>: cell types from an <c>.h5ad</c> input's own <c>obs</c> column.</summary>
    public const string ObsPrefix = "obs:";

    /// <summary>Whether a <c>--labels</c> value names an <c>obs</c> column rather than a TSV file.</summary>
    public static bool IsObsLabels(string? labels) => labels is not null && labels.StartsWith(ObsPrefix, StringComparison.Ordinal);

    /// <summary>One label per cell from the input's <c>obs</c> column (categories as text), every cell labelled.</summary>
    public static string[] ObsLabels(ExpressionMatrix matrix, string path, string labels)
    {
        var name = labels[ObsPrefix.Length..];
        if (matrix.CellAnnotations is not { } obs)
            throw new CommandFailedException($"--labels {labels}: {path} has no obs columns; 'obs:' labels need an .h5ad input (or give a labels TSV).");
        if (!obs.TryGetColumn(name, out var column))
            throw new CommandFailedException($"--labels {labels}: {path} has no obs column '{name}'; its columns: " +
                (obs.Columns.Count == 0 ? "(none)" : string.Join(", ", obs.Columns.Select(c => c.Name))) + ".");
        var values = column.ToText();
        var missing = Enumerable.Range(0, values.Length).Where(i => values[i].Length == 0).ToList();
        if (missing.Count > 0)
            throw new CommandFailedException($"--labels {labels}: {missing.Count} of {values.Length} cells have no value in obs '{name}' " +
                $"(first: '{matrix.CellIds[missing[0]]}'); every cell needs a label.");
        return values;
    }
}

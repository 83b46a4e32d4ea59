namespace ScGnn.MLNet.Data;

/// <summary>How cell-type labels are joined onto cells by cell id (<see cref="CellLabels"/>).</summary>
public sealed class CellLabelJoinOptions
{
    /// <summary>Default values of <see cref="CellLabelJoinOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Every cell must have a label.</summary>
        public const bool AllowUnlabeledCells = false;

        /// <summary>Every label must name a cell of the data.</summary>
        public const bool AllowExtraLabels = false;
    }

    /// <summary>The text column holding the cell id in the data (default <see cref="ScGnnDefaults.CellIdColumnName"/>).</summary>
    public string CellIdColumnName { get; set; } = ScGnnDefaults.CellIdColumnName;

    /// <summary>The text column added for the label (default <see cref="ScGnnDefaults.CellTypeColumnName"/>).</summary>
    public string LabelColumnName { get; set; } = ScGnnDefaults.CellTypeColumnName;

    /// <summary>When true, cells without a label get an empty label; when false (default), they are an error that lists them.</summary>
    public bool AllowUnlabeledCells { get; set; } = Defaults.AllowUnlabeledCells;

    /// <summary>
    /// When true, labels for cells that are not in the data are ignored (for example after cell filtering); when
    /// false (default), they are an error that lists them.
    /// </summary>
    public bool AllowExtraLabels { get; set; } = Defaults.AllowExtraLabels;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(CellIdColumnName))
            throw new ArgumentException("CellIdColumnName must not be empty.", nameof(CellIdColumnName));
        if (string.IsNullOrWhiteSpace(LabelColumnName))
            throw new ArgumentException("LabelColumnName must not be empty.", nameof(LabelColumnName));
    }
}

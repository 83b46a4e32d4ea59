namespace ScGnn.MLNet.Data;

/// <summary>
/// Column names used when a reader's result is exposed as an <see cref="Microsoft.ML.IDataView"/>, or when a writer
/// takes its input from one (the <see cref="ExpressionDataCatalog"/> methods). The static readers and writers that
/// work on <see cref="ExpressionMatrix"/> ignore them.
/// </summary>
public abstract class ExpressionDataOptions
{
    /// <summary>The vector column of gene values (default <see cref="ScGnnDefaults.ExpressionColumnName"/>).</summary>
    public string ExpressionColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

    /// <summary>The text column of cell ids (default <see cref="ScGnnDefaults.CellIdColumnName"/>).</summary>
    public string CellIdColumnName { get; set; } = ScGnnDefaults.CellIdColumnName;

    /// <summary>Throws when a column name is empty or the two names are equal.</summary>
    protected internal virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(ExpressionColumnName))
            throw new ArgumentException("ExpressionColumnName must not be empty.", nameof(ExpressionColumnName));
        if (string.IsNullOrWhiteSpace(CellIdColumnName))
            throw new ArgumentException("CellIdColumnName must not be empty.", nameof(CellIdColumnName));
        if (ExpressionColumnName == CellIdColumnName)
            throw new ArgumentException($"ExpressionColumnName and CellIdColumnName are both '{CellIdColumnName}'.", nameof(CellIdColumnName));
    }
}

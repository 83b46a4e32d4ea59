namespace ScGnn.MLNet;

/// <summary>
/// Source of truth for the library's column names. Method defaults live on each component's
/// <c>Defaults</c> class (for example <c>ScGnnTrainer.Defaults</c>).
/// </summary>
public static class ScGnnDefaults
{
    /// <summary>Name of the vector column holding one cell's gene counts (genes are slots, gene ids are <c>SlotNames</c>).</summary>
    public const string ExpressionColumnName = "Expression";

    /// <summary>Name of the text column holding the cell id (10x barcode).</summary>
    public const string CellIdColumnName = "CellId";

    /// <summary>Name of the text column holding a cell-type label, when known.</summary>
    public const string CellTypeColumnName = "CellType";
}

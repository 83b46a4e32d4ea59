namespace ScGnn.MLNet.Data;

/// <summary>Options for reading and writing expression Parquet files (<see cref="ExpressionParquetReader"/>, <see cref="ExpressionParquetWriter"/>).</summary>
public sealed class ExpressionParquetOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="ExpressionParquetOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Wide layout: one float column per gene, as pandas/scanpy users expect.</summary>
        public const ExpressionParquetLayout Layout = ExpressionParquetLayout.Wide;

        /// <summary>Negative values are rejected when reading: expression values are non-negative.</summary>
        public const bool AllowNegativeValues = false;

        /// <summary>Cells per Parquet row group in the wide layout (one gene column of this length is held at a time).</summary>
        public const int WideRowGroupSize = 1 << 20;

        /// <summary>
        /// Entries per Parquet row group in the long layout. Smaller than for wide: Parquet.Net materialises a row
        /// group's strings when reading (about 100 bytes per entry).
        /// </summary>
        public const int LongRowGroupSize = 1 << 18;
    }

    /// <summary>Layout written (default <see cref="ExpressionParquetLayout.Wide"/>); reading detects the layout by itself.</summary>
    public ExpressionParquetLayout Layout { get; set; } = Defaults.Layout;

    /// <summary>When false (default), a negative value read is an error naming the file, row and column.</summary>
    public bool AllowNegativeValues { get; set; } = Defaults.AllowNegativeValues;

    /// <summary>
    /// Rows per row group when writing (cells for wide, non-zero entries for long); <c>null</c> (default) means
    /// <see cref="Defaults.WideRowGroupSize"/> or <see cref="Defaults.LongRowGroupSize"/>.
    /// </summary>
    public int? RowGroupSize { get; set; }

    internal int EffectiveRowGroupSize =>
        RowGroupSize ?? (Layout == ExpressionParquetLayout.Wide ? Defaults.WideRowGroupSize : Defaults.LongRowGroupSize);

    /// <inheritdoc/>
    protected internal override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Layout))
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown Parquet layout.");
        if (RowGroupSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(RowGroupSize), RowGroupSize, "RowGroupSize must be at least 1.");
    }
}

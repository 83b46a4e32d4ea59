namespace ScGnn.MLNet.Data;

/// <summary>How an expression matrix is laid out in a Parquet file.</summary>
public enum ExpressionParquetLayout
{
    /// <summary>
    /// One row per cell: a string <c>cell</c> column, then one non-nullable float column per gene, named by gene id
    /// (what <c>pd.read_parquet(path).set_index("cell")</c> expects). Dense: every zero is stored, though
    /// compressed away; Parquet.Net needs about 2 s per 10,000 gene columns to write or read.
    /// </summary>
    Wide,

    /// <summary>
    /// One row per non-zero entry: <c>cell</c> (string), <c>gene</c> (string), <c>value</c> (float), sorted by cell
    /// then gene (a tidy / COO table; pandas: <c>df.pivot(index="cell", columns="gene", values="value")</c>).
    /// Sparse and fast for any number of genes. The full cell and gene order, including all-zero cells and genes,
    /// is kept in the file's key-value metadata (<c>scgnn.cells</c>, <c>scgnn.genes</c>, JSON arrays).
    /// </summary>
    Long,
}

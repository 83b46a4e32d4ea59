namespace ScGnn.MLNet.Data;

/// <summary>Expression file formats that <see cref="ExpressionFile"/> reads and writes.</summary>
public enum ExpressionFileFormat
{
    /// <summary>A 10x Genomics MatrixMarket folder (v3 <c>matrix.mtx.gz</c>, <c>features.tsv.gz</c>, <c>barcodes.tsv.gz</c>; v2 and plain variants when reading).</summary>
    TenX,

    /// <summary>Comma-separated cells x genes text (<c>.csv</c>, <c>.csv.gz</c>).</summary>
    Csv,

    /// <summary>Tab-separated cells x genes text (<c>.tsv</c>, <c>.txt</c>, and their <c>.gz</c>).</summary>
    Tsv,

    /// <summary>Parquet (<c>.parquet</c>), wide or long layout.</summary>
    Parquet,

    /// <summary>AnnData (<c>.h5ad</c>), read and written; see <see cref="H5adReader"/> and <see cref="H5adWriter"/>.</summary>
    H5ad,

    /// <summary>A Cell Ranger HDF5 matrix (<c>.h5</c>, v2 or v3 layout), read only; see <see cref="TenXH5Reader"/>.</summary>
    TenXH5,
}

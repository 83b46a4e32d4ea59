namespace ScGnn.MLNet.Data;

/// <summary>Options for writing a 10x Genomics MatrixMarket v3 folder (<see cref="TenXWriter"/>).</summary>
public sealed class TenXWriterOptions : ExpressionDataOptions
{
    /// <summary>Default values of <see cref="TenXWriterOptions"/>.</summary>
    public static class Defaults
    {
        /// <summary>Gzip the three files, as Cell Ranger 3+ does.</summary>
        public const bool Compress = true;

        /// <summary>Feature type written in column 3 of <c>features.tsv</c>.</summary>
        public const string FeatureType = "Gene Expression";
    }

    /// <summary>
    /// When true (default), write <c>matrix.mtx.gz</c>, <c>features.tsv.gz</c>, <c>barcodes.tsv.gz</c>; when false,
    /// the same names without <c>.gz</c>.
    /// </summary>
    public bool Compress { get; set; } = Defaults.Compress;

    /// <summary>Feature type written in column 3 of <c>features.tsv</c> (default <c>Gene Expression</c>).</summary>
    public string FeatureType { get; set; } = Defaults.FeatureType;

    /// <inheritdoc/>
    protected internal override void Validate()
    {
        base.Validate();
        if (string.IsNullOrEmpty(FeatureType) || FeatureType.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
            throw new ArgumentException("FeatureType must be non-empty text without tabs or line breaks.", nameof(FeatureType));
    }
}

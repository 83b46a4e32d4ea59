namespace ScGnn.MLNet.Data;

/// <summary>How the values of an <see cref="AnnotationColumn"/> are stored (the AnnData <c>obs</c>/<c>var</c> column kinds).</summary>
public enum AnnotationColumnKind
{
    /// <summary>Free text, one string per row (AnnData <c>string-array</c>).</summary>
    Text,

    /// <summary>Codes into a list of categories (pandas <c>Categorical</c>, AnnData <c>categorical</c>); code -1 is missing.</summary>
    Categorical,

    /// <summary>Numbers (any integer or floating-point width, held as <see cref="double"/>; missing is NaN).</summary>
    Number,

    /// <summary>True/false flags (numpy <c>bool</c>).</summary>
    Boolean,
}

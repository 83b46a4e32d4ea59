namespace ScGnn.MLNet.Data;

/// <summary>
/// Per-cell or per-gene annotations in row order (an AnnData <c>obs</c> or <c>var</c> data frame without its
/// index, which is the matrix's cell or gene ids): named <see cref="AnnotationColumn"/>s of equal length.
/// Carried on an <see cref="ExpressionMatrix"/> (<see cref="ExpressionMatrix.CellAnnotations"/>,
/// <see cref="ExpressionMatrix.GeneAnnotations"/>) from the <c>.h5ad</c> reader to the <c>.h5ad</c> writer.
/// </summary>
public sealed class AnnotationTable
{
    private readonly AnnotationColumn[] _columns;
    private readonly Dictionary<string, AnnotationColumn> _byName;

    /// <summary>Creates a table of <paramref name="rowCount"/> rows.</summary>
    /// <exception cref="ArgumentException">A column has another length, or two columns share a name.</exception>
    public AnnotationTable(int rowCount, IEnumerable<AnnotationColumn> columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentNullException.ThrowIfNull(columns);
        RowCount = rowCount;
        _columns = columns.ToArray();
        _byName = new Dictionary<string, AnnotationColumn>(StringComparer.Ordinal);
        foreach (var c in _columns)
        {
            ArgumentNullException.ThrowIfNull(c, nameof(columns));
            if (c.Count != rowCount)
                throw new ArgumentException($"Column '{c.Name}' has {c.Count} rows; the table has {rowCount}.", nameof(columns));
            if (!_byName.TryAdd(c.Name, c))
                throw new ArgumentException($"Column name '{c.Name}' repeats.", nameof(columns));
        }
    }

    /// <summary>Number of rows (cells or genes).</summary>
    public int RowCount { get; }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<AnnotationColumn> Columns => _columns;

    /// <summary>The column of that name.</summary>
    /// <exception cref="KeyNotFoundException">No such column; the message lists the columns there are.</exception>
    public AnnotationColumn this[string name] => TryGetColumn(name, out var c) ? c
        : throw new KeyNotFoundException($"No annotation column '{name}'; columns: {(_columns.Length == 0 ? "(none)" : string.Join(", ", _columns.Select(x => x.Name)))}.");

    /// <summary>The column of that name, if there is one.</summary>
    public bool TryGetColumn(string name, out AnnotationColumn column)
    {
        if (_byName.TryGetValue(name, out var c)) { column = c; return true; }
        column = null!;
        return false;
    }

    /// <summary>A new table with the given rows, in the given order.</summary>
    public AnnotationTable SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (int r in rows) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)r, (uint)RowCount, nameof(rows));
        return new AnnotationTable(rows.Count, _columns.Select(c => c.SelectRows(rows)));
    }
}

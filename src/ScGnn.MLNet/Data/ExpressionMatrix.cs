using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// An immutable sparse cells x genes expression matrix in compressed sparse row (CSR) layout: cells are rows,
/// genes are columns. This is the in-memory form behind the library's readers and writers; it converts to and
/// from an <see cref="IDataView"/> whose rows are cells with a text <c>CellId</c> column and one
/// <c>Vector&lt;float&gt;</c> expression column (sparse <see cref="VBuffer{T}"/>, gene ids as <c>SlotNames</c>).
/// </summary>
public sealed class ExpressionMatrix
{
    private readonly string[] _cellIds;
    private readonly string[] _geneIds;
    private readonly string[]? _geneSymbols;
    private readonly int[] _rowPointers;
    private readonly int[] _columnIndices;
    private readonly float[] _values;
    private readonly AnnotationTable? _cellAnnotations;
    private readonly AnnotationTable? _geneAnnotations;

    /// <summary>
    /// Creates a matrix from CSR arrays, which are taken over (not copied). Column indices must be strictly
    /// increasing within each row; values must be finite.
    /// </summary>
    /// <param name="cellIds">One id per cell (row); must be unique.</param>
    /// <param name="geneIds">One id per gene (column); must be unique.</param>
    /// <param name="rowPointers">Length cells + 1; row <c>i</c> occupies <c>[rowPointers[i], rowPointers[i+1])</c>.</param>
    /// <param name="columnIndices">Gene index of each stored entry.</param>
    /// <param name="values">Value of each stored entry.</param>
    /// <param name="geneSymbols">Optional gene symbols (for example 10x <c>features.tsv</c> column 2), one per gene.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent, ids repeat, or a value is not finite.</exception>
    public ExpressionMatrix(IReadOnlyList<string> cellIds, IReadOnlyList<string> geneIds, int[] rowPointers,
        int[] columnIndices, float[] values, IReadOnlyList<string>? geneSymbols = null)
    {
        ArgumentNullException.ThrowIfNull(cellIds);
        ArgumentNullException.ThrowIfNull(geneIds);
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        _cellIds = cellIds.ToArray();
        _geneIds = geneIds.ToArray();
        _geneSymbols = geneSymbols?.ToArray();
        if (_geneSymbols is not null && _geneSymbols.Length != _geneIds.Length)
            throw new ArgumentException($"{_geneSymbols.Length} gene symbols for {_geneIds.Length} genes.", nameof(geneSymbols));
        if (rowPointers.Length != _cellIds.Length + 1)
            throw new ArgumentException($"rowPointers has length {rowPointers.Length}; expected cells + 1 = {_cellIds.Length + 1}.", nameof(rowPointers));
        if (columnIndices.Length != values.Length)
            throw new ArgumentException($"{columnIndices.Length} column indices but {values.Length} values.", nameof(values));
        if (rowPointers[0] != 0 || rowPointers[^1] != values.Length)
            throw new ArgumentException("rowPointers must start at 0 and end at the number of stored entries.", nameof(rowPointers));
        CheckUnique(_cellIds, "cell");
        CheckUnique(_geneIds, "gene");
        for (int i = 0; i < _cellIds.Length; i++)
        {
            int start = rowPointers[i], end = rowPointers[i + 1];
            if (end < start)
                throw new ArgumentException($"rowPointers decrease at cell {i} ('{_cellIds[i]}').", nameof(rowPointers));
            for (int k = start; k < end; k++)
            {
                int g = columnIndices[k];
                if ((uint)g >= (uint)_geneIds.Length)
                    throw new ArgumentException($"Cell '{_cellIds[i]}' has gene index {g}, outside [0, {_geneIds.Length}).", nameof(columnIndices));
                if (k > start && g <= columnIndices[k - 1])
                    throw new ArgumentException($"Cell '{_cellIds[i]}' has gene indices that are not strictly increasing at gene '{_geneIds[g]}'.", nameof(columnIndices));
                if (!float.IsFinite(values[k]))
                    throw new ArgumentException($"Cell '{_cellIds[i]}', gene '{_geneIds[g]}' has a non-finite value {values[k]}.", nameof(values));
            }
        }
        _rowPointers = rowPointers;
        _columnIndices = columnIndices;
        _values = values;
    }

    /// <summary>Number of cells (rows).</summary>
    public int CellCount => _cellIds.Length;

    /// <summary>Number of genes (columns).</summary>
    public int GeneCount => _geneIds.Length;

    /// <summary>Number of stored entries (explicit zeros, if any, included).</summary>
    public long StoredCount => _values.Length;

    /// <summary>Number of stored entries whose value is not zero.</summary>
    public long NonZeroCount
    {
        get
        {
            long n = 0;
            foreach (float v in _values) if (v != 0) n++;
            return n;
        }
    }

    /// <summary>Fraction of all cells x genes entries that are non-zero.</summary>
    public double Density => CellCount == 0 || GeneCount == 0 ? 0 : (double)NonZeroCount / ((double)CellCount * GeneCount);

    /// <summary>Cell ids (row names), in row order.</summary>
    public IReadOnlyList<string> CellIds => _cellIds;

    /// <summary>Gene ids (column names), in column order; these become the <c>SlotNames</c> of the expression column.</summary>
    public IReadOnlyList<string> GeneIds => _geneIds;

    /// <summary>Gene symbols when the source had them (10x <c>features.tsv</c> column 2), else <c>null</c>.</summary>
    public IReadOnlyList<string>? GeneSymbols => _geneSymbols;

    /// <summary>CSR row pointers (length <see cref="CellCount"/> + 1).</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    // The stored arrays, shared (never written) by the numeric core, which would otherwise copy the whole matrix.
    internal int[] RowPointerArray => _rowPointers;
    internal int[] ColumnIndexArray => _columnIndices;
    internal float[] ValueArray => _values;

    /// <summary>CSR gene index of each stored entry.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columnIndices;

    /// <summary>CSR value of each stored entry.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Value at one cell and gene (0 when not stored).</summary>
    public float this[int cell, int gene]
    {
        get
        {
            int start = _rowPointers[cell], end = _rowPointers[cell + 1];
            int k = Array.BinarySearch(_columnIndices, start, end - start, gene);
            return k >= 0 ? _values[k] : 0f;
        }
    }

    /// <summary>Gene indices stored for one cell.</summary>
    public ReadOnlySpan<int> RowIndices(int cell) => _columnIndices.AsSpan(_rowPointers[cell], _rowPointers[cell + 1] - _rowPointers[cell]);

    /// <summary>Values stored for one cell.</summary>
    public ReadOnlySpan<float> RowValues(int cell) => _values.AsSpan(_rowPointers[cell], _rowPointers[cell + 1] - _rowPointers[cell]);

    /// <summary>One cell as a sparse ML.NET vector of length <see cref="GeneCount"/>.</summary>
    public VBuffer<float> GetRow(int cell)
    {
        int start = _rowPointers[cell], count = _rowPointers[cell + 1] - start;
        return new VBuffer<float>(GeneCount, count, _values.AsSpan(start, count).ToArray(), _columnIndices.AsSpan(start, count).ToArray());
    }

    /// <summary>Dense row-major copy (cells x genes). Only for data that fits comfortably in memory.</summary>
    public float[] ToDense()
    {
        var dense = new float[checked((long)CellCount * GeneCount)];
        for (int i = 0; i < CellCount; i++)
            for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++)
                dense[(long)i * GeneCount + _columnIndices[k]] = _values[k];
        return dense;
    }

    /// <summary>Builds a sparse matrix from a dense row-major array, dropping zeros.</summary>
    public static ExpressionMatrix FromDense(ReadOnlySpan<float> rowMajor, IReadOnlyList<string> cellIds, IReadOnlyList<string> geneIds)
    {
        int cells = cellIds.Count, genes = geneIds.Count;
        if (rowMajor.Length != (long)cells * genes)
            throw new ArgumentException($"Dense data has {rowMajor.Length} values; expected {cells} x {genes}.", nameof(rowMajor));
        var ptr = new int[cells + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int i = 0; i < cells; i++)
        {
            var row = rowMajor.Slice(i * genes, genes);
            for (int j = 0; j < genes; j++)
                if (row[j] != 0) { idx.Add(j); val.Add(row[j]); }
            ptr[i + 1] = idx.Count;
        }
        return new ExpressionMatrix(cellIds, geneIds, ptr, idx.ToArray(), val.ToArray());
    }

    /// <summary>A new matrix with the given cells, in the given order.</summary>
    public ExpressionMatrix SelectCells(IReadOnlyList<int> cells)
    {
        var ptr = new int[cells.Count + 1];
        for (int r = 0; r < cells.Count; r++)
            ptr[r + 1] = ptr[r] + _rowPointers[cells[r] + 1] - _rowPointers[cells[r]];
        var idx = new int[ptr[^1]];
        var val = new float[ptr[^1]];
        for (int r = 0; r < cells.Count; r++)
        {
            int s = _rowPointers[cells[r]], n = _rowPointers[cells[r] + 1] - s;
            Array.Copy(_columnIndices, s, idx, ptr[r], n);
            Array.Copy(_values, s, val, ptr[r], n);
        }
        return new ExpressionMatrix(cells.Select(c => _cellIds[c]).ToArray(), _geneIds, ptr, idx, val, _geneSymbols)
            .WithAnnotations(_cellAnnotations?.SelectRows(cells), _geneAnnotations);
    }

    /// <summary>A new matrix with the given genes, in the given order (gene indices must be distinct).</summary>
    public ExpressionMatrix SelectGenes(IReadOnlyList<int> genes)
    {
        var map = new int[GeneCount];
        Array.Fill(map, -1);
        for (int j = 0; j < genes.Count; j++) map[genes[j]] = j;
        var ptr = new int[CellCount + 1];
        var idx = new List<int>();
        var val = new List<float>();
        var rowIdx = new List<(int, float)>();
        for (int i = 0; i < CellCount; i++)
        {
            rowIdx.Clear();
            for (int k = _rowPointers[i]; k < _rowPointers[i + 1]; k++)
                if (map[_columnIndices[k]] >= 0) rowIdx.Add((map[_columnIndices[k]], _values[k]));
            rowIdx.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            foreach (var (j, v) in rowIdx) { idx.Add(j); val.Add(v); }
            ptr[i + 1] = idx.Count;
        }
        return new ExpressionMatrix(_cellIds, genes.Select(g => _geneIds[g]).ToArray(), ptr, idx.ToArray(), val.ToArray(),
            _geneSymbols is null ? null : genes.Select(g => _geneSymbols[g]).ToArray())
            .WithAnnotations(_cellAnnotations, _geneAnnotations?.SelectRows(genes));
    }

    /// <summary>
    /// Exposes the matrix as an <see cref="IDataView"/>: one row per cell, a text cell-id column and a sparse
    /// <c>Vector&lt;float&gt;</c> column of known size with gene ids as <c>SlotNames</c>. No data is copied.
    /// </summary>
    public IDataView ToDataView(string expressionColumnName = ScGnnDefaults.ExpressionColumnName,
        string cellIdColumnName = ScGnnDefaults.CellIdColumnName) =>
        new ExpressionDataView(this, expressionColumnName, cellIdColumnName);

    /// <summary>
    /// Reads an expression vector column (and optionally a text cell-id column) of an <see cref="IDataView"/> into
    /// a sparse matrix. Gene ids come from the column's <c>SlotNames</c> (or <c>gene0..</c> when absent); cell ids
    /// from the id column (or <c>cell0..</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The column is missing or is not a known-size vector of <see cref="float"/>.</exception>
    public static ExpressionMatrix FromDataView(IDataView data, string expressionColumnName = ScGnnDefaults.ExpressionColumnName,
        string? cellIdColumnName = ScGnnDefaults.CellIdColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var exprCol = ExpressionSchema.GetExpressionColumn(data.Schema, expressionColumnName, nameof(data));
        var geneIds = ExpressionSchema.GeneIdsOrDefault(exprCol);
        var idCol = ExpressionSchema.GetCellIdColumn(data.Schema, cellIdColumnName, nameof(cellIdColumnName));

        var cellIds = new List<string>();
        var ptr = new List<int> { 0 };
        var idx = new Numerics.ChunkedBuilder<int>();
        var val = new Numerics.ChunkedBuilder<float>();
        var cols = idCol is null ? new[] { exprCol } : new[] { exprCol, idCol.Value };
        using var cursor = data.GetRowCursor(cols);
        var getExpr = cursor.GetGetter<VBuffer<float>>(exprCol);
        var getId = idCol is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(idCol.Value);
        VBuffer<float> row = default;
        ReadOnlyMemory<char> id = default;
        while (cursor.MoveNext())
        {
            getExpr(ref row);
            if (getId is not null) { getId(ref id); cellIds.Add(id.ToString()); }
            else cellIds.Add("cell" + cellIds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var values = row.GetValues();
            if (row.IsDense)
            {
                for (int j = 0; j < values.Length; j++)
                    if (values[j] != 0) { idx.Add(j); val.Add(values[j]); }
            }
            else
            {
                var indices = row.GetIndices();
                for (int k = 0; k < values.Length; k++)
                    if (values[k] != 0) { idx.Add(indices[k]); val.Add(values[k]); }
            }
            if (idx.Count > int.MaxValue)
                throw new ArgumentException($"Column '{expressionColumnName}' holds more than {int.MaxValue:N0} non-zeros by cell {cellIds.Count:N0}; split the data.", nameof(data));
            ptr.Add((int)idx.Count);
        }
        return new ExpressionMatrix(cellIds, geneIds, ptr.ToArray(), idx.ToArray(), val.ToArray());
    }

    /// <summary>
    /// Per-cell annotations (the AnnData <c>obs</c> columns) in row order, when the source had them (the
    /// <c>.h5ad</c> reader) or they were attached with <see cref="WithAnnotations"/>; else <c>null</c>.
    /// <see cref="SelectCells"/> keeps the selected rows; the <c>.h5ad</c> writer stores them as <c>obs</c>.
    /// </summary>
    public AnnotationTable? CellAnnotations => _cellAnnotations;

    /// <summary>Per-gene annotations (the AnnData <c>var</c> columns) in column order, or <c>null</c>; see <see cref="CellAnnotations"/>.</summary>
    public AnnotationTable? GeneAnnotations => _geneAnnotations;

    /// <summary>The same matrix (data shared, not copied) with these cell and gene annotations.</summary>
    /// <exception cref="ArgumentException">A table's row count is not the cell or gene count.</exception>
    public ExpressionMatrix WithAnnotations(AnnotationTable? cells, AnnotationTable? genes)
    {
        if (cells is not null && cells.RowCount != CellCount)
            throw new ArgumentException($"{cells.RowCount} cell annotation rows for {CellCount} cells.", nameof(cells));
        if (genes is not null && genes.RowCount != GeneCount)
            throw new ArgumentException($"{genes.RowCount} gene annotation rows for {GeneCount} genes.", nameof(genes));
        return new ExpressionMatrix(this, cells, genes);
    }

    /// <summary>
    /// The same matrix with the annotations of <paramref name="source"/> matched by cell id and gene id, for
    /// example an imputed output given the annotations of its input (genes kept by selection get their rows).
    /// </summary>
    /// <exception cref="ArgumentException">A cell or gene of this matrix is not in <paramref name="source"/>.</exception>
    public ExpressionMatrix WithAnnotationsFrom(ExpressionMatrix source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WithAnnotations(Match(source._cellAnnotations, source._cellIds, _cellIds, "cell"),
            Match(source._geneAnnotations, source._geneIds, _geneIds, "gene"));

        static AnnotationTable? Match(AnnotationTable? table, string[] from, string[] to, string what)
        {
            if (table is null) return null;
            if (from.AsSpan().SequenceEqual(to)) return table;
            var index = new Dictionary<string, int>(from.Length, StringComparer.Ordinal);
            for (int i = 0; i < from.Length; i++) index[from[i]] = i;
            var rows = new int[to.Length];
            for (int i = 0; i < to.Length; i++)
                rows[i] = index.TryGetValue(to[i], out int r) ? r
                    : throw new ArgumentException($"The annotations' source has no {what} '{to[i]}'.", nameof(source));
            return table.SelectRows(rows);
        }
    }

    private ExpressionMatrix(ExpressionMatrix data, AnnotationTable? cells, AnnotationTable? genes)
    {
        _cellIds = data._cellIds;
        _geneIds = data._geneIds;
        _geneSymbols = data._geneSymbols;
        _rowPointers = data._rowPointers;
        _columnIndices = data._columnIndices;
        _values = data._values;
        _cellAnnotations = cells;
        _geneAnnotations = genes;
    }

    private static void CheckUnique(string[] ids, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++)
            if (!seen.Add(ids[i]))
                throw new ArgumentException($"Duplicate {what} id '{ids[i]}' (position {i}).");
    }
}

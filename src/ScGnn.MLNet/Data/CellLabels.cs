using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Cell-type labels keyed by cell id, read from a two-column TSV (<c>cell&lt;TAB&gt;label</c>, with an optional
/// header line <c>cell&lt;TAB&gt;label</c>) and joined onto cells by id: as a label array aligned with a matrix's
/// cells (<see cref="Align(IReadOnlyList{string}, CellLabelJoinOptions?)"/>) or as a text column added to an
/// <see cref="IDataView"/> (<see cref="JoinTo(IDataView, CellLabelJoinOptions?)"/>).
/// </summary>
public sealed class CellLabels
{
    private readonly string[] _cellIds;
    private readonly string[] _labels;
    private readonly Dictionary<string, string> _byCell;
    private readonly Dictionary<string, long>? _lineOf;

    /// <summary>Creates labels from parallel lists of cell ids and labels.</summary>
    /// <exception cref="ArgumentException">The lists differ in length, a cell id repeats, or an id or label is empty.</exception>
    public CellLabels(IReadOnlyList<string> cellIds, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(cellIds);
        ArgumentNullException.ThrowIfNull(labels);
        if (cellIds.Count != labels.Count)
            throw new ArgumentException($"{cellIds.Count} cell ids but {labels.Count} labels.", nameof(labels));
        _cellIds = cellIds.ToArray();
        _labels = labels.ToArray();
        _byCell = new Dictionary<string, string>(_cellIds.Length, StringComparer.Ordinal);
        for (int i = 0; i < _cellIds.Length; i++)
        {
            if (string.IsNullOrEmpty(_cellIds[i]) || string.IsNullOrEmpty(_labels[i]))
                throw new ArgumentException($"Entry {i} has an empty cell id or label.", nameof(cellIds));
            if (!_byCell.TryAdd(_cellIds[i], _labels[i]))
                throw new ArgumentException($"Cell id '{_cellIds[i]}' is labelled twice.", nameof(cellIds));
        }
    }

    private CellLabels(string path, string[] cellIds, string[] labels, Dictionary<string, string> byCell, Dictionary<string, long> lineOf)
    {
        SourcePath = path;
        _cellIds = cellIds;
        _labels = labels;
        _byCell = byCell;
        _lineOf = lineOf;
    }

    /// <summary>The file the labels came from, or <c>null</c> when built in memory.</summary>
    public string? SourcePath { get; }

    /// <summary>Number of labelled cells.</summary>
    public int Count => _cellIds.Length;

    /// <summary>Cell ids, in file order.</summary>
    public IReadOnlyList<string> CellIds => _cellIds;

    /// <summary>Labels, parallel to <see cref="CellIds"/>.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Distinct labels in order of first appearance.</summary>
    public IReadOnlyList<string> Classes => _labels.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The label of one cell, if it has one.</summary>
    public bool TryGetLabel(string cellId, out string label)
    {
        if (_byCell.TryGetValue(cellId, out var l)) { label = l; return true; }
        label = "";
        return false;
    }

    /// <summary>
    /// Reads a two-column TSV: <c>cell&lt;TAB&gt;label</c> per line; a first line of exactly <c>cell</c> and
    /// <c>label</c> (any case) is a header. Gzip is recognised by content.
    /// </summary>
    /// <exception cref="ExpressionFormatException">A line does not have two non-empty fields, or a cell repeats.</exception>
    public static CellLabels Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var ids = new List<string>();
        var labels = new List<string>();
        var byCell = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineOf = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line))
        {
            long ln = reader.LineNumber;
            if (line.IsEmpty) continue;
            int tab = line.IndexOf((byte)'\t');
            if (tab < 0)
                throw new ExpressionFormatException(path, ln, null, "expected two tab-separated fields 'cell<TAB>label'; found one.");
            var cellSpan = line[..tab];
            var labelSpan = line[(tab + 1)..];
            int extra = labelSpan.IndexOf((byte)'\t');
            if (extra >= 0)
                throw new ExpressionFormatException(path, ln, tab + extra + 2, "expected two tab-separated fields 'cell<TAB>label'; found more.");
            if (ln == 1 && Utf8Fields.EqualsIgnoreCase(cellSpan, "cell") && Utf8Fields.EqualsIgnoreCase(labelSpan, "label"))
                continue;
            if (cellSpan.IsEmpty) throw new ExpressionFormatException(path, ln, 1, "cell id is empty.");
            if (labelSpan.IsEmpty) throw new ExpressionFormatException(path, ln, tab + 2, "label is empty.");
            var cell = Utf8Fields.DecodeStrict(cellSpan, path, ln, 1, "cell id");
            var label = Utf8Fields.DecodeStrict(labelSpan, path, ln, tab + 2, "label");
            if (!lineOf.TryAdd(cell, ln))
                throw new ExpressionFormatException(path, ln, 1, $"cell '{cell}' is labelled again (first on line {lineOf[cell]}).");
            byCell[cell] = label;
            ids.Add(cell);
            labels.Add(label);
        }
        return new CellLabels(path, ids.ToArray(), labels.ToArray(), byCell, lineOf);
    }

    /// <summary>
    /// The label of each given cell, in order. Unlabelled cells and labels for absent cells are errors that list
    /// them, unless <see cref="CellLabelJoinOptions.AllowUnlabeledCells"/> (they get <c>""</c>) or
    /// <see cref="CellLabelJoinOptions.AllowExtraLabels"/> says otherwise.
    /// </summary>
    public string[] Align(IReadOnlyList<string> cellIds, CellLabelJoinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cellIds);
        options ??= new CellLabelJoinOptions();
        options.Validate();
        var result = new string[cellIds.Count];
        var missing = new List<string>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < result.Length; i++)
        {
            present.Add(cellIds[i]);
            if (_byCell.TryGetValue(cellIds[i], out var l)) result[i] = l;
            else { result[i] = ""; missing.Add(cellIds[i]); }
        }
        if (missing.Count > 0 && !options.AllowUnlabeledCells)
            throw JoinError(null, $"{missing.Count} of {result.Length} cells have no label: {List(missing)} " +
                "(set AllowUnlabeledCells to give them an empty label).");
        if (!options.AllowExtraLabels)
        {
            var extra = _cellIds.Where(c => !present.Contains(c)).ToList();
            if (extra.Count > 0)
                throw JoinError(_lineOf?[extra[0]], $"{extra.Count} labelled cells are not in the data: {List(extra)} " +
                    "(set AllowExtraLabels to ignore them).");
        }
        return result;
    }

    /// <summary>Labels aligned with a matrix's cells (see <see cref="Align(IReadOnlyList{string}, CellLabelJoinOptions?)"/>).</summary>
    public string[] Align(ExpressionMatrix matrix, CellLabelJoinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Align(matrix.CellIds, options);
    }

    /// <summary>
    /// Adds a text label column (<see cref="CellLabelJoinOptions.LabelColumnName"/>, default <c>CellType</c>) to
    /// <paramref name="data"/>, looked up by its cell-id column. The ids are checked once, up front, as in
    /// <see cref="Align(IReadOnlyList{string}, CellLabelJoinOptions?)"/>; the data is not copied.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The cell-id column is missing or not text.</exception>
    public IDataView JoinTo(IDataView data, CellLabelJoinOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CellLabelJoinOptions();
        options.Validate();
        var idCol = data.Schema.GetColumnOrNull(options.CellIdColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(data),
                $"Input schema has no column '{options.CellIdColumnName}'. Columns: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        if (idCol.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(data), $"Column '{options.CellIdColumnName}' must be text, but is {idCol.Type}.");
        var ids = new List<string>();
        using (var cursor = data.GetRowCursor(new[] { idCol }))
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(idCol);
            ReadOnlyMemory<char> id = default;
            while (cursor.MoveNext()) { get(ref id); ids.Add(id.ToString()); }
        }
        Align(ids, options);
        return new LabelColumnDataView(data, idCol.Index, options.LabelColumnName, _byCell);
    }

    private Exception JoinError(long? line, string problem) =>
        SourcePath is null ? new ArgumentException(problem) : new ExpressionFormatException(SourcePath, line, null, problem);

    private static string List(List<string> ids) =>
        string.Join(", ", ids.Take(10).Select(s => "'" + s + "'")) + (ids.Count > 10 ? $", ... ({ids.Count - 10} more)" : "");
}

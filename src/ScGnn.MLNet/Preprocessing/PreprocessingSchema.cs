using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Preprocessing;

/// <summary>Schema checks and slot-name plumbing shared by the preprocessing estimators and transformers.</summary>
internal static class PreprocessingSchema
{
    /// <summary>Returns the estimator-level column if it is a known-size vector of Single, else throws naming it.</summary>
    internal static SchemaShape.Column CheckInput(SchemaShape inputSchema, string columnName, string component)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.TryFindColumn(columnName, out var col))
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: the input has no column '{columnName}'. Columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        if (col.Kind != SchemaShape.Column.VectorKind.Vector || col.ItemType != NumberDataViewType.Single || col.IsKey)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: column '{columnName}' must be a known-size vector of Single (cells x genes), but is {Describe(col)}.");
        return col;
    }

    /// <summary>Returns the column if it is a known-size vector of Single (of <paramref name="expectedSize"/> slots when &gt;= 0).</summary>
    internal static DataViewSchema.Column CheckInput(DataViewSchema inputSchema, string columnName, string component, int expectedSize = -1)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var col = inputSchema.GetColumnOrNull(columnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: the input has no column '{columnName}'. Columns: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        if (col.Type is not VectorDataViewType v || v.ItemType != NumberDataViewType.Single || !v.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: column '{columnName}' must be a known-size vector of Single (cells x genes), but is {col.Type}.");
        if (expectedSize >= 0 && v.Size != expectedSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: column '{columnName}' has {v.Size} genes (slots), but the transformer was fitted on {expectedSize}.");
        return col;
    }

    /// <summary>Vector size of a column already checked by <see cref="CheckInput(DataViewSchema, string, string, int)"/>.</summary>
    internal static int Size(DataViewSchema.Column column) => ((VectorDataViewType)column.Type).Size;

    /// <summary>An output vector-of-Single column shape that carries SlotNames when the input has them.</summary>
    internal static SchemaShape.Column VectorOutput(string name, SchemaShape.Column input)
    {
        var annotations = new List<SchemaShape.Column>();
        if (input.Annotations.TryFindColumn(AnnotationUtils.Kinds.SlotNames, out var slotNames))
            annotations.Add(slotNames);
        return new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false,
            new SchemaShape(annotations));
    }

    /// <summary>The input shape with the given columns added (replacing any of the same name).</summary>
    internal static SchemaShape With(SchemaShape inputSchema, params SchemaShape.Column[] columns)
    {
        var result = inputSchema.ToDictionary(c => c.Name);
        foreach (var c in columns) result[c.Name] = c;
        return new SchemaShape(result.Values);
    }

    /// <summary>Annotations holding a copy of the input column's SlotNames (empty when it has none).</summary>
    internal static DataViewSchema.Annotations CopySlotNames(DataViewSchema.Column input)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (HasSlotNames(input))
            builder.Add(input.Annotations, name => name == AnnotationUtils.Kinds.SlotNames);
        return builder.ToAnnotations();
    }

    /// <summary>Whether the column has a SlotNames annotation of its vector size.</summary>
    internal static bool HasSlotNames(DataViewSchema.Column column) =>
        column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.SlotNames) is { Type: VectorDataViewType { ItemType: TextDataViewType } t }
        && column.Type is VectorDataViewType v && t.Size == v.Size;

    /// <summary>SlotNames as strings (missing names become empty strings), or null when the column has none.</summary>
    internal static string[]? GetSlotNames(DataViewSchema.Column column)
    {
        if (!HasSlotNames(column)) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        var result = new string[names.Length];
        Array.Fill(result, string.Empty);
        foreach (var (j, name) in names.Items(all: false))
            result[j] = name.ToString();
        return result;
    }

    /// <summary>Annotations with the given SlotNames.</summary>
    internal static DataViewSchema.Annotations SlotNames(IReadOnlyList<string> names)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var memories = names.Select(n => n.AsMemory()).ToArray();
        builder.AddSlotNames(memories.Length, (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, memories.Length);
            memories.AsSpan().CopyTo(editor.Values);
            dst = editor.Commit();
        });
        return builder.ToAnnotations();
    }

    /// <summary>
    /// Describes the current row of <paramref name="row"/> for error messages: "row 12 (cell 'AAAC-1')". The row
    /// number is the ML.NET row id, which for in-memory and file sources is the row's position in the source and
    /// survives filters and parallel cursors; the cell id comes from the text column when present and active.
    /// </summary>
    internal static Func<string> RowDescriber(DataViewRow row, string? cellIdColumnName)
    {
        var getId = row.GetIdGetter();
        ValueGetter<ReadOnlyMemory<char>>? getCell = null;
        if (cellIdColumnName is not null && row.Schema.GetColumnOrNull(cellIdColumnName) is { Type: TextDataViewType } col
            && row.IsColumnActive(col))
            getCell = row.GetGetter<ReadOnlyMemory<char>>(col);
        return () =>
        {
            DataViewRowId id = default;
            getId(ref id);
            string rowText = id.High == 0 ? $"row {id.Low}" : $"row id {id}";
            if (getCell is null) return rowText;
            ReadOnlyMemory<char> cell = default;
            getCell(ref cell);
            return $"{rowText} (cell '{cell}')";
        };
    }

    /// <summary>Index of the optional text cell-id column, or -1.</summary>
    internal static int CellIdIndex(DataViewSchema schema, string? cellIdColumnName) =>
        cellIdColumnName is not null && schema.GetColumnOrNull(cellIdColumnName) is { Type: TextDataViewType } col ? col.Index : -1;

    private static string Describe(SchemaShape.Column col)
    {
        string item = col.IsKey ? $"Key<{col.ItemType}>" : col.ItemType?.ToString() ?? "unknown";
        return col.Kind switch
        {
            SchemaShape.Column.VectorKind.Scalar => item,
            SchemaShape.Column.VectorKind.VariableVector => $"Vector<{item}> of unknown size",
            _ => $"Vector<{item}>",
        };
    }
}

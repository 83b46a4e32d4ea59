using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>Schema checks and slot-name helpers shared by every component that reads an expression column.</summary>
internal static class ExpressionSchema
{
    /// <summary>Returns the column if it is a known-size vector of <see cref="float"/>, else throws naming the problem.</summary>
    internal static DataViewSchema.Column GetExpressionColumn(DataViewSchema schema, string name, string paramName)
    {
        var col = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(paramName, $"Input schema has no column '{name}'. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        CheckExpressionType(name, col.Type, paramName);
        return col;
    }

    /// <summary>Throws unless the type is a known-size vector of <see cref="float"/>.</summary>
    internal static void CheckExpressionType(string name, DataViewType type, string paramName)
    {
        if (type is not VectorDataViewType v || v.ItemType != NumberDataViewType.Single || !v.IsKnownSize)
            throw new ArgumentOutOfRangeException(paramName,
                $"Column '{name}' must be a known-size vector of Single (cells x genes), but is {type}.");
    }

    /// <summary>Gene ids from the column's <c>SlotNames</c> annotation, or <c>null</c> when it has none.</summary>
    internal static string[]? GetGeneIds(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.SlotNames) is null)
            return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        var result = new string[((VectorDataViewType)column.Type).Size];
        foreach (var (j, name) in names.Items(all: true))
            result[j] = name.ToString();
        return result;
    }

    /// <summary>Annotations carrying the gene ids as <c>SlotNames</c>.</summary>
    internal static DataViewSchema.Annotations SlotNameAnnotations(IReadOnlyList<string> geneIds)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var names = geneIds.Select(g => g.AsMemory()).ToArray();
        builder.AddSlotNames(names.Length, (ref VBuffer<ReadOnlyMemory<char>> dst) =>
        {
            var editor = VBufferEditor.Create(ref dst, names.Length);
            names.AsSpan().CopyTo(editor.Values);
            dst = editor.Commit();
        });
        return builder.ToAnnotations();
    }
}

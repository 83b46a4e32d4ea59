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

    /// <summary>Gene ids from the column's <c>SlotNames</c>, or <c>gene0..</c> when it has none.</summary>
    internal static string[] GeneIdsOrDefault(DataViewSchema.Column column) =>
        GetGeneIds(column) ?? Enumerable.Range(0, ((VectorDataViewType)column.Type).Size)
            .Select(j => "gene" + j.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The text cell-id column named <paramref name="name"/>, <c>null</c> when absent; throws when it is not text.</summary>
    internal static DataViewSchema.Column? GetCellIdColumn(DataViewSchema schema, string? name, string paramName)
    {
        if (name is null || schema.GetColumnOrNull(name) is not { } c) return null;
        if (c.Type is not TextDataViewType)
            throw new ArgumentException($"Column '{name}' must be text, not {c.Type}.", paramName);
        return c;
    }

    /// <summary>
    /// Copies the non-zero entries of a row (dense or sparse) into <paramref name="indices"/> and
    /// <paramref name="values"/>, ascending by slot, and returns how many there are. Both spans must hold the row's
    /// stored values.
    /// </summary>
    internal static int NonZeros(in VBuffer<float> row, Span<int> indices, Span<float> values)
    {
        var stored = row.GetValues();
        int count = 0;
        if (row.IsDense)
        {
            for (int j = 0; j < stored.Length; j++)
                if (stored[j] != 0) { indices[count] = j; values[count++] = stored[j]; }
        }
        else
        {
            var slots = row.GetIndices();
            for (int q = 0; q < stored.Length; q++)
                if (stored[q] != 0) { indices[count] = slots[q]; values[count++] = stored[q]; }
        }
        return count;
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

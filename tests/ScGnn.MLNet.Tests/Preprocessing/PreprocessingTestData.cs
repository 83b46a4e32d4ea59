using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Preprocessing;

/// <summary>Small matrices as IDataViews and readers of output columns, for hand-checkable tests.</summary>
internal static class PreprocessingTestData
{
    /// <summary>A cells x genes dense array as a sparse expression IDataView with ids c0.. and g0...</summary>
    internal static IDataView View(float[,] counts, string[]? geneIds = null, string[]? cellIds = null)
    {
        int cells = counts.GetLength(0), genes = counts.GetLength(1);
        var flat = new float[cells * genes];
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < genes; j++)
                flat[i * genes + j] = counts[i, j];
        geneIds ??= Enumerable.Range(0, genes).Select(j => "g" + j).ToArray();
        cellIds ??= Enumerable.Range(0, cells).Select(i => "c" + i).ToArray();
        return ExpressionMatrix.FromDense(flat, cellIds, geneIds).ToDataView();
    }

    /// <summary>Every row of a vector column, densified.</summary>
    internal static float[][] Dense(IDataView data, string column = ScGnnDefaults.ExpressionColumnName)
    {
        var rows = new List<float[]>();
        foreach (var row in Rows(data, column))
        {
            var dense = new float[row.Length];
            row.CopyTo(dense);
            rows.Add(dense);
        }
        return rows.ToArray();
    }

    /// <summary>Every row of a vector column as the VBuffer it was produced as (copied).</summary>
    internal static List<VBuffer<float>> Rows(IDataView data, string column = ScGnnDefaults.ExpressionColumnName)
    {
        var col = data.Schema[column];
        var result = new List<VBuffer<float>>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            VBuffer<float> copy = default;
            buffer.CopyTo(ref copy);
            result.Add(copy);
        }
        return result;
    }

    /// <summary>The text values of a column.</summary>
    internal static string[] Text(IDataView data, string column)
    {
        var col = data.Schema[column];
        var result = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.ToString());
        }
        return result.ToArray();
    }

    /// <summary>The estimator-level shape of a schema (ML.NET's SchemaShape.Create is internal).</summary>
    internal static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic,
            new[] { typeof(DataViewSchema) })!.Invoke(null, new object[] { schema })!;

    /// <summary>The SlotNames of a column (null when absent).</summary>
    internal static string[]? SlotNames(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull("SlotNames") is null) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>Reads whole columns of a data view into arrays.</summary>
internal static class DataViewColumns
{
    /// <summary>A known-size float vector column as a dense row-major array.</summary>
    public static float[] ReadDense(IDataView data, string column, out int dimensions)
    {
        var col = data.Schema.GetColumnOrNull(column) ?? throw new CommandFailedException($"The data has no column '{column}'.");
        if (col.Type is not VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } vt || vt.ItemType != NumberDataViewType.Single)
            throw new CommandFailedException($"Column '{column}' is {col.Type}, not a known-size vector of Single.");
        dimensions = vt.Size;
        int dims = vt.Size;
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            get(ref v);
            var row = new float[dims];
            v.CopyTo(row);
            rows.Add(row);
        }
        var result = new float[(long)rows.Count * dims];
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(result, (long)i * dims);
        return result;
    }

    /// <summary>A key (for example KMeans' PredictedLabel) or unsigned integer column.</summary>
    public static uint[] ReadKeys(IDataView data, string column)
    {
        var col = data.Schema.GetColumnOrNull(column) ?? throw new CommandFailedException($"The data has no column '{column}'.");
        if (col.Type is not KeyDataViewType && col.Type != NumberDataViewType.UInt32)
            throw new CommandFailedException($"Column '{column}' is {col.Type}, not a key (cluster id) column.");
        var result = new List<uint>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<uint>(col);
        uint v = 0;
        while (cursor.MoveNext()) { get(ref v); result.Add(v); }
        return result.ToArray();
    }

    public static string[] ReadText(IDataView data, string column)
    {
        var col = data.Schema.GetColumnOrNull(column) ?? throw new CommandFailedException($"The data has no column '{column}'.");
        var result = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        ReadOnlyMemory<char> v = default;
        while (cursor.MoveNext()) { get(ref v); result.Add(v.ToString()); }
        return result.ToArray();
    }
}

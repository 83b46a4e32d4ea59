using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Evaluation;

/// <summary>Reads whole columns of an <see cref="IDataView"/> for the metrics and the embedding.</summary>
internal static class DataViewColumns
{
    /// <summary>A known-size <c>Vector&lt;float&gt;</c> column as a dense row-major array.</summary>
    internal static float[] ReadVectors(IDataView data, string column, string paramName, out int dimensions)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(column, paramName);
        var col = ExpressionSchema.GetExpressionColumn(data.Schema, column, paramName);
        int dims = ((VectorDataViewType)col.Type).Size;
        var values = new List<float>();
        using (var cursor = data.GetRowCursor(new[] { col }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> row = default;
            var dense = new float[dims];
            while (cursor.MoveNext())
            {
                getter(ref row);
                row.CopyTo(dense);
                values.AddRange(dense);
            }
        }
        if (values.Count == 0) throw new ArgumentException("The data view has no rows.", nameof(data));
        dimensions = dims;
        return values.ToArray();
    }

    /// <summary>
    /// A label column as strings: text, key (ML.NET's <c>PredictedLabel</c> of KMeans), or an integer/float scalar.
    /// Missing values (empty text, key 0, NaN) are an error naming the row.
    /// </summary>
    internal static string[] ReadLabels(IDataView data, string column, string paramName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(column, paramName);
        var col = data.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(paramName, $"Input schema has no column '{column}'. Columns: {string.Join(", ", data.Schema.Select(c => c.Name))}.");
        var type = col.Type;
        var labels = new List<string>();
        using var cursor = data.GetRowCursor(new[] { col });
        long row = 0;
        Exception Missing() => new ArgumentException($"Column '{column}' has a missing label at row {row}.", paramName);
        if (type is TextDataViewType)
        {
            var g = cursor.GetGetter<ReadOnlyMemory<char>>(col);
            ReadOnlyMemory<char> v = default;
            for (; cursor.MoveNext(); row++) { g(ref v); if (v.IsEmpty) throw Missing(); labels.Add(v.ToString()); }
        }
        else if (type is KeyDataViewType key && key.RawType == typeof(uint))
        {
            var g = cursor.GetGetter<uint>(col);
            uint v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); if (v == 0) throw Missing(); labels.Add(v.ToString(CultureInfo.InvariantCulture)); }
        }
        else if (type == NumberDataViewType.Int32)
        {
            var g = cursor.GetGetter<int>(col);
            int v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); labels.Add(v.ToString(CultureInfo.InvariantCulture)); }
        }
        else if (type == NumberDataViewType.UInt32)
        {
            var g = cursor.GetGetter<uint>(col);
            uint v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); labels.Add(v.ToString(CultureInfo.InvariantCulture)); }
        }
        else if (type == NumberDataViewType.Int64)
        {
            var g = cursor.GetGetter<long>(col);
            long v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); labels.Add(v.ToString(CultureInfo.InvariantCulture)); }
        }
        else if (type == NumberDataViewType.Single)
        {
            var g = cursor.GetGetter<float>(col);
            float v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); if (float.IsNaN(v)) throw Missing(); labels.Add(v.ToString("R", CultureInfo.InvariantCulture)); }
        }
        else if (type == NumberDataViewType.Double)
        {
            var g = cursor.GetGetter<double>(col);
            double v = 0;
            for (; cursor.MoveNext(); row++) { g(ref v); if (double.IsNaN(v)) throw Missing(); labels.Add(v.ToString("R", CultureInfo.InvariantCulture)); }
        }
        else
        {
            throw new ArgumentOutOfRangeException(paramName,
                $"Column '{column}' must be text, a key, or an integer or floating-point scalar to be used as labels, but is {type}.");
        }
        return labels.ToArray();
    }
}

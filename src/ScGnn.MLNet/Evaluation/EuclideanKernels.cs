using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ScGnn.MLNet.Evaluation;

/// <summary>SIMD distance kernels and input checks shared by the clustering metrics and t-SNE.</summary>
internal static class EuclideanKernels
{
    /// <summary>Squared Euclidean distance; float lanes (the inputs are float and the dimension is small).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float s = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            int last = n - Vector<float>.Count;
            for (; i <= last; i += Vector<float>.Count)
            {
                var d = Vector.LoadUnsafe(ref ra, (nuint)i) - Vector.LoadUnsafe(ref rb, (nuint)i);
                acc += d * d;
            }
            s = Vector.Sum(acc);
        }
        for (; i < n; i++)
        {
            float d = Unsafe.Add(ref ra, i) - Unsafe.Add(ref rb, i);
            s += d * d;
        }
        return s;
    }

    /// <summary>Copies jagged rows into one row-major array, checking that every row has the same length and finite values.</summary>
    internal static float[] Flatten(float[][] rows, string paramName, out int dimensions)
    {
        ArgumentNullException.ThrowIfNull(rows, paramName);
        if (rows.Length == 0) throw new ArgumentException("No rows.", paramName);
        dimensions = rows[0]?.Length ?? throw new ArgumentException("Row 0 is null.", paramName);
        if (dimensions == 0) throw new ArgumentException("Rows have no columns.", paramName);
        var flat = new float[checked(rows.Length * dimensions)];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"Row {i} is null.", paramName);
            if (row.Length != dimensions)
                throw new ArgumentException($"Row {i} has {row.Length} values but row 0 has {dimensions}.", paramName);
            row.CopyTo(flat, i * dimensions);
        }
        CheckFinite(flat, dimensions, paramName);
        return flat;
    }

    /// <summary>Checks a row-major matrix's shape; returns the row count.</summary>
    internal static int CheckRowMajor(float[] data, int dimensions, string paramName)
    {
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (dimensions <= 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be positive.");
        if (data.Length % dimensions != 0)
            throw new ArgumentException($"Length {data.Length} is not a multiple of the {dimensions} dimensions.", paramName);
        if (data.Length == 0) throw new ArgumentException("No rows.", paramName);
        CheckFinite(data, dimensions, paramName);
        return data.Length / dimensions;
    }

    private static void CheckFinite(float[] data, int dimensions, string paramName)
    {
        for (int k = 0; k < data.Length; k++)
            if (!float.IsFinite(data[k]))
                throw new ArgumentException($"Row {k / dimensions}, column {k % dimensions} is {data[k]}; values must be finite.", paramName);
    }

    /// <summary>Maps labels to codes 0..k-1 in order of first appearance.</summary>
    internal static int[] Encode<T>(IReadOnlyList<T> labels, string paramName, out int classCount) where T : notnull
    {
        ArgumentNullException.ThrowIfNull(labels, paramName);
        var map = new Dictionary<T, int>();
        var codes = new int[labels.Count];
        for (int i = 0; i < codes.Length; i++)
        {
            T label = labels[i];
            if (label is null) throw new ArgumentException($"Label {i} is null.", paramName);
            if (!map.TryGetValue(label, out int code))
            {
                code = map.Count;
                map.Add(label, code);
            }
            codes[i] = code;
        }
        classCount = map.Count;
        return codes;
    }
}

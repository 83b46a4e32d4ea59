using System.Runtime.InteropServices;

namespace ScGnn.MLNet.Persistence;

/// <summary>
/// Compact little-endian binary pieces for model payloads (see <see cref="ModelPayload"/>): length-prefixed
/// float/double/int arrays, float matrices, string lists (gene names), and scalars with range checks. Every
/// reader checks a claimed length against what the stream still holds before allocating, and fails with an
/// <see cref="InvalidDataException"/> naming the field, which <c>ModelPayload.Load</c> turns into a
/// <see cref="ScGnnModelFormatException"/> naming the component.
/// </summary>
internal static class ModelBinary
{
    static ModelBinary()
    {
        // Arrays are written as raw memory; ML.NET's own model format assumes little-endian too.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ScGnn.MLNet model files need a little-endian machine.");
    }

    /// <summary>Writes <c>int32</c> length, then the values as raw float32.</summary>
    internal static void WriteFloatArray(this BinaryWriter writer, ReadOnlySpan<float> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads what <see cref="WriteFloatArray"/> wrote; <paramref name="expectedLength"/> &lt; 0 accepts any length.</summary>
    internal static float[] ReadFloatArray(this BinaryReader reader, string what, int expectedLength = -1)
    {
        var result = new float[ReadLength(reader, what, sizeof(float), expectedLength)];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>Writes <c>int32</c> length, then the values as raw float64.</summary>
    internal static void WriteDoubleArray(this BinaryWriter writer, ReadOnlySpan<double> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads what <see cref="WriteDoubleArray"/> wrote; <paramref name="expectedLength"/> &lt; 0 accepts any length.</summary>
    internal static double[] ReadDoubleArray(this BinaryReader reader, string what, int expectedLength = -1)
    {
        var result = new double[ReadLength(reader, what, sizeof(double), expectedLength)];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>Writes <c>int32</c> length, then the values as raw int32.</summary>
    internal static void WriteInt32Array(this BinaryWriter writer, ReadOnlySpan<int> values)
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>
    /// Reads what <see cref="WriteInt32Array"/> wrote and checks every value lies in
    /// [<paramref name="min"/>, <paramref name="maxExclusive"/>).
    /// </summary>
    internal static int[] ReadInt32Array(this BinaryReader reader, string what, int expectedLength = -1,
        int min = int.MinValue, int maxExclusive = int.MaxValue)
    {
        var result = new int[ReadLength(reader, what, sizeof(int), expectedLength)];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
        for (int i = 0; i < result.Length; i++)
            if (result[i] < min || result[i] >= maxExclusive)
                throw new InvalidDataException($"{what}[{i}] is {result[i]}, outside [{min}, {maxExclusive})");
        return result;
    }

    /// <summary>Writes a row-major float32 matrix: <c>int32</c> rows, <c>int32</c> columns, then the values.</summary>
    internal static void WriteFloatMatrix(this BinaryWriter writer, int rows, int columns, ReadOnlySpan<float> rowMajor)
    {
        if (rows < 0 || columns < 0 || (long)rows * columns != rowMajor.Length)
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {rowMajor.Length}.", nameof(rowMajor));
        writer.Write(rows);
        writer.Write(columns);
        writer.Write(MemoryMarshal.AsBytes(rowMajor));
    }

    /// <summary>
    /// Reads what <see cref="WriteFloatMatrix"/> wrote; an expected dimension &lt; 0 accepts any size.
    /// </summary>
    internal static float[] ReadFloatMatrix(this BinaryReader reader, string what, out int rows, out int columns,
        int expectedRows = -1, int expectedColumns = -1)
    {
        rows = reader.ReadInt32();
        columns = reader.ReadInt32();
        if (rows < 0 || columns < 0)
            throw new InvalidDataException($"{what} has negative dimensions {rows} x {columns}");
        if (expectedRows >= 0 && rows != expectedRows || expectedColumns >= 0 && columns != expectedColumns)
            throw new InvalidDataException($"{what} is {rows} x {columns}, expected {Dim(expectedRows)} x {Dim(expectedColumns)}");
        long count = (long)rows * columns;
        CheckAvailable(reader, what, count, sizeof(float));
        if (count > Array.MaxLength)
            throw new InvalidDataException($"{what} ({rows} x {columns}) is too large for one array");
        var result = new float[count];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>Writes <c>int32</c> count, then each string (length-prefixed UTF-8). Null entries are not allowed.</summary>
    internal static void WriteStringArray(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        for (int i = 0; i < values.Count; i++)
            writer.Write(values[i] ?? throw new ArgumentException($"String {i} is null.", nameof(values)));
    }

    /// <summary>Reads what <see cref="WriteStringArray"/> wrote; <paramref name="expectedCount"/> &lt; 0 accepts any count.</summary>
    internal static string[] ReadStringArray(this BinaryReader reader, string what, int expectedCount = -1)
    {
        // Each string takes at least its one-byte length prefix.
        var result = new string[ReadLength(reader, what, 1, expectedCount)];
        for (int i = 0; i < result.Length; i++)
            result[i] = reader.ReadString();
        return result;
    }

    /// <summary>Writes a presence flag and, when present, the string.</summary>
    internal static void WriteNullableString(this BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null) writer.Write(value);
    }

    /// <summary>Reads what <see cref="WriteNullableString"/> wrote.</summary>
    internal static string? ReadNullableString(this BinaryReader reader) =>
        ReadFlag(reader, "string presence flag") ? reader.ReadString() : null;

    /// <summary>Reads a non-empty string (column names).</summary>
    internal static string ReadNonEmptyString(this BinaryReader reader, string what)
    {
        string s = reader.ReadString();
        if (s.Length == 0) throw new InvalidDataException($"{what} is empty");
        return s;
    }

    /// <summary>Reads a boolean written by <see cref="BinaryWriter.Write(bool)"/>, rejecting bytes other than 0 and 1.</summary>
    internal static bool ReadFlag(this BinaryReader reader, string what)
    {
        byte b = reader.ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new InvalidDataException($"{what} is the byte {b}, not a boolean"),
        };
    }

    /// <summary>Reads an <c>int32</c> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static int ReadInt32(this BinaryReader reader, string what, int min, int max)
    {
        int v = reader.ReadInt32();
        if (v < min || v > max) throw new InvalidDataException($"{what} is {v}, outside [{min}, {max}]");
        return v;
    }

    /// <summary>Reads a finite <c>float64</c> in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static double ReadDouble(this BinaryReader reader, string what, double min = double.MinValue, double max = double.MaxValue)
    {
        double v = reader.ReadDouble();
        if (!double.IsFinite(v) || v < min || v > max) throw new InvalidDataException($"{what} is {v}, outside [{min}, {max}]");
        return v;
    }

    /// <summary>Writes a nullable double as a presence flag and the value.</summary>
    internal static void WriteNullableDouble(this BinaryWriter writer, double? value)
    {
        writer.Write(value.HasValue);
        if (value.HasValue) writer.Write(value.Value);
    }

    /// <summary>Reads what <see cref="WriteNullableDouble"/> wrote, checking range when present.</summary>
    internal static double? ReadNullableDouble(this BinaryReader reader, string what, double min = double.MinValue, double max = double.MaxValue) =>
        ReadFlag(reader, what + " presence flag") ? ReadDouble(reader, what, min, max) : null;

    private static int ReadLength(BinaryReader reader, string what, int minBytesPerItem, int expected)
    {
        int n = reader.ReadInt32();
        if (n < 0) throw new InvalidDataException($"{what} has negative length {n}");
        if (expected >= 0 && n != expected) throw new InvalidDataException($"{what} has {n} values, expected {expected}");
        CheckAvailable(reader, what, n, minBytesPerItem);
        return n;
    }

    private static void CheckAvailable(BinaryReader reader, string what, long count, int bytesPerItem)
    {
        var s = reader.BaseStream;
        if (s.CanSeek && count * bytesPerItem > s.Length - s.Position)
            throw new InvalidDataException($"{what} claims {count} values but only {s.Length - s.Position} bytes remain");
    }

    private static string Dim(int d) => d < 0 ? "any" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

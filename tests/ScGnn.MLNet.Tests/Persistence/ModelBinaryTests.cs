using ScGnn.MLNet.Persistence;

namespace ScGnn.MLNet.Tests.Persistence;

public class ModelBinaryTests
{
    private static BinaryReader Written(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
        stream.Position = 0;
        return new BinaryReader(stream);
    }

    [Fact]
    public void Arrays_matrices_and_strings_round_trip()
    {
        var floats = new[] { 1.5f, -2f, float.Epsilon };
        var doubles = new[] { Math.PI, -0.0, 1e300 };
        var ints = new[] { 0, 7, 3 };
        var names = new[] { "Gapdh", "", "Ptprc-AS1", "基因" };
        var matrix = new float[] { 1, 2, 3, 4, 5, 6 };
        var r = Written(w =>
        {
            w.WriteFloatArray(floats);
            w.WriteDoubleArray(doubles);
            w.WriteInt32Array(ints);
            w.WriteStringArray(names);
            w.WriteFloatMatrix(2, 3, matrix);
            w.WriteNullableString(null);
            w.WriteNullableString("CellId");
            w.WriteNullableDouble(2.5);
            w.WriteNullableDouble(null);
        });
        Assert.Equal(floats, r.ReadFloatArray("floats", 3));
        Assert.Equal(doubles, r.ReadDoubleArray("doubles"));
        Assert.Equal(ints, r.ReadInt32Array("ints", 3, 0, 8));
        Assert.Equal(names, r.ReadStringArray("names", 4));
        Assert.Equal(matrix, r.ReadFloatMatrix("weights", out int rows, out int cols, 2, 3));
        Assert.Equal((2, 3), (rows, cols));
        Assert.Null(r.ReadNullableString());
        Assert.Equal("CellId", r.ReadNullableString());
        Assert.Equal(2.5, r.ReadNullableDouble("x"));
        Assert.Null(r.ReadNullableDouble("y"));
        Assert.Equal(r.BaseStream.Length, r.BaseStream.Position);
    }

    [Fact]
    public void A_claimed_length_beyond_the_data_fails_before_allocating()
    {
        var r = Written(w => { w.Write(int.MaxValue); w.Write(1f); });
        var e = Assert.Throws<InvalidDataException>(() => r.ReadFloatArray("GCN weights W1"));
        Assert.Contains("GCN weights W1", e.Message);
        Assert.Contains("claims 2147483647 values", e.Message);

        r = Written(w => { w.Write(50_000); w.Write(50_000); });
        e = Assert.Throws<InvalidDataException>(() => r.ReadFloatMatrix("PCA basis", out _, out _));
        Assert.Contains("PCA basis", e.Message);
    }

    [Fact]
    public void Lengths_values_and_flags_are_checked()
    {
        Assert.Contains("expected 4", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.WriteFloatArray(new float[3])).ReadFloatArray("means", 4)).Message);
        Assert.Contains("negative length", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.Write(-1)).ReadDoubleArray("sds")).Message);
        Assert.Contains("kept[1] is 9", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.WriteInt32Array(new[] { 0, 9 })).ReadInt32Array("kept", -1, 0, 5)).Message);
        Assert.Contains("expected 2 x any", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.WriteFloatMatrix(3, 1, new float[3])).ReadFloatMatrix("W", out _, out _, 2)).Message);
        Assert.Contains("not a boolean", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.Write((byte)7)).ReadFlag("drop")).Message);
        Assert.Contains("outside", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.Write(double.NaN)).ReadDouble("rate", 0, 1)).Message);
        Assert.Contains("is empty", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.Write("")).ReadNonEmptyString("column")).Message);
        Assert.Contains("only 0 bytes remain", Assert.Throws<InvalidDataException>(() =>
            Written(w => w.Write(2)).ReadFloatArray("short")).Message);
    }
}

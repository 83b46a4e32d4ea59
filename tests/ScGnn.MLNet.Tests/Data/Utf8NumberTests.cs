using System.Globalization;
using System.Text;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

public sealed class Utf8NumberTests
{
    private static (NumberStatus, float) Parse(string s, bool integerOnly = false, bool allowNegative = false)
    {
        var status = Utf8Number.ParseValue(Encoding.UTF8.GetBytes(s), integerOnly, allowNegative, out float v);
        return (status, v);
    }

    [Theory]
    [InlineData("0", 0f)]
    [InlineData("42", 42f)]
    [InlineData("+7", 7f)]
    [InlineData("0.1", 0.1f)]
    [InlineData("2.5", 2.5f)]
    [InlineData(".5", 0.5f)]
    [InlineData("3.", 3f)]
    [InlineData("1e3", 1000f)]
    [InlineData("1.5E-3", 0.0015f)]
    [InlineData("3.4028235E+38", float.MaxValue)]
    [InlineData("1E-45", float.Epsilon)]
    [InlineData("-0", 0f)]
    [InlineData("16777217", 16777216f)]
    public void Parses_values_like_the_framework(string text, float expected)
    {
        var (status, v) = Parse(text);
        Assert.Equal(NumberStatus.Ok, status);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(v));
    }

    [Theory]
    [InlineData("", false, "Empty")]
    [InlineData("abc", false, "NotANumber")]
    [InlineData("1.2.3", false, "NotANumber")]
    [InlineData(".", false, "NotANumber")]
    [InlineData("-", false, "NotANumber")]
    [InlineData("nan", false, "NaN")]
    [InlineData("-Infinity", false, "Infinite")]
    [InlineData("1e39", false, "TooLarge")]
    [InlineData("-1", false, "Negative")]
    [InlineData("-1e-3", false, "Negative")]
    [InlineData("1.5", true, "NotAnInteger")]
    [InlineData("1e3", true, "NotAnInteger")]
    [InlineData("NaN", true, "NaN")]
    [InlineData("-2", true, "Negative")]
    [InlineData("99999999999999999999999", true, "TooLarge")]
    public void Reports_what_is_wrong(string text, bool integerOnly, string expected)
    {
        Assert.Equal(expected, Parse(text, integerOnly).Item1.ToString());
    }

    [Fact]
    public void Shortest_round_trip_output_parses_back_bit_exactly()
    {
        var rng = new Random(7);
        for (int i = 0; i < 200_000; i++)
        {
            float f = i % 2 == 0
                ? BitConverter.Int32BitsToSingle(rng.Next() & 0x7F7FFFFF) // any positive finite bit pattern
                : MathF.Round((float)(rng.NextDouble() * Math.Pow(10, rng.Next(-3, 6))), rng.Next(0, 5));
            var text = f.ToString("R", CultureInfo.InvariantCulture);
            var (status, v) = Parse(text);
            Assert.True(status == NumberStatus.Ok && BitConverter.SingleToInt32Bits(v) == BitConverter.SingleToInt32Bits(f),
                $"'{text}' parsed as {v:R} ({status})");
        }
    }

    [Fact]
    public void Short_decimals_match_the_framework_parser()
    {
        for (int mantissa = 0; mantissa < 100_000; mantissa += 7)
            for (int scale = 0; scale <= 7; scale++)
            {
                var text = (mantissa / Math.Pow(10, scale)).ToString("F" + scale, CultureInfo.InvariantCulture);
                var (_, v) = Parse(text);
                Assert.Equal(float.Parse(text, CultureInfo.InvariantCulture), v);
            }
    }
}

using System.Globalization;

namespace ScGnn.MLNet.Data;

/// <summary>Outcome of parsing one numeric token.</summary>
internal enum NumberStatus
{
    Ok,
    Empty,
    NotANumber,
    NotAnInteger,
    NaN,
    Infinite,
    Negative,
    TooLarge,
}

/// <summary>
/// Allocation-free number parsing over UTF-8 tokens. Plain integers and short decimals (up to 7 significant digits,
/// exponent within 10) are converted by hand with one correctly rounded single-precision operation (both operands
/// are exact floats), which covers 10x counts and the shortest round-trip output of <see cref="float.ToString()"/>
/// for most values; anything else goes to the framework's span parser, which rounds correctly.
/// </summary>
internal static class Utf8Number
{
    private static readonly float[] PowersOf10 = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>Parses a non-negative decimal integer (digits only, optional leading '+').</summary>
    public static NumberStatus ParseIndex(ReadOnlySpan<byte> token, out long value)
    {
        value = 0;
        if (token.IsEmpty) return NumberStatus.Empty;
        int i = token[0] == (byte)'+' ? 1 : 0;
        if (i == token.Length) return NumberStatus.NotANumber;
        if (token[0] == (byte)'-') return NumberStatus.Negative;
        long v = 0;
        for (; i < token.Length; i++)
        {
            uint d = (uint)(token[i] - (byte)'0');
            if (d > 9) return NumberStatus.NotAnInteger;
            if (v > (long.MaxValue - d) / 10) return NumberStatus.TooLarge;
            v = v * 10 + d;
        }
        value = v;
        return NumberStatus.Ok;
    }

    /// <summary>
    /// Parses a value. With <paramref name="integerOnly"/> the token must be an integer; otherwise any invariant
    /// decimal or exponent form. NaN, infinities (including overflow of single precision) and, unless
    /// <paramref name="allowNegative"/>, negative values are reported rather than returned.
    /// </summary>
    public static NumberStatus ParseValue(ReadOnlySpan<byte> token, bool integerOnly, bool allowNegative, out float value)
    {
        value = 0;
        if (token.IsEmpty) return NumberStatus.Empty;
        int i = 0;
        bool negative = false;
        if (token[0] == (byte)'-') { negative = true; i = 1; }
        else if (token[0] == (byte)'+') i = 1;

        // Fast path: [digits][.digits] with at most 7 significant digits, or a plain integer.
        ulong mantissa = 0;
        int digits = 0, fractionDigits = 0;
        bool seenDot = false, fast = i < token.Length;
        for (int k = i; k < token.Length; k++)
        {
            byte c = token[k];
            uint d = (uint)(c - (byte)'0');
            if (d <= 9)
            {
                if (mantissa != 0 || d != 0) digits++;
                if (digits > 18) { fast = false; break; }
                mantissa = mantissa * 10 + d;
                if (seenDot) fractionDigits++;
            }
            else if (c == (byte)'.' && !seenDot && !integerOnly) seenDot = true;
            else { fast = false; break; }
        }
        if (fast && (token.Length - i) > (seenDot ? 1 : 0))
        {
            if (negative && mantissa != 0 && !allowNegative) return NumberStatus.Negative;
            if (!seenDot)
            {
                value = (float)mantissa;
                if (negative && mantissa != 0) value = -value;
                return NumberStatus.Ok;
            }
            if (digits <= 7 && fractionDigits <= 10)
            {
                value = (float)mantissa / PowersOf10[fractionDigits];
                if (negative && mantissa != 0) value = -value;
                return NumberStatus.Ok;
            }
        }
        // Spell out the special values whatever the framework accepts ("inf", "-Infinity", "nan", "NA"...).
        var word = token[i..];
        if (Utf8Fields.EqualsIgnoreCase(word, "nan")) return NumberStatus.NaN;
        if (Utf8Fields.EqualsIgnoreCase(word, "inf") || Utf8Fields.EqualsIgnoreCase(word, "infinity")) return NumberStatus.Infinite;
        if (integerOnly)
        {
            bool allDigits = i < token.Length;
            for (int k = i; k < token.Length && allDigits; k++) allDigits = (uint)(token[k] - (byte)'0') <= 9;
            if (allDigits) return negative && !allowNegative ? NumberStatus.Negative : NumberStatus.TooLarge;
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return NumberStatus.NotANumber;
            if (double.IsNaN(d)) return NumberStatus.NaN;
            if (double.IsInfinity(d)) return NumberStatus.Infinite;
            if (d < 0 && !allowNegative) return NumberStatus.Negative;
            return NumberStatus.NotAnInteger;
        }

        if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return NumberStatus.NotANumber;
        if (float.IsNaN(value)) return NumberStatus.NaN;
        if (float.IsInfinity(value))
        {
            // "1e39" overflows single precision; "Infinity" is an infinite value in the file.
            return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
                ? NumberStatus.TooLarge : NumberStatus.Infinite;
        }
        if (value < 0 && !allowNegative) return NumberStatus.Negative;
        if (value == 0) value = 0; // -0 becomes +0
        return NumberStatus.Ok;
    }

    /// <summary>A human-readable sentence for a failed parse of <paramref name="token"/>.</summary>
    public static string Describe(NumberStatus status, ReadOnlySpan<byte> token, string what)
    {
        string t = Show(token);
        return status switch
        {
            NumberStatus.Empty => $"{what} is empty.",
            NumberStatus.NotANumber => $"{what} '{t}' is not a number.",
            NumberStatus.NotAnInteger => $"{what} '{t}' is not an integer.",
            NumberStatus.NaN => $"{what} '{t}' is NaN.",
            NumberStatus.Infinite => $"{what} '{t}' is infinite.",
            NumberStatus.Negative => $"{what} '{t}' is negative; expression values must be non-negative.",
            NumberStatus.TooLarge => $"{what} '{t}' is too large (beyond single precision / 64-bit range).",
            _ => $"{what} '{t}' is invalid.",
        };
    }

    /// <summary>The token as text for a message, shortened when long.</summary>
    public static string Show(ReadOnlySpan<byte> token)
    {
        var s = System.Text.Encoding.UTF8.GetString(token.Length > 60 ? token[..60] : token);
        return token.Length > 60 ? s + "..." : s;
    }
}

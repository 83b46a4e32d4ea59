using System.Globalization;

namespace ScGnn.Samples.Cli;

/// <summary>Invariant-culture number formatting for tables and reports ("n/a" for NaN).</summary>
internal static class Fmt
{
    public static string F(double v, int decimals) =>
        double.IsNaN(v) ? "n/a" : v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>About four significant digits, without exponent for ordinary magnitudes.</summary>
    public static string G(double v)
    {
        if (double.IsNaN(v)) return "n/a";
        double a = Math.Abs(v);
        if (a == 0) return "0";
        if (a >= 1e6 || a < 1e-3) return v.ToString("G3", CultureInfo.InvariantCulture);
        int decimals = Math.Max(0, 3 - (int)Math.Floor(Math.Log10(a)));
        return v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double fraction, int decimals = 1) => F(100 * fraction, decimals) + " %";

    public static string PlusMinus(double mean, double sd, int decimals) =>
        double.IsNaN(sd) ? F(mean, decimals) : $"{F(mean, decimals)} ± {F(sd, decimals)}";
}

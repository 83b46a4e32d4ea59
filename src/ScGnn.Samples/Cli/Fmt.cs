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

    /// <summary>"17" or "17, its change of the start kept at 0.42": the imputer's kept epoch and, when shrunk, its kept fraction.</summary>
    public static string KeptEpoch(ScGnn.MLNet.Imputation.ScGnnImputationTransformer imputer) =>
        imputer.BestEpoch.ToString(CultureInfo.InvariantCulture) +
        (imputer.BestEpoch > 0 && imputer.KeptFraction < 1 ? $", its change of the start kept at {F(imputer.KeptFraction, 2)}" : "");

    public static string PlusMinus(double mean, double sd, int decimals) =>
        double.IsNaN(sd) ? F(mean, decimals) : $"{F(mean, decimals)} ± {F(sd, decimals)}";
}

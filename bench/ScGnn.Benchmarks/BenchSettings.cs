using System.Globalization;
using ScGnn.MLNet.Imputation;

namespace ScGnn.Benchmarks;

/// <summary>
/// <c>--set Name=Value[,Name=Value...]</c>: overrides of <see cref="ScGnnOptions"/> properties, e.g.
/// <c>--set NeighborCount=10,InputScale=Log1pInput</c> (the internal configuration switches too, so that the
/// experiments in docs/BENCHMARKS.md can be re-run).
/// </summary>
internal static class BenchSettings
{
    internal static void Apply(ScGnnOptions model, string? settings)
    {
        foreach (var pair in (settings ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var prop = typeof(ScGnnOptions).GetProperty(kv[0], System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
                ?? throw new ArgumentException($"--set: ScGnnOptions has no property '{kv[0]}'.");
            var type = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            object value = type.IsEnum ? Enum.Parse(type, kv[1]) : Convert.ChangeType(kv[1], type, CultureInfo.InvariantCulture);
            prop.SetValue(model, value);
        }
    }
}

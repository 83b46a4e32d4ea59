using ScGnn.MLNet.Data;
using ScGnn.MLNet.Tests.Data;
using Xunit.Abstractions;

namespace ScGnn.MLNet.Tests.Fuzz;

/// <summary>
/// Seeded byte-level mutations of the real-tool fixtures (.h5ad by anndata, .h5 in Cell Ranger layouts), read
/// by <see cref="H5adReader"/> and <see cref="TenXH5Reader"/>: each must either read or fail with an
/// <see cref="ExpressionFormatException"/> that names the file, with no other exception, no hang and no
/// allocation beyond a fixed bound. <see cref="H5Fuzz.Run"/> is shared with longer runs (more mutations, other seeds).
/// </summary>
public sealed class H5FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_h5ad_and_10x_h5_files_read_or_fail_with_a_format_error()
    {
        // SCGNN_FUZZ_SEED / SCGNN_FUZZ_MUTATIONS run a longer or different slice of the same loop.
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SCGNN_FUZZ_SEED"), out var s) ? s : 20261201;
        int mutations = int.TryParse(Environment.GetEnvironmentVariable("SCGNN_FUZZ_MUTATIONS"), out var n) ? n : 1200;
        var result = H5Fuzz.Run(seed, mutations);
        output.WriteLine($"seed {seed}: {mutations} mutations, {result.Read} read, {result.Rejected} rejected, {result.Large} allocated > 256 MB; " +
            "errors: " + string.Join("; ", result.Errors.OrderByDescending(e => e.Value).Take(12).Select(e => $"{e.Key} x{e.Value}")));
        Assert.True(result.Failures.Count == 0, $"{result.Failures.Count} failures:\n" + string.Join("\n", result.Failures.Take(20)));
        Assert.Equal(mutations, result.Read + result.Rejected);
        // Most mutations must hit something the readers notice, and some must leave a readable file.
        Assert.True(result.Rejected > mutations / 4, $"{result.Rejected} rejected");
        Assert.True(result.Read > mutations / 100, $"{result.Read} read");
        Assert.True(result.Large <= mutations / 200, $"{result.Large} reads allocated more than 256 MB");
    }
}

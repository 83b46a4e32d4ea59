using System.Diagnostics;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Fuzz;

/// <summary>The seeded mutation loop of <see cref="H5FuzzTests"/>.</summary>
public static class H5Fuzz
{
    /// <summary>
    /// Allocation allowed per read of a mutated fixture (the fixtures are under 60 KB). Our own reads are bounded by
    /// the file's size (datasets, heaps and chunks are checked first), but PureHDF sizes some object-header buffers
    /// (fill values, attribute payloads) from the header before it reads them, so a corrupt length can cost one
    /// transient array of up to 2 GB before the read fails; that is the bound here, and <see cref="Result.Large"/>
    /// counts the reads above 256 MB.
    /// </summary>
    public const long MaxAllocatedBytes = (2L << 30) + (128L << 20);

    /// <summary>What counts as a large allocation in <see cref="Result.Large"/>.</summary>
    public const long LargeAllocatedBytes = 256L << 20;

    /// <summary>Wall time allowed per read.</summary>
    public static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(20);

    private static readonly string[] Fixtures =
        ["csr.h5ad", "csc.h5ad", "dense.h5ad", "dense_gzip.h5ad", "anndata07.h5ad", "tenx_v3.h5", "tenx_v2.h5"];

    /// <summary>Outcome counts and the failures (wrong exception type, unnamed file, too much memory or time).</summary>
    public sealed record Result(int Read, int Rejected, int Large, List<string> Failures, Dictionary<string, int> Errors);

    public static Result Run(int seed, int mutations)
    {
        var rng = new Random(seed);
        var originals = Fixtures.Select(n => (Name: n, Bytes: File.ReadAllBytes(H5adReaderTests.Fixture(n)))).ToArray();
        var failures = new List<string>();
        var errors = new Dictionary<string, int>();
        int read = 0, rejected = 0, large = 0;
        using var dir = new TempDirectory();
        for (int m = 0; m < mutations; m++)
        {
            var (name, original) = originals[m % originals.Length];
            var bytes = Mutate(original, rng, out string how);
            var path = dir.File($"m{m}{Path.GetExtension(name)}");
            File.WriteAllBytes(path, bytes);
            string what = $"mutation {m} of {name} ({how})";
            var outcome = ReadOnce(path, name, m, out long allocated, out TimeSpan elapsed);
            if (allocated > MaxAllocatedBytes) failures.Add($"{what}: allocated {allocated >> 20} MB");
            if (allocated > LargeAllocatedBytes) large++;
            if (elapsed > MaxTime) failures.Add($"{what}: took {elapsed.TotalSeconds:F1} s");
            switch (outcome)
            {
                case null: read++; break;
                case ExpressionFormatException e when e.Message.StartsWith(path + ": ", StringComparison.Ordinal) && e.Problem.Length > 0:
                    rejected++;
                    var key = Category(e.Problem);
                    errors[key] = errors.GetValueOrDefault(key) + 1;
                    break;
                default: failures.Add($"{what}: {outcome.GetType().Name}: {outcome.Message}"); break;
            }
            // SCGNN_FUZZ_KEEP=<folder> keeps the files of failed mutations there, to replay them.
            if (failures.Count > 0 && failures[^1].StartsWith(what, StringComparison.Ordinal) && Environment.GetEnvironmentVariable("SCGNN_FUZZ_KEEP") is { Length: > 0 } keep)
            {
                Directory.CreateDirectory(keep);
                File.Copy(path, Path.Combine(keep, Path.GetFileName(path)), overwrite: true);
            }
            File.Delete(path);
        }
        return new Result(read, rejected, large, failures, errors);
    }

    private static Exception? ReadOnce(string path, string name, int m, out long allocated, out TimeSpan elapsed)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        Exception? outcome = null;
        try
        {
            if (name.EndsWith(".h5", StringComparison.Ordinal))
                TenXH5Reader.Read(path, new TenXReaderOptions { GeneExpressionOnly = m % 2 == 0 });
            else
            {
                // Vary which parts are read: X, the layer and raw of csr.h5ad, the gene-symbol column.
                var options = (m / Fixtures.Length % 4) switch
                {
                    1 when name == "csr.h5ad" => new H5adReaderOptions { Layer = "counts" },
                    2 when name == "csr.h5ad" => new H5adReaderOptions { UseRaw = true },
                    3 => new H5adReaderOptions { GeneSymbolColumn = "gene_symbols" },
                    _ => new H5adReaderOptions(),
                };
                H5adReader.Read(path, options);
            }
        }
        catch (Exception e)
        {
            outcome = e;
        }
        elapsed = sw.Elapsed;
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return outcome;
    }

    /// <summary>1-3 edits: bit flips, random bytes, 4/8-byte runs of boundary values, truncation, a zeroed run.</summary>
    private static byte[] Mutate(byte[] original, Random rng, out string how)
    {
        var bytes = (byte[])original.Clone();
        var parts = new List<string>();
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int at = rng.Next(bytes.Length);
            switch (rng.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    parts.Add($"flip@{at}");
                    break;
                case 1:
                    bytes[at] = (byte)rng.Next(256);
                    parts.Add($"byte@{at}");
                    break;
                case 2:
                    {
                        ulong[] boundary = [0, 1, 0x7F, 0xFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, 1UL << 40];
                        var v = BitConverter.GetBytes(boundary[rng.Next(boundary.Length)]);
                        int width = rng.Next(2) == 0 ? 4 : 8;
                        for (int k = 0; k < width && at + k < bytes.Length; k++) bytes[at + k] = v[k];
                        parts.Add($"word{width}@{at}");
                        break;
                    }
                case 3:
                    Array.Resize(ref bytes, Math.Max(8, at));
                    parts.Add($"truncate@{bytes.Length}");
                    break;
                case 4:
                    {
                        int n = Math.Min(1 + rng.Next(64), bytes.Length - at);
                        Array.Clear(bytes, at, n);
                        parts.Add($"zero{n}@{at}");
                        break;
                    }
                default:
                    // Small integers change counts, lengths and indices the most; aim at data near the end too.
                    at = bytes.Length - 1 - rng.Next(Math.Min(bytes.Length, 4096));
                    bytes[at] = (byte)(bytes[at] + 1 + rng.Next(3));
                    parts.Add($"bump@{at}");
                    break;
            }
        }
        how = string.Join(",", parts);
        return bytes;
    }

    private static string Category(string problem)
    {
        int colon = problem.IndexOf("': ", StringComparison.Ordinal);
        var rest = colon >= 0 ? problem[(colon + 3)..] : problem;
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(3);
        return string.Join(' ', words);
    }
}

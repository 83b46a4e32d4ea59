using System.IO.Compression;
using Microsoft.ML;
using ScGnn.MLNet.Persistence;

namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// The model validator and loader on a model zip. The validator must either reject with a
/// <see cref="ScGnnModelFormatException"/> naming the file, or pass a model that <c>MLContext.Model.Load</c> then
/// loads (a pass followed by a failed load is a <see cref="FuzzOutcome.Mismatch"/>). Load runs only after a pass: a
/// rejected zip bomb is never inflated.
/// </summary>
internal sealed class ModelFuzzTarget : FuzzTarget
{
    private const string File = "model.zip";

    /// <inheritdoc/>
    public override string Name => "model";

    /// <inheritdoc/>
    public override IReadOnlyList<FuzzInput> Seeds => FuzzSeeds.Of("model");

    /// <inheritdoc/>
    public override long AllocationBudget(long inputBytes) => (64L << 20) + 64 * inputBytes;

    /// <inheritdoc/>
    public override IReadOnlyList<FuzzInput> Bombs => _bombs.Value;

    private readonly Lazy<IReadOnlyList<FuzzInput>> _bombs = new(() =>
    {
            var zip = FuzzSeeds.Of("model")[0].Files[File];
            return
            [
                new("100 leading bytes", new Dictionary<string, byte[]> { [File] = [.. new byte[100], .. zip] }),
                new("entry inflating to 512 MiB", new Dictionary<string, byte[]> { [File] = ZipBomb(512L << 20) }),
                new("chain entry removed", new Dictionary<string, byte[]> { [File] = Without(zip, e => e.FullName.Contains("Transform_001", StringComparison.Ordinal)) }),
                new("empty zip", new Dictionary<string, byte[]> { [File] = Without(zip, _ => true) }),
            ];
    });

    /// <inheritdoc/>
    public override void Run(string caseFolder)
    {
        var path = Path.Combine(caseFolder, File);
        ModelFileValidator.Validate(path);
        try
        {
            new MLContext(seed: 1).Model.Load(path, out _);
        }
        catch (Exception e)
        {
            var root = e.GetBaseException();
            throw new FuzzMismatchException($"the validator passed, Load failed: {root.GetType().Name}: {root.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override bool IsSpecific(Exception e) => e is ScGnnModelFormatException;

    private static byte[] ZipBomb(long size)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var s = archive.CreateEntry("TransformerChain/Model.key", CompressionLevel.Optimal).Open();
            var block = new byte[1 << 20];
            for (long w = 0; w < size; w += block.Length) s.Write(block);
        }
        return output.ToArray();
    }

    private static byte[] Without(byte[] zip, Func<ZipArchiveEntry, bool> drop)
    {
        using var output = new MemoryStream();
        output.Write(zip);
        using (var archive = new ZipArchive(output, ZipArchiveMode.Update, leaveOpen: true))
            foreach (var e in archive.Entries.Where(drop).ToList()) e.Delete();
        return output.ToArray();
    }
}

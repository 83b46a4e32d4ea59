namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// One public entry point under fuzzing: valid seeds, crafted bombs, how a case runs, and which exceptions count
/// as the specific, expected rejection.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>Short name ("tenx", "parquet", ...), also used in reports.</summary>
    public abstract string Name { get; }

    /// <summary>Valid inputs the mutations start from.</summary>
    public abstract IReadOnlyList<FuzzInput> Seeds { get; }

    /// <summary>Crafted hostile inputs (decompression bombs, huge claims), run first in every campaign.</summary>
    public virtual IReadOnlyList<FuzzInput> Bombs => [];

    /// <summary>Files treated as line-oriented text by the mutator.</summary>
    public virtual bool IsText(string fileName) => false;

    /// <summary>Allocation allowed for a case: a fixed base plus a multiple of the input size.</summary>
    public virtual long AllocationBudget(long inputBytes) => (32L << 20) + 64 * inputBytes;

    /// <summary>
    /// Runs the entry point on a case folder. Returns normally when the input is accepted; throws what the entry
    /// point threw otherwise, or <see cref="FuzzMismatchException"/> when an oracle disagrees.
    /// </summary>
    public abstract void Run(string caseFolder);

    /// <summary>Whether <paramref name="e"/> is the specific rejection this target promises.</summary>
    public abstract bool IsSpecific(Exception e);

    /// <summary>Whether the message of a specific rejection names the input (the file, or the cell and gene).</summary>
    public virtual bool NamesInput(Exception e, string caseFolder) => e.Message.Contains(caseFolder, StringComparison.Ordinal);

    /// <summary>A mutated case from one seed; the default mutates one file.</summary>
    public virtual (FuzzInput Input, string What) Mutate(FuzzInput seed, Random rng, IReadOnlyList<byte[]> foreign)
    {
        var names = seed.Files.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var file = names[rng.Next(names.Length)];
        var (bytes, what) = FuzzMutator.Mutate(seed.Files[file], rng, IsText(file), foreign);
        return (seed.With(file, bytes), $"{file}: {what}");
    }
}

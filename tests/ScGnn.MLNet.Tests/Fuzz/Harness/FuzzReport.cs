namespace ScGnn.MLNet.Fuzz;

/// <summary>Counts of one campaign, and the cases that failed.</summary>
internal sealed class FuzzReport
{
    /// <summary>Target name.</summary>
    public required string Target { get; init; }

    /// <summary>The campaign seed (case <c>i</c> uses <c>new Random(Seed * 1_000_003 + i)</c>).</summary>
    public required int Seed { get; init; }

    /// <summary>Cases per outcome.</summary>
    public Dictionary<FuzzOutcome, int> Counts { get; } = Enum.GetValues<FuzzOutcome>().ToDictionary(o => o, _ => 0);

    /// <summary>Failed cases: index, outcome, mutation and what happened.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Largest allocation of a case, as a multiple of its input size.</summary>
    public double MaxAllocationRatio { get; set; }

    /// <summary>Largest allocation of a case, in bytes.</summary>
    public long MaxAllocation { get; set; }

    /// <summary>Slowest case, in seconds.</summary>
    public double MaxSeconds { get; set; }

    /// <summary>Bomb cases run.</summary>
    public int Bombs { get; set; }

    /// <summary>All cases run.</summary>
    public int Total => Counts.Values.Sum();

    /// <summary>Cases that are bugs.</summary>
    public int Failed => Total - Counts[FuzzOutcome.Accepted] - Counts[FuzzOutcome.Rejected];
}

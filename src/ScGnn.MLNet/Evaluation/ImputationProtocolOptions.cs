using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;

namespace ScGnn.MLNet.Evaluation;

/// <summary>Settings of <see cref="ImputationProtocol"/> (PROTOCOL.md: preprocessing, masking, fitting, scoring, per seed).</summary>
public sealed class ImputationProtocolOptions
{
    /// <summary>Number of folds; fold <c>i</c> uses seed <see cref="FirstSeed"/> + i for the mask and the model.</summary>
    public int Folds { get; set; } = 5;

    /// <summary>Seed of the first fold.</summary>
    public int FirstSeed { get; set; } = 1;

    /// <summary>Select variable genes (variance / (1 + mean) &gt; 0.5, sample variance) first (paper §3.1 step 1).</summary>
    public bool SelectGenes { get; set; } = true;

    /// <summary>Median library-size normalization after selection (paper §3.1 step 2).</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Fraction of non-zero entries masked per fold; null: the paper's <c>min(density of the raw input, 0.3)</c>.</summary>
    public double? MaskRate { get; set; }

    /// <summary>
    /// The model's settings (the seed is replaced by each fold's seed). With <see cref="UseMaskAsTargets"/> the
    /// simulated dropout entries are the model's training targets (the paper's protocol, scored on held-out test
    /// cells); otherwise the model never sees them and every masked entry is scored.
    /// </summary>
    public ScGnnOptions Model { get; set; } = new();

    /// <summary>
    /// Train on the simulated-dropout entries of the training cells and score the held-out test cells' ones (the
    /// paper's protocol; default). Configurations compared this way share seeds, splits and scored entries.
    /// When false, the model never sees the simulated-dropout entries and every one of them is scored.
    /// </summary>
    public bool UseMaskAsTargets { get; set; } = true;

    /// <summary>Fraction of cells held out as test cells when <see cref="UseMaskAsTargets"/> is set (paper: 0.05).</summary>
    public double TestFraction { get; set; } = Imputation.ScGnnTrainer.PaperDefaults.TestFraction;

    /// <summary>Input column of raw counts.</summary>
    public string InputColumnName { get; set; } = ScGnnDefaults.ExpressionColumnName;

    /// <summary>Called after each fold.</summary>
    public Action<ImputationFoldResult>? FoldCompleted { get; set; }

    /// <summary>The paper's configuration and protocol (reference notebook settings, mask entries as targets).</summary>
    public static ImputationProtocolOptions Paper() => new() { Model = ScGnnOptions.Paper() };

    internal void Validate()
    {
        if (Folds < 1) throw new ArgumentOutOfRangeException(nameof(Folds), $"Folds must be at least 1 (got {Folds}).");
        if (MaskRate is not null and (<= 0 or >= 1))
            throw new ArgumentOutOfRangeException(nameof(MaskRate), $"MaskRate must be in (0, 1) (got {MaskRate}).");
        if (TestFraction is <= 0 or >= 0.5)
            throw new ArgumentOutOfRangeException(nameof(TestFraction), $"TestFraction must be in (0, 0.5) (got {TestFraction}).");
        ArgumentNullException.ThrowIfNull(Model);
        Model.Validate();
    }
}

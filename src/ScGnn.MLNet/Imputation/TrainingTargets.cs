using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Preprocessing;
using Targets = (int[] Cells, int[] Genes, float[] Values);

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Paper step 3, the training targets: cells split into training, validation and test roles, and the fixed mask of
/// non-zero entries the network learns to predict (given, or drawn at the paper's rate), applied to the input.
/// </summary>
internal sealed class TrainingTargets
{
    internal const int RoleTrain = 0, RoleValidation = 1, RoleTest = 2;

    // With a drawn mask: the observed matrix and the drawn mask's validation and test entries (null with a given mask).
    private readonly (CsrMatrix Observed, MaskedEntries HeldOut)? _drawn;

    private TrainingTargets(CsrMatrix input, int[] roles, double rate, long nonZeros, MaskedEntries train, MaskedEntries validation, MaskedEntries test,
        (CsrMatrix, MaskedEntries)? drawn)
    {
        _drawn = drawn;
        Input = input;
        Roles = roles;
        Rate = rate;
        NonZeros = nonZeros;
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The input with the mask applied (masked entries removed).</summary>
    internal CsrMatrix Input { get; }

    /// <summary>Each cell's role: <see cref="RoleTrain"/>, <see cref="RoleValidation"/> or <see cref="RoleTest"/>.</summary>
    internal int[] Roles { get; }

    /// <summary>The mask rate used.</summary>
    internal double Rate { get; }

    /// <summary>Non-zero entries of the observed input.</summary>
    internal long NonZeros { get; }

    internal MaskedEntries Train { get; }
    internal MaskedEntries Validation { get; }
    internal MaskedEntries Test { get; }

    /// <summary>Whether the trainer drew the mask itself (no mask was given).</summary>
    internal bool MaskDrawn => _drawn is not null;

    /// <summary>
    /// The input as imputation will read it around the validation and test targets: the observed matrix without
    /// those targets, the training targets back in place. With a given mask, <see cref="Input"/> (that mask is hidden
    /// at imputation too).
    /// </summary>
    internal CsrMatrix HeldOutInput() =>
        _drawn is { } d ? Without(d.Observed, d.HeldOut) : Input;

    /// <summary>
    /// Splits the cells, then draws the mask (or takes <paramref name="givenMask"/>, entries already zero in
    /// <paramref name="x"/>), consuming <paramref name="rng"/> in that order.
    /// </summary>
    internal static TrainingTargets Create(CsrMatrix x, MaskedEntries? givenMask, ScGnnOptions o, Random rng)
    {
        int cells = x.Rows, genes = x.Columns;
        var roles = SplitCells(cells, o.ValidationFraction, o.TestFraction, rng);

        // The fixed mask: given (paper protocol) or drawn once from the non-zeros (paper: min(density, 0.3)).
        long nnz = 0;
        foreach (float v in x.Values) if (v != 0) nnz++;
        if (nnz == 0) throw new ArgumentException("The input has no non-zero entries to learn from.");
        double rate = o.MaskRate ?? DropoutSimulatingEstimator.PaperMaskRateOf(nnz, (double)cells * genes);
        MaskedEntries mask;
        var input = x;
        (CsrMatrix, MaskedEntries)? drawn = null;
        if (givenMask is not null) mask = givenMask;
        else
        {
            mask = DrawMask(x, rate, _ => true, rng);
            input = Without(x, mask);
            drawn = (x, mask.Where(c => roles[c] != RoleTrain));
        }
        var train = mask.Where(c => roles[c] == RoleTrain);
        if (train.Count == 0)
            throw new ArgumentException($"ScGnn has no training targets: no masked entry falls in the training cells ({nnz} non-zero entries, " +
                $"mask rate {rate:F3}). Use more cells or genes, or a higher MaskRate.");
        return new TrainingTargets(input, roles, rate, nnz, train, mask.Where(c => roles[c] == RoleValidation), mask.Where(c => roles[c] == RoleTest),
            drawn);
    }

    internal static int[] SplitCells(int cells, double validationFraction, double testFraction, Random rng)
    {
        var order = Enumerable.Range(0, cells).ToArray();
        rng.Shuffle(order);
        int nVal = validationFraction > 0 ? Math.Max(1, (int)Math.Round(cells * validationFraction)) : 0;
        int nTest = testFraction > 0 ? Math.Max(1, (int)Math.Round(cells * testFraction)) : 0;
        if (nVal + nTest >= cells) throw new ArgumentException($"Too few cells ({cells}) for the validation and test fractions.");
        var roles = new int[cells];
        for (int i = 0; i < nVal; i++) roles[order[i]] = RoleValidation;
        for (int i = nVal; i < nVal + nTest; i++) roles[order[i]] = RoleTest;
        return roles;
    }

    /// <summary>Chooses floor(rate x eligible non-zeros) entries uniformly without replacement, sorted by cell then gene.</summary>
    internal static MaskedEntries DrawMask(CsrMatrix x, double rate, Func<int, bool> eligibleCell, Random rng)
    {
        // Positions of the eligible non-zeros in x, in cell-then-gene order: one int per non-zero, shuffled in place.
        long eligible = 0;
        for (int c = 0; c < x.Rows; c++)
            if (eligibleCell(c))
                for (int q = x.RowPointers[c]; q < x.RowPointers[c + 1]; q++) if (x.Values[q] != 0) eligible++;
        var pos = new int[eligible];
        int n = 0;
        for (int c = 0; c < x.Rows; c++)
            if (eligibleCell(c))
                for (int q = x.RowPointers[c]; q < x.RowPointers[c + 1]; q++) if (x.Values[q] != 0) pos[n++] = q;
        int take = (int)Math.Floor(rate * n);
        // A partial Fisher-Yates over the positions; they ascend with the entry order, so sorting the chosen positions
        // orders the entries by cell then gene.
        for (int i = 0; i < take; i++)
        {
            int j = rng.Next(i, n);
            (pos[i], pos[j]) = (pos[j], pos[i]);
        }
        Array.Sort(pos, 0, take);
        var cells = new int[take]; var genes = new int[take]; var values = new float[take];
        int row = 0;
        for (int e = 0; e < take; e++)
        {
            int q = pos[e];
            while (x.RowPointers[row + 1] <= q) row++;
            cells[e] = row; genes[e] = x.ColumnIndices[q]; values[e] = x.Values[q];
        }
        return new MaskedEntries(cells, genes, values);
    }

    // The core's one log1p (float, MathF, as CsrMatrix.Log1p), so every consumer reads identical values.
    internal static float[] Log1pOf(float[] v) => v.Select(val => MathF.Log(1 + val)).ToArray();

    // x without the masked entries (sorted by cell then gene, every one stored in x).
    private static CsrMatrix Without(CsrMatrix x, MaskedEntries mask)
    {
        var ptr = new int[x.Rows + 1];
        var cols = new int[x.StoredCount - mask.Count];
        var vals = new float[cols.Length];
        int at = 0, m = 0;
        for (int i = 0; i < x.Rows; i++)
        {
            var idx = x.RowIndices(i); var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
            {
                if (m < mask.Count && mask.Cells[m] == i && mask.Genes[m] == idx[q]) { m++; continue; }
                cols[at] = idx[q]; vals[at] = val[q]; at++;
            }
            ptr[i + 1] = at;
        }
        return new CsrMatrix(x.Rows, x.Columns, ptr, cols, vals);
    }
}

using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;

namespace ScGnn.MLNet.Fuzz;

/// <summary>
/// The trainer's input check, through the API: a dense cells x genes float block (the case file: int32 cells,
/// int32 genes, then row-major float32) becomes an <see cref="IDataView"/>. The oracle knows which values SCGNN
/// refuses (negative, NaN, infinite, above <see cref="ExpressionValueCheck.MaxValue"/>): an input with one must make
/// <c>Fit</c> throw an <see cref="ArgumentException"/> naming a bad entry's cell and gene, before any
/// training (the message names one bad entry: non-finite values are caught while the
/// column is read, the others by the check); an input without one must pass the check (it is not trained here, to keep cases fast).
/// </summary>
internal sealed class TrainerInputFuzzTarget : FuzzTarget
{
    private const string File = "input.bin";
    private static readonly float[] Interesting =
    [
        -5, -1e-30f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3e38f, float.MaxValue, 1e13f, 1e12f, 0.5f,
        float.Epsilon, -0f, 1e-45f, 65504, -float.Epsilon, 1.0000001e12f,
    ];

    private readonly List<(string Cell, string Gene)> _bad = [];

    /// <inheritdoc/>
    public override string Name => "trainer-input";

    /// <inheritdoc/>
    public override IReadOnlyList<FuzzInput> Seeds { get; } = [Block("counts", FuzzSeeds.Counts()), Block("normalized", FuzzSeeds.Normalized())];

    /// <inheritdoc/>
    public override (FuzzInput Input, string What) Mutate(FuzzInput seed, Random rng, IReadOnlyList<byte[]> foreign)
    {
        var bytes = (byte[])seed.Files[File].Clone();
        int floats = (bytes.Length - 8) / 4;
        var what = new List<string>();
        int edits = 1 + rng.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int k = rng.Next(floats);
            if (rng.Next(3) == 0)
            {
                int bit = rng.Next(32);
                int p = 8 + 4 * k + bit / 8;
                bytes[p] ^= (byte)(1 << (bit % 8));
                what.Add($"flip bit {bit} of value {k}");
            }
            else
            {
                float v = Interesting[rng.Next(Interesting.Length)];
                BitConverter.GetBytes(v).CopyTo(bytes, 8 + 4 * k);
                what.Add($"value {k} = {v.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }
        return (seed.With(File, bytes), string.Join(", ", what));
    }

    /// <inheritdoc/>
    public override void Run(string caseFolder)
    {
        var bytes = System.IO.File.ReadAllBytes(Path.Combine(caseFolder, File));
        int cells = BitConverter.ToInt32(bytes, 0), genes = BitConverter.ToInt32(bytes, 4);
        var values = new float[cells * genes];
        Buffer.BlockCopy(bytes, 8, values, 0, values.Length * 4);
        _bad.Clear();
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != 0 && !(v >= 0 && v <= ExpressionValueCheck.MaxValue))
                _bad.Add(("cell" + (i / genes).ToString(CultureInfo.InvariantCulture), "gene" + (i % genes).ToString(CultureInfo.InvariantCulture)));
        }
        var ml = new MLContext(seed: 1);
        var view = View(ml, values, cells, genes);
        if (_bad.Count == 0)
        {
            // What Fit runs first; training itself is covered by the trainer's own tests.
            ExpressionValueCheck.Check(ExpressionMatrix.FromDataView(view, ScGnnDefaults.ExpressionColumnName, null), ScGnnDefaults.ExpressionColumnName);
            return;
        }
        var trainer = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 2, PrincipalComponentCount = 2, NeighborCount = 2 });
        trainer.Fit(view);
        throw new FuzzMismatchException($"Fit accepted input with a bad value at {_bad[0].Cell}, {_bad[0].Gene}");
    }

    /// <inheritdoc/>
    public override bool IsSpecific(Exception e) => e is ArgumentException;

    /// <inheritdoc/>
    public override bool NamesInput(Exception e, string caseFolder) =>
        _bad.Any(b => e.Message.Contains($"'{b.Cell}'", StringComparison.Ordinal) && e.Message.Contains($"'{b.Gene}'", StringComparison.Ordinal));

    private static FuzzInput Block(string name, ExpressionMatrix m)
    {
        var dense = m.ToDense();
        var bytes = new byte[8 + 4 * dense.Length];
        BitConverter.GetBytes(m.CellCount).CopyTo(bytes, 0);
        BitConverter.GetBytes(m.GeneCount).CopyTo(bytes, 4);
        Buffer.BlockCopy(dense, 0, bytes, 8, dense.Length * 4);
        return new FuzzInput(name, new Dictionary<string, byte[]> { [File] = bytes });
    }

    private sealed class Row
    {
        public float[] Expression { get; set; } = [];
    }

    private static IDataView View(MLContext ml, float[] values, int cells, int genes)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Expression)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, genes);
        var rows = Enumerable.Range(0, cells).Select(c => new Row { Expression = values.AsSpan(c * genes, genes).ToArray() }).ToList();
        return ml.Data.LoadFromEnumerable(rows, schema);
    }
}

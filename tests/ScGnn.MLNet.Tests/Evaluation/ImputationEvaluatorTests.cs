using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class ImputationEvaluatorTests
{
    private sealed class Row
    {
        [VectorType(4)] public VBuffer<float> Imputed { get; set; }
        [VectorType(4)] public VBuffer<float> DropoutMask { get; set; }
    }

    private static VBuffer<float> Sparse(int size, params (int Index, float Value)[] entries)
        => new(size, entries.Length, entries.Select(e => e.Value).ToArray(), entries.Select(e => e.Index).ToArray());

    private static VBuffer<float> Dense(params float[] values) => new(values.Length, values);

    // row 0: dense imputed, masked slots 1 and 3 -> pairs (2, 2.5), (4, 5)
    // row 1: sparse imputed (slot 2 absent = 0), masked slots 0 and 2 -> pairs (1, 2), (0, 1)
    // row 2: nothing masked
    private static IDataView Data() => new MLContext(1).Data.LoadFromEnumerable(new[]
    {
        new Row { Imputed = Dense(1, 2, 3, 4), DropoutMask = Sparse(4, (1, 2.5f), (3, 5f)) },
        new Row { Imputed = Sparse(4, (0, 1f)), DropoutMask = Sparse(4, (0, 2f), (2, 1f)) },
        new Row { Imputed = Dense(9, 9, 9, 9), DropoutMask = Sparse(4) },
    });

    [Fact]
    public void Scores_only_masked_entries_with_sparse_or_dense_imputed_rows()
    {
        var r = ImputationEvaluator.Evaluate(Data(), "Imputed", "DropoutMask");
        Assert.Equal(4, r.Overall.Count);
        Assert.Equal((0.25 + 1 + 1 + 1) / 4, r.Overall.Mse, 12);
        Assert.Null(r.Seen);
        Assert.Null(r.Unseen);
        Assert.False(r.HasSplit);
        Assert.Equal(3, r.RowCount);
    }

    [Fact]
    public void Splits_seen_and_unseen_rows_three_ways_with_the_same_result()
    {
        var bySet = ImputationEvaluator.Evaluate(Data(), "Imputed", "DropoutMask", new HashSet<int> { 0 });
        var byFlags = ImputationEvaluator.Evaluate(Data(), "Imputed", "DropoutMask", new[] { true, false, false });
        var byPredicate = ImputationEvaluator.Evaluate(Data(), "Imputed", "DropoutMask", row => row == 0);
        foreach (var r in new[] { bySet, byFlags, byPredicate })
        {
            Assert.Equal(1, r.SeenRowCount);
            Assert.Equal(2, r.Seen!.Count);
            Assert.Equal((0.25 + 1) / 2, r.Seen.Mse, 12);
            Assert.Equal(2, r.Unseen!.Count);
            Assert.Equal(1.0, r.Unseen.Mse, 12);
            Assert.Equal(4, r.Overall.Count);
        }
    }

    [Fact]
    public void Errors_name_the_problem()
    {
        var data = Data();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ImputationEvaluator.Evaluate(data, "Nope", "DropoutMask"));
        Assert.Contains("Nope", ex.Message);
        Assert.Throws<ArgumentException>(() => ImputationEvaluator.Evaluate(data, "Imputed", "DropoutMask", new[] { true, false }));
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => ImputationEvaluator.Evaluate(data, "Imputed", "DropoutMask", new HashSet<int> { 0, 7 }));
        Assert.Contains("row count 3", ex2.Message);

        var wrongSize = new MLContext(1).Data.LoadFromEnumerable(new[] { new Small { Imputed = new float[3], DropoutMask = new float[4] } });
        var ex3 = Assert.Throws<ArgumentOutOfRangeException>(() => ImputationEvaluator.Evaluate(wrongSize, "Imputed", "DropoutMask"));
        Assert.Contains("3", ex3.Message);
    }

    private sealed class Small
    {
        [VectorType(3)] public float[] Imputed { get; set; } = Array.Empty<float>();
        [VectorType(4)] public float[] DropoutMask { get; set; } = Array.Empty<float>();
    }
}

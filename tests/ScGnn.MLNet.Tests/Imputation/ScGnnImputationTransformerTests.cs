using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ScGnnImputationTransformerTests
{
    private static ScGnnOptions Quick(int epochs = 5) =>
        new() { Epochs = epochs, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu };

    private static List<(ChannelMessageKind Kind, string Message)> Listen(MLContext ml)
    {
        var log = new List<(ChannelMessageKind, string)>();
        ml.Log += (_, e) => { lock (log) log.Add((e.Kind, e.Message)); };
        return log;
    }

    private static float[][] Output(IDataView data) => data.GetColumn<VBuffer<float>>(ScGnnTrainer.Defaults.OutputColumnName)
        .Select(v => v.DenseValues().ToArray()).ToArray();

    [Fact]
    public void The_batch_in_the_models_genes_shares_its_arrays_and_a_reordered_one_is_remapped_and_sorted()
    {
        // 2 cells x 3 genes: [1 0 2; 0 3 4].
        var batch = new ExpressionMatrix(new[] { "c0", "c1" }, new[] { "a", "b", "c" }, new[] { 0, 2, 4 }, new[] { 0, 2, 1, 2 },
            new[] { 1f, 2f, 3f, 4f });
        var same = ScGnnImputationTransformer.ToModelGenes(batch, new[] { 0, 1, 2 }, 3);
        Assert.Same(batch.ValueArray, same.Values);
        Assert.Same(batch.ColumnIndexArray, same.ColumnIndices);

        // Model genes (c, a): batch slot a -> 1, b dropped, c -> 0.
        var mapped = ScGnnImputationTransformer.ToModelGenes(batch, new[] { 1, -1, 0 }, 2);
        Assert.Equal(new[] { 0, 2, 3 }, mapped.RowPointers);
        Assert.Equal(new[] { 0, 1, 0 }, mapped.ColumnIndices);
        Assert.Equal(new[] { 2f, 1f, 4f }, mapped.Values);
    }

    [Fact]
    public void A_PredictionEngine_on_a_chain_with_the_imputer_says_to_use_Transform()
    {
        var ml = new MLContext(1);
        var data = TwoGroupData.Create().Observed.ToDataView();
        var chain = ml.Transforms.NormalizeMedianLibrarySize().Append(ml.Transforms.ImputeWithScGnn(Quick(2))).Fit(data);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Model.CreatePredictionEngine<Cell, ImputedCell>(chain));
        Assert.Contains("ScGnn imputer", e.Message);
        Assert.Contains("cannot back a PredictionEngine", e.Message);
        Assert.Contains("Transform", e.Message);
    }

    [Fact]
    public void The_fitted_cells_get_a_graph_of_their_complete_values_as_other_batches_do()
    {
        var ml = new MLContext(1);
        var log = Listen(ml);
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(Quick()).Fit(observed.ToDataView());
        var same = Output(model.Transform(observed.ToDataView()));
        // The fitted graph is of the fit's masked input: the complete cells are another matrix, imputed on their own graph.
        Assert.DoesNotContain(log, l => l.Message.Contains("fitted graph reused"));
        var x = CsrMatrix.From(observed);
        var expected = ScGnnPredictor.Prepare(model.State, x, ScGnnDevice.Cpu, graph: null).PredictRows(0, 60);
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 40; j++)
                Assert.Equal(observed[i, j] != 0 ? observed[i, j] : Math.Max(0, expected[i * 40 + j]), same[i][j]);

        log.Clear();
        var other = TwoGroupData.Create(seed: 12).Observed;
        Output(model.Transform(other.ToDataView()));
        Assert.DoesNotContain(log, l => l.Message.Contains("fitted graph reused"));
        Assert.Contains(log, l => l.Message.Contains("graph and hidden layer of 60 cells x 40 genes"));
    }

    [Fact]
    public void The_output_view_computes_its_rows_block_by_block()
    {
        var ml = new MLContext(1);
        var log = Listen(ml);
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(Quick()).Fit(observed.ToDataView());
        var whole = Output(model.Transform(observed.ToDataView()));
        Assert.DoesNotContain(log, l => l.Message.Contains("ScGnn: imputed cells"));
        model.PredictionBlockRows = 7;
        var blocked = Output(model.Transform(observed.ToDataView()));
        for (int i = 0; i < 60; i++)
            for (int j = 0; j < 40; j++) Assert.Equal(whole[i][j], blocked[i][j], 4);
        // Nine blocks of at most 7 cells, each reported with the time left.
        Assert.Equal(9, log.Count(l => l.Message.Contains("ScGnn: imputed cells")));
        Assert.Contains(log, l => l.Message.Contains("ScGnn: imputed cells 57-60 of 60") && l.Message.Contains("s left"));
    }

    [Fact]
    public void A_batch_too_small_for_the_graph_gets_a_warning()
    {
        var ml = new MLContext(1);
        var log = Listen(ml);
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(Quick(2)).Fit(observed.ToDataView());
        Assert.DoesNotContain(log, l => l.Kind == ChannelMessageKind.Warning);
        var five = observed.SelectCells(new[] { 0, 1, 2, 3, 4 });
        var imputed = Output(model.Transform(five.ToDataView()));
        Assert.Equal(5, imputed.Length);
        var warning = Assert.Single(log, l => l.Kind == ChannelMessageKind.Warning);
        Assert.Contains("batch of 5 cells is too small", warning.Message);
        Assert.Contains("k = 10", warning.Message);
    }

    [Fact]
    public void Negative_input_is_refused_naming_the_cell_and_gene()
    {
        var ml = new MLContext(1);
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(Quick(2)).Fit(observed.ToDataView());
        var dense = observed.ToDense();
        // (Non-finite values never get this far: ExpressionMatrix refuses them, naming the cell and gene.)
        dense[3 * 40 + 5] = -5;
        var bad = ExpressionMatrix.FromDense(dense, observed.CellIds, observed.GeneIds);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Output(model.Transform(bad.ToDataView())));
        Assert.Contains("holds -5 for cell 'cell3'", e.Message);
        Assert.Contains("gene 'G5'", e.Message);
    }

    [Fact]
    public void Every_output_is_finite_and_non_negative()
    {
        var ml = new MLContext(1);
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions
        {
            Epochs = 20, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu, OutputMode = ImputationOutputMode.Denoise,
        }).Fit(observed.ToDataView());
        Assert.All(Output(model.Transform(TwoGroupData.Create(seed: 3).Observed.ToDataView())).SelectMany(r => r),
            v => Assert.True(float.IsFinite(v) && v >= 0, $"{v}"));
    }

    // MLContext.CancelExecution is internal in ML.NET 5 (AutoML and Model Builder call it); reach it as they do.
    private static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(ml, null);

    [Fact]
    public void CancelExecution_stops_a_fit_between_epochs()
    {
        var ml = new MLContext(1);
        int seen = 0;
        var o = Quick(200);
        o.Progress = p => { seen = p.Epoch; if (p.Epoch == 3) CancelExecution(ml); };
        var estimator = ml.Transforms.ImputeWithScGnn(o);
        Assert.ThrowsAny<OperationCanceledException>(() => estimator.Fit(TwoGroupData.Create().Observed.ToDataView()));
        // Checked right after the epoch that cancelled: no fourth epoch ran.
        Assert.Equal(3, seen);

        // The options' token works the same way, and before any work when already cancelled.
        using var cts = new CancellationTokenSource();
        var t = Quick(200);
        t.CancellationToken = cts.Token;
        t.Progress = p => { seen = p.Epoch; if (p.Epoch == 2) cts.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => new MLContext(1).Transforms.ImputeWithScGnn(t).Fit(TwoGroupData.Create().Observed.ToDataView()));
        Assert.Equal(2, seen);
    }

    [Fact]
    public void CancelExecution_stops_a_fit_inside_the_neighbour_search()
    {
        var ml = new MLContext(1);
        var steps = new List<string>();
        var stages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Message.Contains("ScGnn: cell graph")) stages.Add(e.Message);
            if (!e.Message.Contains("ScGnn: projection in") && !e.Message.Contains("ScGnn: kNN (")) return;
            steps.Add(e.Message);
            // The next check is the first inside the kNN search.
            if (e.Message.Contains("projection")) CancelExecution(ml);
        };
        var estimator = ml.Transforms.ImputeWithScGnn(Quick(200));
        Assert.ThrowsAny<OperationCanceledException>(() => estimator.Fit(TwoGroupData.Create().Observed.ToDataView()));
        Assert.Single(steps);
        Assert.Contains("projection", steps[0]);
        // The stage left by the cancellation says it stopped, not that it was done.
        Assert.Equal(2, stages.Count);
        Assert.EndsWith("...", stages[0]);
        Assert.Matches(@"ScGnn: cell graph \(PCA .*\) of \d+ cells x \d+ genes stopped after [0-9.]+ s$", stages[1]);
    }

    [Fact]
    public void CancelExecution_stops_the_smoothing_between_cross_validated_candidates()
    {
        var ml = new MLContext(1);
        var candidates = new List<string>();
        ml.Log += (_, e) =>
        {
            if (!e.Message.Contains("smoothing cross-validated k =")) return;
            candidates.Add(e.Message);
            CancelExecution(ml);
        };
        var observed = TwoGroupData.Create().Observed;
        var model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { OutputMode = ImputationOutputMode.Smoothed }).Fit(observed.ToDataView());
        Assert.ThrowsAny<OperationCanceledException>(() => Output(model.Transform(observed.ToDataView())));
        // The first of the three candidates ran; the second was never started.
        Assert.Single(candidates);
    }

    [Fact]
    public void Stages_and_epochs_are_reported_on_the_ML_NET_log_with_the_time_left()
    {
        var ml = new MLContext(1);
        var log = Listen(ml);
        var o = Quick(60);
        o.EarlyStoppingPatience = 0; // every epoch runs
        var progress = new List<ScGnnEpochProgress>();
        o.Progress = progress.Add;
        var model = ml.Transforms.ImputeWithScGnn(o).Fit(TwoGroupData.Create().Observed.ToDataView());
        var messages = log.Select(l => l.Message).ToList();
        Assert.Contains(messages, m => m.Contains("ScGnn: cell graph (PCA 8, kNN k=10) of 60 cells x 40 genes..."));
        Assert.Contains(messages, m => m.Contains("ScGnn: cell graph") && m.Contains("done in"));
        Assert.Contains(messages, m => m.Contains("ScGnn: epoch 50/60") && m.Contains("s left"));
        Assert.Contains(messages, m => m.Contains($"ScGnn: kept epoch {model.BestEpoch} of 60"));
        Assert.Contains(messages, m => m.Contains("ScGnn: library default model ("));
        // The callback sees the time so far and an estimate of what is left; the last epoch has nothing left.
        Assert.Equal(60, progress.Count);
        Assert.True(progress[^1].Elapsed > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, progress[^1].Remaining);
        Assert.True(progress[9].Remaining > TimeSpan.Zero);
        // The kept epoch is one number everywhere: the last report, the model, the history.
        Assert.Equal(model.BestEpoch, progress[^1].BestEpoch);
        Assert.Equal(model.BestEpoch, model.TrainingHistory[^1].BestEpoch);
    }

    [Fact]
    public void Raw_counts_over_all_genes_get_a_warning()
    {
        var ml = new MLContext(1);
        var log = Listen(ml);
        // 12 cells x 5,001 genes of whole numbers: what a user gets by skipping gene selection and normalization.
        var rng = new Random(1);
        var dense = Enumerable.Range(0, 12 * 5001).Select(_ => rng.NextDouble() < 0.2 ? (float)rng.Next(1, 9) : 0f).ToArray();
        var raw = ExpressionMatrix.FromDense(dense, Enumerable.Range(0, 12).Select(i => $"c{i}").ToArray(),
            Enumerable.Range(0, 5001).Select(j => $"g{j}").ToArray());
        ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 1, PrincipalComponentCount = 2, NeighborCount = 3, Device = ScGnnDevice.Cpu })
            .Fit(raw.ToDataView());
        var warning = Assert.Single(log, l => l.Kind == ChannelMessageKind.Warning);
        Assert.Contains("raw counts over all genes (5001 genes", warning.Message);
        Assert.Contains("SelectVariableGenes", warning.Message);
    }

    [Fact]
    public void Test_cells_are_reported_for_evaluation()
    {
        var ml = new MLContext(1);
        var o = ScGnnOptions.Paper();
        o.Epochs = 2; o.BottleneckRatio = 8; o.PrincipalComponentCount = 8; o.Device = ScGnnDevice.Cpu;
        var model = ml.Transforms.ImputeWithScGnn(o).Fit(TwoGroupData.Create().Observed.ToDataView());
        // round(60 x 0.05) = 3 test cells, distinct rows in order; none with the library default.
        Assert.Equal(3, model.TestCells.Count);
        Assert.Equal(model.TestCells.Order().Distinct(), model.TestCells);
        Assert.Empty(ml.Transforms.ImputeWithScGnn(Quick(2)).Fit(TwoGroupData.Create().Observed.ToDataView()).TestCells);
    }

    private sealed class Cell
    {
        [VectorType(40)]
        public float[] Expression { get; set; } = Array.Empty<float>();
    }

    private sealed class ImputedCell
    {
        public float[] Imputed { get; set; } = Array.Empty<float>();
    }
}

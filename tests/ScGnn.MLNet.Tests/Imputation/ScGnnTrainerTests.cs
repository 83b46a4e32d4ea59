using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Numerics;
using TorchSharp;

namespace ScGnn.MLNet.Tests.Imputation;

[Collection(TorchCollection.Name)]
public sealed class ScGnnTrainerTests
{
    // The paper's network on tiny batches (30-60 cells): fewer epochs and a wider bottleneck.
    private static ScGnnOptions Fast(int seed = 1)
    {
        var o = ScGnnOptions.Paper();
        o.Epochs = 150;
        o.BottleneckRatio = 8;
        o.PrincipalComponentCount = 10;
        o.TestFraction = 0;
        o.Seed = seed;
        o.Device = ScGnnDevice.Cpu;
        return o;
    }

    private static float[][] Column(IDataView data, string name)
    {
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor(data.Schema.Where(c => c.Name == name));
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[name]);
        VBuffer<float> buf = default;
        while (cursor.MoveNext()) { getter(ref buf); rows.Add(buf.DenseValues().ToArray()); }
        return rows.ToArray();
    }

    [Fact]
    public void Training_loss_decreases_and_the_best_epoch_is_kept()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var model = ml.Transforms.ImputeWithScGnn(Fast()).Fit(observed.ToDataView());
        var h = model.TrainingHistory;
        Assert.Equal(150, h.Count);
        Assert.True(h.Skip(130).Average(p => p.TrainLoss) < 0.5 * h.Take(10).Average(p => p.TrainLoss),
            $"loss {h[0].TrainLoss} -> {h[^1].TrainLoss}");
        int best = model.BestEpoch;
        Assert.InRange(best, 0, 150);
        if (best >= 1)
            Assert.Equal(h.Where(p => !double.IsNaN(p.ValidationLoss)).Min(p => p.ValidationLoss), h[best].ValidationLoss, 6);
    }

    [Fact]
    public void Imputation_beats_leaving_zeros_and_keeps_observed_values()
    {
        var ml = new MLContext(1);
        var (observed, truth, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        var output = ml.Transforms.ImputeWithScGnn(Fast()).Fit(data).Transform(data);
        var imputed = Column(output, ScGnnTrainer.Defaults.OutputColumnName);
        double seZero = 0, seModel = 0;
        int dropped = 0;
        for (int i = 0; i < observed.CellCount; i++)
            for (int j = 0; j < observed.GeneCount; j++)
            {
                float obs = observed[i, j], t = truth[i * observed.GeneCount + j], v = imputed[i][j];
                Assert.True(v >= 0, "imputed values are never negative");
                if (obs != 0) Assert.Equal(obs, v); // observed non-zeros are kept exactly
                else if (t != 0) { dropped++; seZero += t * t; seModel += (v - t) * (v - t); }
            }
        Assert.True(dropped > 50);
        Assert.True(seModel < 0.5 * seZero, $"model MSE {seModel / dropped:F2} vs zeros {seZero / dropped:F2}");
    }

    [Fact]
    public void Defaults_and_paper_configuration_both_recover_simulated_dropouts()
    {
        var ml = new MLContext(1);
        var sim = ScGnn.MLNet.Simulation.ExpressionSimulator.Simulate(new ScGnn.MLNet.Simulation.SimulationOptions { CellCount = 300, GeneCount = 200, Seed = 5 });
        // As the pipeline does: median library-size normalization first; the truth is scaled by the same factors.
        var raw = sim.Observed.ToDataView();
        var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(raw).Transform(raw);
        var normalized = ScGnn.MLNet.Data.ExpressionMatrix.FromDataView(data);
        var factor = new double[sim.Observed.CellCount];
        for (int i = 0; i < factor.Length; i++)
        {
            int k = sim.Observed.RowIndices(i)[0];
            factor[i] = normalized[i, k] / (double)sim.Observed[i, k];
        }
        double Error(ScGnnOptions o)
        {
            o.Epochs = 300; o.Device = ScGnnDevice.Cpu; o.BottleneckRatio = 16;
            var imputed = Column(ml.Transforms.ImputeWithScGnn(o).Fit(data).Transform(data), ScGnnTrainer.Defaults.OutputColumnName);
            double se = 0; int n = 0;
            for (int i = 0; i < sim.Observed.CellCount; i++)
                for (int j = 0; j < sim.Observed.GeneCount; j++)
                    if (sim.Observed[i, j] == 0 && sim.TrueCounts[i, j] != 0)
                    {
                        double r = imputed[i][j] - sim.TrueCounts[i, j] * factor[i];
                        se += r * r; n++;
                    }
            return se / n;
        }
        double zeros = 0; int count = 0;
        for (int i = 0; i < sim.Observed.CellCount; i++)
            for (int j = 0; j < sim.Observed.GeneCount; j++)
                if (sim.Observed[i, j] == 0 && sim.TrueCounts[i, j] != 0) { double t = sim.TrueCounts[i, j] * factor[i]; zeros += t * t; count++; }
        zeros /= count;
        double library = Error(new ScGnnOptions()), paper = Error(ScGnnOptions.Paper());
        // Both recover most of the dropped signal (docs/BENCHMARKS.md compares them on larger simulations).
        Assert.True(library < 0.5 * zeros, $"defaults {library:F2} vs zeros {zeros:F2}");
        Assert.True(paper < 0.5 * zeros, $"paper {paper:F2} vs zeros {zeros:F2}");
    }

    [Fact]
    public void Same_seed_gives_identical_output_and_another_seed_differs()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        float[][] Run(int seed) => Column(ml.Transforms.ImputeWithScGnn(Fast(seed)).Fit(data).Transform(data), ScGnnTrainer.Defaults.OutputColumnName);
        var a = Run(3); var b = Run(3); var c = Run(4);
        Assert.Equal(a.SelectMany(r => r), b.SelectMany(r => r));
        Assert.NotEqual(a.SelectMany(r => r), c.SelectMany(r => r));
    }

    [Fact]
    public void Denoise_mode_outputs_the_network_everywhere()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        var o = Fast(); o.OutputMode = ImputationOutputMode.Denoise;
        var imputed = Column(ml.Transforms.ImputeWithScGnn(o).Fit(data).Transform(data), ScGnnTrainer.Defaults.OutputColumnName);
        int changed = 0;
        for (int i = 0; i < observed.CellCount; i++)
            for (int j = 0; j < observed.GeneCount; j++)
                if (observed[i, j] != 0 && imputed[i][j] != observed[i, j]) changed++;
        Assert.True(changed > observed.NonZeroCount / 2);
    }

    [Fact]
    public void Output_column_keeps_gene_slot_names_and_cell_ids_pass_through()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var output = ml.Transforms.ImputeWithScGnn(Fast()).Fit(observed.ToDataView()).Transform(observed.ToDataView());
        var col = output.Schema[ScGnnTrainer.Defaults.OutputColumnName];
        VBuffer<ReadOnlyMemory<char>> names = default;
        col.GetSlotNames(ref names);
        Assert.Equal(observed.GeneIds, names.DenseValues().Select(n => n.ToString()));
        var ids = output.GetColumn<string>(ScGnnDefaults.CellIdColumnName).ToArray();
        Assert.Equal(observed.CellIds, ids);
    }

    [Fact]
    public void Schema_errors_come_before_any_work()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Expression = "x" } });
        var estimator = ml.Transforms.ImputeWithScGnn(Fast());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("'Expression'", ex.Message);
        Assert.Contains("vector of Single", ex.Message);
        var missing = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { InputColumnName = "Nope" });
        Assert.Contains("no column 'Nope'", Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data)).Message);
    }

    [Fact]
    public void A_tiny_input_gets_a_clear_error_instead_of_training_on_nothing()
    {
        var ml = new MLContext(1);
        var tiny = ScGnn.MLNet.Data.ExpressionMatrix.FromDense(new float[] { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 },
            new[] { "a", "b", "c", "d" }, new[] { "g1", "g2", "g3" });
        var ex = Assert.Throws<ArgumentException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 5, PrincipalComponentCount = 2, Device = ScGnnDevice.Cpu })
            .Fit(tiny.ToDataView()));
        Assert.Contains("no training targets", ex.Message);
    }

    [Fact]
    public void Outputs_are_capped_at_each_genes_largest_observed_value()
    {
        // Hand-checkable: gene 0 peaks at 3, gene 1 at 2 in the batch.
        var x = CsrMatrix.FromDense(new float[] { 1, 0, 3, 2 }, 2, 2);
        float[] output = { 5, 1, 2, 9 };
        ScGnnPredictor.CapAtGeneMaximum(output, ScGnnPredictor.GeneMaxima(x), 2, 2);
        Assert.Equal(new float[] { 3, 1, 2, 2 }, output);

        // End to end, in denoise mode every entry is a prediction; none exceeds its gene's batch maximum.
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        var o = new ScGnnOptions { Epochs = 30, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu, OutputMode = ImputationOutputMode.Denoise };
        var imputed = Column(ml.Transforms.ImputeWithScGnn(o).Fit(data).Transform(data), ScGnnTrainer.Defaults.OutputColumnName);
        for (int j = 0; j < observed.GeneCount; j++)
        {
            float max = Enumerable.Range(0, observed.CellCount).Max(i => observed[i, j]);
            Assert.All(imputed, row => Assert.True(row[j] <= max, $"gene {j}: {row[j]} above the observed maximum {max}"));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_graph_is_built_on_log1p_only_when_asked(bool graphOnLog1p)
    {
        var x = TwoGroupData.Create().Observed.ToDense();
        int cells = 60, genes = 40;
        var o = Fast();
        o.Epochs = 2;
        o.GraphOnLog1p = graphOnLog1p;
        var fit = ScGnnEngine.Fit(CsrMatrix.FromDense(x, cells, genes), null, o);
        // The matrix PCA saw: the input with the trainer's mask applied, then log1p if asked.
        var seen = (float[])x.Clone();
        foreach (var m in new[] { fit.TrainingTargets, fit.ValidationTargets, fit.TestTargets })
            for (int e = 0; e < m.Cells.Length; e++) seen[m.Cells[e] * genes + m.Genes[e]] = 0;
        for (int j = 0; j < genes; j++)
        {
            double mean = Enumerable.Range(0, cells).Average(i => graphOnLog1p ? Math.Log(1 + seen[i * genes + j]) : seen[i * genes + j]);
            Assert.Equal(mean, fit.State.Pca!.Mean[j], 4);
        }
        Assert.Equal(graphOnLog1p, fit.State.GraphOnLog1p);
    }

    [Fact]
    public void The_cap_bites_on_a_batch_whose_gene_is_far_lower_than_in_training()
    {
        var ml = new MLContext(1);
        var train = TwoGroupData.Create().Observed;
        // A new batch at a tenth of the training levels: uncapped, the network predicts above the batch's maximum of
        // some gene (the one with the largest overshoot is checked).
        var dense = TwoGroupData.Create(seed: 11).Observed.ToDense();
        for (int q = 0; q < dense.Length; q++) dense[q] *= 0.1f;
        var batchMax = Enumerable.Range(0, 40).Select(j => Enumerable.Range(0, 60).Max(i => dense[i * 40 + j])).ToArray();
        var batch = ExpressionMatrix.FromDense(dense, Enumerable.Range(0, 60).Select(i => $"n{i}").ToArray(), train.GeneIds.ToArray()).ToDataView();
        float[] GeneMax(bool cap)
        {
            // Pinned to a configuration whose uncapped output overshoots here (the 1.4 defaults); the cap is the subject.
            var o = new ScGnnOptions
            {
                Epochs = 30, BottleneckRatio = 8, PrincipalComponentCount = 8, Device = ScGnnDevice.Cpu, OutputMode = ImputationOutputMode.Denoise,
                CapAtObservedMaximum = cap, NeighborCount = 5, SkipStartOnObservedValues = false, EpochSelectionStandardErrors = 0,
            };
            var model = ml.Transforms.ImputeWithScGnn(o).Fit(train.ToDataView());
            var rows = Column(model.Transform(batch), ScGnnTrainer.Defaults.OutputColumnName);
            return Enumerable.Range(0, 40).Select(j => rows.Max(row => row[j])).ToArray();
        }
        var uncapped = GeneMax(cap: false);
        int gene = Enumerable.Range(0, 40).Where(j => batchMax[j] > 0).MaxBy(j => uncapped[j] / batchMax[j]);
        Assert.True(uncapped[gene] > batchMax[gene] * 1.05f, $"uncapped gene-{gene} maximum {uncapped[gene]}, batch maximum {batchMax[gene]}");
        var capped = GeneMax(cap: true);
        Assert.Equal(batchMax[gene], capped[gene], 5);
        for (int j = 0; j < 40; j++) Assert.True(capped[j] <= batchMax[j] + 1e-6f, $"gene {j}: {capped[j]} above {batchMax[j]}");
    }

    [Fact]
    public void Fitting_the_skip_start_on_observed_values_lowers_held_out_error()
    {
        // The start alone (one epoch, validation keeps epoch 0), scored on the test cells' masked entries.
        var (observed, _, _) = TwoGroupData.Create(cells: 120, genes: 40, dropout: 0.1, seed: 3);
        var x = observed.ToDense();
        double HeldOutMse(bool onObserved)
        {
            var o = new ScGnnOptions
            {
                Epochs = 1, BottleneckRatio = 8, PrincipalComponentCount = 10, TestFraction = 0.2, MaskRate = 0.1,
                Device = ScGnnDevice.Cpu, SkipStartOnObservedValues = onObserved,
            };
            var fit = ScGnnEngine.Fit(CsrMatrix.FromDense(x, 120, 40), null, o);
            Assert.Equal(0, fit.History[^1].BestEpoch);
            var input = (float[])x.Clone();
            foreach (var m in new[] { fit.TrainingTargets, fit.ValidationTargets, fit.TestTargets })
                for (int e = 0; e < m.Cells.Length; e++) input[m.Cells[e] * 40 + m.Genes[e]] = 0;
            var predicted = ScGnnPredictor.Predict(fit.State, CsrMatrix.FromDense(input, 120, 40), ScGnnDevice.Cpu);
            var t = fit.TestTargets;
            Assert.True(t.Cells.Length > 30);
            return Enumerable.Range(0, t.Cells.Length).Average(e => Math.Pow(predicted[t.Cells[e] * 40 + t.Genes[e]] - t.Values[e], 2));
        }
        double masked = HeldOutMse(false), all = HeldOutMse(true);
        // A 10 % mask leaves about 9 observed values per masked one to fit each gene's five coefficients on.
        Assert.True(all < 0.9 * masked, $"held-out MSE {all:F3} with observed values vs {masked:F3} without");
    }

    [Fact]
    public void Invalid_options_are_rejected_by_name()
    {
        var ml = new MLContext(1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { DropoutRate = 1.5 }));
        Assert.Contains("DropoutRate", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { ValidationFraction = 0.6, TestFraction = 0.5 }));
        var hops = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { SkipConnectionHops = 4 }));
        Assert.Contains("SkipConnectionHops", hops.Message);
        var se = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ImputeWithScGnn(new ScGnnOptions { EpochSelectionStandardErrors = -1 }));
        Assert.Contains("EpochSelectionStandardErrors", se.Message);
    }

    [Fact]
    public void An_epoch_replaces_the_start_only_with_a_significant_validation_gain()
    {
        var x = TwoGroupData.Create(cells: 120, genes: 40, seed: 5).Observed.ToDense();
        ScGnnEngineFit Fit(double standardErrors, int epochs = 60)
        {
            var o = new ScGnnOptions { Epochs = epochs, BottleneckRatio = 8, PrincipalComponentCount = 10, Device = ScGnnDevice.Cpu, EpochSelectionStandardErrors = standardErrors };
            return new(ScGnnEngine.Fit(CsrMatrix.FromDense(x, 120, 40), null, o));
        }
        // Off, the lowest validation loss wins, and here that is a trained epoch.
        var plain = Fit(0);
        Assert.True(plain.Best > 0);
        // An unreachable bar keeps the start: the same weights as a one-epoch fit.
        var strict = Fit(1e6);
        Assert.Equal(0, strict.Best);
        Assert.Equal(Fit(0, epochs: 1).Weights, strict.Weights);
        // A bar can only keep an epoch at or above the plain minimum's validation loss.
        Assert.True(Fit(2).Loss >= plain.Loss);
    }

    private sealed record ScGnnEngineFit(int Best, double Loss, float[] Weights)
    {
        internal ScGnnEngineFit(ScGnnFitResult fit) : this(fit.History[^1].BestEpoch,
            fit.History[^1].BestEpoch < fit.History.Count ? fit.History[fit.History[^1].BestEpoch].ValidationLoss : double.NaN,
            fit.State.Ensemble[0].SelectMany(w => w).ToArray()) { }
    }

    [Fact]
    public void Genes_that_differ_from_the_model_are_listed_unless_aligned()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var model = ml.Transforms.ImputeWithScGnn(Fast()).Fit(observed.ToDataView());
        var other = observed.SelectGenes(Enumerable.Range(1, observed.GeneCount - 1).Reverse().ToArray());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other.ToDataView()));
        Assert.Contains("1 missing (G0)", ex.Message);
        Assert.Contains("WithGeneAlignment", ex.Message);

        // Aligned: same genes in another order give the same imputed values per gene as the original order.
        var reordered = observed.SelectGenes(Enumerable.Range(0, observed.GeneCount).Reverse().ToArray());
        var direct = Column(model.Transform(observed.ToDataView()), ScGnnTrainer.Defaults.OutputColumnName);
        var aligned = Column(model.WithGeneAlignment().Transform(reordered.ToDataView()), ScGnnTrainer.Defaults.OutputColumnName);
        int g = observed.GeneCount;
        for (int i = 0; i < observed.CellCount; i++)
            for (int j = 0; j < g; j++)
                Assert.Equal(direct[i][j], aligned[i][g - 1 - j], 4);
    }

    [Fact]
    public void Aligned_batches_pass_extra_genes_through_and_treat_missing_ones_as_zero()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var model = ml.Transforms.ImputeWithScGnn(Fast()).Fit(observed.ToDataView()).WithGeneAlignment();
        // Drop gene G0 and add an unknown gene "X" (a copy of G1's values).
        int g = observed.GeneCount;
        var dense = new float[observed.CellCount * g];
        for (int i = 0; i < observed.CellCount; i++)
        {
            for (int j = 1; j < g; j++) dense[i * g + j - 1] = observed[i, j];
            dense[i * g + g - 1] = observed[i, 1];
        }
        var genes = Enumerable.Range(1, g - 1).Select(j => $"G{j}").Append("X").ToArray();
        var batch = ScGnn.MLNet.Data.ExpressionMatrix.FromDense(dense, observed.CellIds, genes);
        var imputed = Column(model.Transform(batch.ToDataView()), ScGnnTrainer.Defaults.OutputColumnName);
        for (int i = 0; i < observed.CellCount; i++)
        {
            Assert.Equal(batch[i, g - 1], imputed[i][g - 1]);            // unknown gene: unchanged
            for (int j = 0; j < g - 1; j++)
                if (batch[i, j] != 0) Assert.Equal(batch[i, j], imputed[i][j]); // observed values kept
        }
        Assert.Contains(imputed.SelectMany(r => r.Take(g - 1)), v => v > 0 && v % 1 != 0); // zeros were imputed
    }

    [Fact]
    public void New_cells_are_imputed_with_their_own_graph()
    {
        var ml = new MLContext(1);
        var (train, _, _) = TwoGroupData.Create(seed: 1);
        var (fresh, truth, _) = TwoGroupData.Create(cells: 30, seed: 2);
        var model = ml.Transforms.ImputeWithScGnn(Fast()).Fit(train.ToDataView());
        var imputed = Column(model.Transform(fresh.ToDataView()), ScGnnTrainer.Defaults.OutputColumnName);
        Assert.Equal(30, imputed.Length);
        double seZero = 0, seModel = 0;
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < fresh.GeneCount; j++)
                if (fresh[i, j] == 0 && truth[i * fresh.GeneCount + j] != 0)
                {
                    float t = truth[i * fresh.GeneCount + j];
                    seZero += t * t; seModel += (imputed[i][j] - t) * (imputed[i][j] - t);
                }
        Assert.True(seModel < 0.5 * seZero, $"model {seModel:F0} vs zeros {seZero:F0}");
    }

    [Fact]
    public void Progress_reports_every_epoch_and_cancellation_stops_between_epochs()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        using var cts = new CancellationTokenSource();
        var seen = new List<int>();
        var o = Fast();
        o.CancellationToken = cts.Token;
        o.Progress = p => { seen.Add(p.Epoch); if (p.Epoch == 5) cts.Cancel(); };
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Transforms.ImputeWithScGnn(o).Fit(observed.ToDataView()));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, seen);
    }

    [Fact]
    public void Fitting_leaks_no_tensors()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var data = observed.ToDataView();
        var estimator = ml.Transforms.ImputeWithScGnn(Fast());
        estimator.Fit(data).Transform(data).Preview(); // warm up lazy statics
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var model = estimator.Fit(data);
        Column(model.Transform(data), ScGnnTrainer.Defaults.OutputColumnName);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Transformer_refuses_to_back_a_prediction_engine()
    {
        var ml = new MLContext(1);
        var (observed, _, _) = TwoGroupData.Create();
        var model = ml.Transforms.ImputeWithScGnn(Fast()).Fit(observed.ToDataView());
        // True only so that ML.NET asks for the mapper and shows this explanation instead of a generic one.
        Assert.True(model.IsRowToRowMapper);
        var ex = Assert.Throws<InvalidOperationException>(() => model.GetRowToRowMapper(observed.ToDataView().Schema));
        Assert.Contains("cannot back a PredictionEngine", ex.Message);
        Assert.Contains("Call Transform", ex.Message);
    }

    private sealed class TextRow
    {
        public string Expression { get; set; } = "";
    }
}

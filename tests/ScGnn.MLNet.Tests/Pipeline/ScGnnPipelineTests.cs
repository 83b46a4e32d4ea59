using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Pipeline;
using ScGnn.MLNet.Preprocessing;
using ScGnn.MLNet.Tests.Samples;

namespace ScGnn.MLNet.Tests.Pipeline;

/// <summary>The recipe chain: its steps in order, and the same output as the chain written out by hand.</summary>
[Collection(TorchCollection.Name)]
public sealed class ScGnnPipelineTests
{
    [Fact]
    public void Default_recipe_is_select_normalize_impute_and_matches_the_hand_built_chain()
    {
        var cells = SampleData.Simulate().Observed.ToDataView();
        var ml = new MLContext(seed: 1);
        var recipe = ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions { Imputation = new ScGnnOptions { Epochs = 2, Seed = 3 } }).Fit(cells);
        Assert.Equal(new[] { typeof(VariableGeneSelectingTransformer), typeof(LibrarySizeNormalizingTransformer), typeof(ScGnnImputationTransformer) },
            recipe.Select(t => t.GetType()).ToArray());

        var ml2 = new MLContext(seed: 1);
        var byHand = ml2.Transforms.SelectVariableGenes().Append(ml2.Transforms.NormalizeMedianLibrarySize())
            .Append(ml2.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 2, Seed = 3 })).Fit(cells);
        Assert.Equal(Imputed(byHand.Transform(cells)), Imputed(recipe.Transform(cells)));
    }

    [Fact]
    public void Evaluation_mask_and_skipped_steps_change_the_chain()
    {
        var cells = SampleData.Simulate().Observed.ToDataView();
        var ml = new MLContext(seed: 1);
        var masked = ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions
        {
            SelectGenes = false,
            EvaluationMaskRate = 0.25,
            EvaluationMaskSeed = 7,
            Imputation = new ScGnnOptions { Epochs = 1 },
        }).Fit(cells);
        var steps = masked.ToArray();
        Assert.Equal(3, steps.Length);
        Assert.IsType<LibrarySizeNormalizingTransformer>(steps[0]);
        var mask = Assert.IsType<DropoutSimulatingTransformer>(steps[1]);
        Assert.Equal(0.25, mask.MaskRate);
        Assert.Equal(7, mask.Seed);
        Assert.Equal(150, ((VectorDataViewType)masked.Transform(cells).Schema["Imputed"].Type).Size);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Mask_rate_outside_zero_to_one_is_refused_before_any_work(double rate)
    {
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScGnnPipeline(new ScGnnPipelineOptions { EvaluationMaskRate = rate }));
        Assert.Equal("EvaluationMaskRate", e.ParamName);
    }

    private static float[] Imputed(IDataView view) =>
        view.GetColumn<VBuffer<float>>("Imputed").SelectMany(v => v.DenseValues()).ToArray();
}

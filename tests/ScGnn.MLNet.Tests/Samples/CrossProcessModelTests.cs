using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Tests.Data;

namespace ScGnn.MLNet.Tests.Samples;

/// <summary>
/// Issue 4's end-to-end check: a chain of ML.NET's CopyColumns, our gene selection, median normalization and ScGnn
/// imputation, then ML.NET's KMeans on the imputed column, saved with <c>mlContext.Model.Save</c> here and applied by
/// the scgnn app in a fresh child process (no registration call, never saw our types before): imputed values, KMeans
/// distances and cluster assignments must equal the in-process transform bit for bit.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class CrossProcessModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Saved_chain_with_kmeans_gives_bit_identical_output_in_a_fresh_process()
    {
        var input = SampleData.Write(_dir.Path, "cells.csv", out _);
        var ml = new MLContext(seed: 11);
        var data = ExpressionFile.Read(input).ToDataView();
        var pipeline = ml.Transforms.CopyColumns("RawCounts", "Expression")
            .Append(ml.Transforms.SelectVariableGenes())
            .Append(ml.Transforms.NormalizeMedianLibrarySize())
            .Append(ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Epochs = 15, Seed = 4, Device = ScGnnDevice.Cpu }))
            .Append(ml.Transforms.CopyColumns("Features", "Imputed"))
            .Append(ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options { FeatureColumnName = "Features", NumberOfClusters = 3, NumberOfThreads = 1 }));
        var model = pipeline.Fit(data);
        ml.Model.Save(model, data.Schema, _dir.File("chain.zip"));

        var scored = model.Transform(data);
        var imputed = Dense(scored, "Imputed", out int genes);
        var scores = Dense(scored, "Score", out int k);
        var clusters = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.Equal(3, k);
        Assert.True(clusters.Distinct().Count() > 1);

        var run = ScgnnApp.Run(_dir.Path, "apply", "--model", "chain.zip", "--input", "cells.csv", "--output", "imputed.csv", "--clusters", "clusters.tsv");
        Assert.True(run.ExitCode == 0, run.ToString());
        var runScore = ScgnnApp.Run(_dir.Path, "apply", "--model", "chain.zip", "--input", "cells.csv", "--output", "score.csv", "--column", "Score");
        Assert.True(runScore.ExitCode == 0, runScore.ToString());

        // CSV floats are written with shortest round-trip formatting, so parsing gives back the exact bits.
        var childImputed = ExpressionFile.Read(_dir.File("imputed.csv"));
        Assert.Equal(genes, childImputed.GeneCount);
        AssertBitIdentical(imputed, childImputed.ToDense());
        AssertBitIdentical(scores, ExpressionFile.Read(_dir.File("score.csv")).ToDense());
        var childClusters = File.ReadAllLines(_dir.File("clusters.tsv")).Skip(1).Select(l => uint.Parse(l.Split('\t')[1])).ToArray();
        Assert.Equal(clusters, childClusters);
        var ids = File.ReadAllLines(_dir.File("clusters.tsv")).Skip(1).Select(l => l.Split('\t')[0]);
        Assert.Equal(ExpressionFile.Read(input).CellIds, ids);
    }

    private static float[] Dense(IDataView view, string column, out int size)
    {
        size = ((VectorDataViewType)view.Schema[column].Type).Size;
        return view.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues()).ToArray();
    }

    private static void AssertBitIdentical(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"value {i} differs: {expected[i]:R} in process, {actual[i]:R} from the child process");
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet.Evaluation;

namespace ScGnn.MLNet.Tests.Evaluation;

public class ClusteringScoresDataViewTests
{
    private sealed class Cell
    {
        public string CellType { get; set; } = "";
        [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Scores_kmeans_output_columns_directly()
    {
        var (x, codes) = ClusteringScoresTests.Blobs(n: 300, dims: 4, clusters: 3, spread: 1f, seed: 12);
        string[] names = { "B", "NK", "T" };
        var cells = Enumerable.Range(0, 300).Select(i => new Cell { CellType = names[codes[i]], Features = x.AsSpan(i * 4, 4).ToArray() }).ToArray();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(cells);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "CellType")
            .Append(ml.Clustering.Trainers.KMeans("Features", numberOfClusters: 3));
        var scored = pipeline.Fit(data).Transform(data);

        double ari = ClusteringScores.AdjustedRandIndex(scored, "CellType", "PredictedLabel");
        double nmi = ClusteringScores.NormalizedMutualInformation(scored, "CellType", "PredictedLabel");
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.Equal(ClusteringScores.AdjustedRandIndex(cells.Select(c => c.CellType).ToArray(), predicted), ari, 12);
        Assert.Equal(ClusteringScores.NormalizedMutualInformation(cells.Select(c => c.CellType).ToArray(), predicted), nmi, 12);
        Assert.True(ari > 0.9, $"well separated blobs, ARI {ari}");

        // ML.NET's own NMI is I / H(labels).
        var mlMetrics = ml.Clustering.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score");
        Assert.Equal(mlMetrics.NormalizedMutualInformation,
            ClusteringScores.NormalizedMutualInformation(scored, "Label", "PredictedLabel", NmiNormalization.TrueLabelEntropy), 9);

        var silhouette = ClusteringScores.Silhouette(scored, "Features", "CellType");
        Assert.Equal(ClusteringScores.Silhouette(x, 4, codes).Score, silhouette.Score, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusteringScores.Silhouette(scored, "Features", "Nope"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClusteringScores.Silhouette(scored, "Score", "Features"));
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet;
using ScGnn.MLNet.Simulation;

namespace ScGnn.Benchmarks;

/// <summary>
/// `clustering`: issue 14's table. Each output of the complete normalized data (gene selection and median
/// normalization as PROTOCOL.md, no mask) goes through <see cref="ClusteringEvaluator"/> (log1p, exact PCA 50,
/// KMeans k = number of types, best of 10 inits, seeds 1-5): ARI / NMI / silhouette. Then the same on simulations,
/// where the truth is known, to check that an output does not invent structure.
/// </summary>
internal static class ClusteringBenchmark
{
    private static readonly string[] DefaultOutputs = { "raw", "knn", "default", "denoise" };

    internal static void Run(string dataRoot, Func<string, string?> option, Action<string> line)
    {
        var datasets = (option("--datasets") ?? "zeisel,pbmc3k").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var outputs = (option("--outputs") ?? string.Join(',', DefaultOutputs)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        int simSeeds = int.Parse(option("--sim-seeds") ?? "3", CultureInfo.InvariantCulture);
        var ml = new MLContext(1);
        line("Each output of the complete normalized data (gene selection and median normalization as PROTOCOL.md, no mask) goes " +
             "through `ClusteringEvaluator` with its defaults: log1p, exact PCA to 50 components, KMeans with k = number of cell " +
             "types (best inertia of 10 k-means++ initialisations) for seeds 1-5; ARI and NMI (arithmetic) are means over the seeds, " +
             "the silhouette is that of the true labels on the PCA-50 embedding.");
        line("");
        line("| dataset | output | ARI | NMI | silhouette | ARI per seed | output s |");
        line("|---|---|---:|---:|---:|---|---:|");
        foreach (var ds in datasets)
        {
            string folder = Path.Combine(dataRoot, ds);
            var raw = ml.Data.LoadFrom10x(folder);
            var selected = ml.Transforms.SelectVariableGenes().Fit(raw).Transform(raw);
            var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(selected).Transform(selected);
            var matrix = ExpressionMatrix.FromDataView(data);
            var labels = CellLabels.Read(Path.Combine(folder, "labels.tsv")).Align(matrix);
            Score(ml, ds, data, matrix, labels, outputs, line);
        }
        if (simSeeds > 0) Simulations(ml, simSeeds, option, line);
    }

    private static void Score(MLContext ml, string name, IDataView data, ExpressionMatrix matrix, string[] labels, string[] outputs,
        Action<string> line)
    {
        foreach (var output in outputs)
        {
            var sw = Stopwatch.StartNew();
            var m = Output(ml, output, data, matrix);
            double seconds = sw.Elapsed.TotalSeconds;
            var r = ClusteringEvaluator.Evaluate(m, labels);
            string perSeed = string.Join(" ", r.Runs.Select(x => x.AdjustedRandIndex.ToString("F3", CultureInfo.InvariantCulture)));
            line(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {output} | {r.AdjustedRandIndex.Mean:F3} | {r.NormalizedMutualInformation.Mean:F3} | {r.Silhouette.Score:F3} | {perSeed} | {seconds:F1} |"));
            Console.Error.WriteLine($"  {name} {output}: {r}");
        }
    }

    private static ExpressionMatrix Output(MLContext ml, string output, IDataView data, ExpressionMatrix matrix)
    {
        switch (output)
        {
            case "raw":
                return matrix;
            case "knn":
                return KnnAverage(matrix, 10);
            default:
                var o = new ScGnnOptions { Device = ScGnnDevice.Cpu, Seed = 1 };
                if (output == "denoise") o.OutputMode = ImputationOutputMode.Denoise;
                else if (output != "default") throw new ArgumentException($"--outputs: unknown output '{output}'.");
                var model = ml.Transforms.ImputeWithScGnn(o).Fit(data);
                return ExpressionMatrix.FromDataView(model.Transform(data), o.OutputColumnName);
        }
    }

    /// <summary>Each cell replaced by the mean of itself and its k nearest neighbours (Euclidean, exact PCA 50 of log1p).</summary>
    internal static ExpressionMatrix KnnAverage(ExpressionMatrix m, int k)
    {
        var pca = ClusteringEvaluator.Evaluate(m, Enumerable.Range(0, m.CellCount).Select(i => i % 2 == 0 ? "a" : "b").ToArray(),
            new ClusteringEvaluatorOptions { SeedCount = 1, InitializationCount = 1, MaximumIterations = 1 });
        var emb = pca.Embedding.ToArray();
        int n = m.CellCount, d = pca.ComponentCount, g = m.GeneCount;
        var dense = m.ToDense();
        var result = new float[dense.Length];
        Parallel.For(0, n, i =>
        {
            var dist = new (float D, int J)[n];
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int c = 0; c < d; c++) { float t = emb[i * d + c] - emb[j * d + c]; s += t * t; }
                dist[j] = (j == i ? -1 : s, j);
            }
            Array.Sort(dist, (a, b) => a.D != b.D ? a.D.CompareTo(b.D) : a.J.CompareTo(b.J));
            var row = result.AsSpan(i * g, g);
            for (int q = 0; q <= k; q++)
            {
                var src = dense.AsSpan(dist[q].J * g, g);
                for (int j = 0; j < g; j++) row[j] += src[j] / (k + 1);
            }
        });
        return ExpressionMatrix.FromDense(result, m.CellIds, m.GeneIds);
    }

    private static void Simulations(MLContext ml, int seeds, Func<string, string?> option, Action<string> line)
    {
        var outputs = (option("--outputs") ?? string.Join(',', DefaultOutputs)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var configs = new[]
        {
            (Cells: 600, Genes: 500, Groups: 3),
            (Cells: 1000, Genes: 800, Groups: 5),
        };
        line("");
        line("Simulations (`ExpressionSimulator`, complete observed data, median normalization; labels are the simulated groups):");
        line("");
        line("| simulation (cells x genes, groups) | seed | output | ARI | NMI | silhouette |");
        line("|---|---:|---|---:|---:|---:|");
        foreach (var c in configs)
            for (int seed = 1; seed <= seeds; seed++)
            {
                var sim = ExpressionSimulator.Simulate(new SimulationOptions { CellCount = c.Cells, GeneCount = c.Genes, GroupCount = c.Groups, Seed = seed });
                var raw = sim.Observed.ToDataView();
                var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(raw).Transform(raw);
                var matrix = ExpressionMatrix.FromDataView(data);
                var labels = sim.Groups.ToArray();
                foreach (var output in outputs)
                {
                    var r = ClusteringEvaluator.Evaluate(Output(ml, output, data, matrix), labels);
                    line(string.Create(CultureInfo.InvariantCulture,
                        $"| {c.Cells:N0} x {c.Genes:N0}, {c.Groups} | {seed} | {output} | {r.AdjustedRandIndex.Mean:F3} | {r.NormalizedMutualInformation.Mean:F3} | {r.Silhouette.Score:F3} |"));
                }
            }
    }
}

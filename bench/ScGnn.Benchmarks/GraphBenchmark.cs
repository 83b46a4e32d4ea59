using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Simulation;

namespace ScGnn.Benchmarks;

/// <summary>
/// `graph`: the cell graph at scale. On the scale benchmark's simulation (default 20,000 cells), after gene selection,
/// median normalization and log1p: sparse PCA (covariance and randomized solvers) against the dense exact PCA,
/// exact against approximate (HNSW) kNN with recall@k, and whether the approximate graph changes accuracy: the
/// masked-entry MSE of a graph-only imputation (each masked entry predicted by its neighbours' weighted mean).
/// </summary>
internal static class GraphBenchmark
{
    internal static void Run(Func<string, string?> option, Action<string> line)
    {
        int cells = int.Parse(option("--cells") ?? "20000", CultureInfo.InvariantCulture);
        int k = int.Parse(option("--k") ?? "10", CultureInfo.InvariantCulture);
        const int components = 50;
        ScGnn.MLNet.Torch.TorchRuntime.EnsureInitialized();
        var ml = new MLContext(1);
        var sim = ExpressionSimulator.Simulate(ScaleBenchmark.Simulation(cells));
        var raw = sim.Observed.ToDataView();
        var selected = ml.Transforms.SelectVariableGenes().Fit(raw).Transform(raw);
        var normalized = ml.Transforms.NormalizeMedianLibrarySize().Fit(selected).Transform(selected);
        var matrix = ExpressionMatrix.FromDataView(normalized);
        var x = CsrMatrix.From(matrix).Log1p();
        int genes = x.Columns;
        if (args_knnOnly(option)) { KnnAtScale(x, cells, components, k, int.Parse(option("--sample") ?? "2000", CultureInfo.InvariantCulture), option("--exact") is not null,
            option("--approximate") != "0", option("--exact-tiles"), option("--search"), line); return; }
        line($"Data: the `scale` simulation at {cells:N0} cells x {ScaleBenchmark.Genes:N0} genes ({ScaleBenchmark.Groups} groups), after " +
             $"`SelectVariableGenes` and `NormalizeMedianLibrarySize`: {genes:N0} genes, {x.StoredCount:N0} non-zeros " +
             $"({100.0 * x.StoredCount / ((double)cells * genes):F1} %), log1p. PCA {components} components, k = {k}; torch threads {TorchSharp.torch.get_num_threads()}.");
        line("");

        // PCA.
        var sw = Stopwatch.StartNew();
        var pca = PcaProjection.Fit(x, components);
        double sparseS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var randomized = PcaProjection.FitRandomized(x, components, seed: 1);
        double randomizedS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var dense = PcaProjection.Fit(x.ToDense(), cells, genes, components);
        double denseS = sw.Elapsed.TotalSeconds;
        line("| PCA | time s | max abs loading difference vs dense exact (components 1-5) | explained variance, component 1 / 50 |");
        line("|---|---:|---:|---|");
        line($"| dense exact (genes x genes covariance of the dense matrix; the old path) | {denseS:F2} | 0 | {dense.ExplainedVariance[0]:G4} / {dense.ExplainedVariance[^1]:G4} |");
        line($"| sparse, exact covariance from CSR rows (default up to {PcaProjection.MaxCovarianceGenes:N0} genes) | {sparseS:F2} | {MaxDiff(pca, dense, 5):E1} | {pca.ExplainedVariance[0]:G4} / {pca.ExplainedVariance[^1]:G4} |");
        line($"| sparse, randomized subspace iteration ({PcaProjection.PowerIterations} power iterations, +{PcaProjection.Oversampling} oversampling) | {randomizedS:F2} | {MaxDiff(randomized, dense, 5):E1} | {randomized.ExplainedVariance[0]:G4} / {randomized.ExplainedVariance[^1]:G4} |");
        line("");

        // kNN.
        var embedding = pca.Transform(x);
        sw.Restart();
        var exact = KnnGraph.NearestNeighbors(embedding, cells, pca.ComponentCount, k, NeighborSearch.Exact);
        double exactS = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var approximate = KnnGraph.NearestNeighbors(embedding, cells, pca.ComponentCount, k, NeighborSearch.Approximate, seed: 1);
        double approxS = sw.Elapsed.TotalSeconds;
        var again = KnnGraph.NearestNeighbors(embedding, cells, pca.ComponentCount, k, NeighborSearch.Approximate, seed: 1);
        bool deterministic = Enumerable.Range(0, cells).All(i => again[i].AsSpan().SequenceEqual(approximate[i]));
        double recall = KnnGraph.Recall(approximate, exact);
        var other = KnnGraph.NearestNeighbors(embedding, cells, pca.ComponentCount, k, NeighborSearch.Approximate, seed: 2);
        double recallOther = KnnGraph.Recall(other, exact);
        line($"| kNN (k = {k}, {pca.ComponentCount} dims) | time s | recall@{k} vs exact |");
        line("|---|---:|---:|");
        line($"| exact (blocked distance matrix, ties to the lower index) | {exactS:F2} | 1 |");
        line($"| approximate: USearch HNSW (M {KnnGraph.Connectivity}, ef add {KnnGraph.ExpansionAdd}, ef search {KnnGraph.ExpansionSearch}), seed 1 | {approxS:F2} | **{recall:F4}** |");
        line($"| approximate, seed 2 | | {recallOther:F4} |");
        line("");
        line($"Same seed twice gives the identical graph: {(deterministic ? "yes" : "NO")}. `NeighborSearch.Auto` searches exactly up to {KnnGraph.ExactMaxCells:N0} cells.");
        line("");

        // Accuracy: mask 10 % of the non-zeros, build both graphs on the masked matrix, predict masked entries by the neighbours.
        var rng = new Random(1);
        var masked = (float[])x.Values.Clone();
        var maskedAt = new List<(int Cell, int Gene, float Truth)>();
        for (int i = 0; i < cells; i++)
            for (int q = x.RowPointers[i]; q < x.RowPointers[i + 1]; q++)
                if (rng.NextDouble() < 0.1) { maskedAt.Add((i, x.ColumnIndices[q], x.Values[q])); masked[q] = 0; }
        var xm = new CsrMatrix(cells, genes, x.RowPointers, x.ColumnIndices, masked);
        var pcaMasked = PcaProjection.Fit(xm, components);
        var results = new List<string>();
        foreach (var (name, search) in new[] { ("exact", NeighborSearch.Exact), ("approximate", NeighborSearch.Approximate) })
        {
            var a = CellGraph.Build(pcaMasked, xm, k, seed: 1, search);
            double mse = 0, mseZero = 0;
            foreach (var (c, g, truth) in maskedAt)
            {
                double p = NeighbourMean(a, xm, c, g);
                mse += (p - truth) * (p - truth);
                mseZero += truth * truth;
            }
            results.Add($"| {name} | {a.EdgeCount:N0} | {mse / maskedAt.Count:F5} | {mseZero / maskedAt.Count:F4} |");
        }
        line($"Accuracy with each graph: {maskedAt.Count:N0} masked non-zeros (10 %, seed 1), graph rebuilt on the masked matrix, each masked entry " +
             "predicted by the Â-weighted mean of its neighbours' log1p values (self excluded), MSE against the hidden log1p value:");
        line("");
        line("| graph | undirected edges | masked-entry MSE | MSE of predicting 0 |");
        line("|---|---:|---:|---:|");
        foreach (var r in results) line(r);
    }

    private static bool args_knnOnly(Func<string, string?> option) => option("--knn-only") is not null;

    // kNN only, at sizes where the exact graph is too dear: the approximate graph's build time and its recall@k on a
    // seeded sample of cells, each searched exactly against all cells. Above the shard threshold the single-index
    // search is timed beside the default two shards, in the same run; --exact also times the exact search,
    // --exact-tiles 128x4096,256x2048 the exact search over those tiles (rows x columns), and --approximate 0 skips HNSW.
    private static void KnnAtScale(CsrMatrix x, int cells, int components, int k, int sample, bool withExact, bool withApproximate,
        string? exactTiles, string? searchSettings, Action<string> line)
    {
        var sw = Stopwatch.StartNew();
        var pca = PcaProjection.Fit(x, components);
        var embedding = pca.Transform(x);
        double pcaS = sw.Elapsed.TotalSeconds;
        var pick = Enumerable.Range(0, cells).ToArray();
        new Random(7).Shuffle(pick);
        pick = pick.Take(Math.Min(sample, cells)).ToArray();
        var truth = new int[pick.Length][];
        Parallel.For(0, pick.Length, p =>
        {
            int i = pick[p];
            var bestD = Enumerable.Repeat(double.PositiveInfinity, k).ToArray();
            var bestJ = new int[k];
            for (int j = 0; j < cells; j++)
            {
                if (j == i) continue;
                double d = 0;
                for (int c = 0; c < components; c++) { double t = (double)embedding[(long)i * components + c] - embedding[(long)j * components + c]; d += t * t; }
                if (!(d < bestD[k - 1])) continue;
                int at = k - 1;
                while (at > 0 && d < bestD[at - 1]) { bestD[at] = bestD[at - 1]; bestJ[at] = bestJ[at - 1]; at--; }
                bestD[at] = d; bestJ[at] = j;
            }
            truth[p] = bestJ;
        });
        double Recall(int[][] graph) => pick.Select((i, p) => truth[p].Count(new HashSet<int>(graph[i]).Contains) / (double)k).Average();

        line($"| cells | PCA + projection s | approximate kNN | kNN s | recall@{k} on {pick.Length:N0} sampled cells |");
        line("|---:|---:|---|---:|---:|");
        int defaultShards = cells > KnnGraph.ShardMinCells ? 2 : 1;
        // --search "ef:perShard,..." (HNSW's search list, candidates per shard as multiples of k): the search's effort.
        var searches = (searchSettings ?? $"{KnnGraph.ExpansionSearch}:1").Split(',').Select(v => v.Split(':').Select(int.Parse).ToArray()).ToArray();
        foreach (int shards in !withApproximate ? Array.Empty<int>() : defaultShards == 2 && searchSettings is null ? new[] { 2, 1 } : new[] { defaultShards })
            foreach (var search in searches)
            {
                sw.Restart();
                double build = 0;
                var graph = KnnGraph.Approximate(embedding, cells, components, k, 1, shards, search[0], search[1], b => build = b);
                double s = sw.Elapsed.TotalSeconds;
                string name = (shards == defaultShards ? $"{shards} shard{(shards > 1 ? "s" : "")} (default)" : $"{shards} shard") +
                    (searchSettings is null ? "" : $", search list {search[0]}, {search[1]}k + 1 (+ up to 8 for ties) asked per shard; order and build {build:F1} s");
                line($"| {cells:N0} | {pcaS:F1} | {name} | {s:F1} | {Recall(graph):F4} |");
            }
        if (withExact)
        {
            sw.Restart();
            var exact = KnnGraph.NearestNeighbors(embedding, cells, components, k, NeighborSearch.Exact);
            double s = sw.Elapsed.TotalSeconds;
            line($"| {cells:N0} | {pcaS:F1} | exact (float32 keys, double re-ranking) | {s:F1} | {Recall(exact):F4} |");
        }
        foreach (var tile in exactTiles?.Split(',') ?? Array.Empty<string>())
        {
            var size = tile.Split('x').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            sw.Restart();
            var exact = KnnGraph.Exact(embedding, cells, components, k, size[0], size[1]);
            double s = sw.Elapsed.TotalSeconds;
            line($"| {cells:N0} | {pcaS:F1} | exact over {size[0]} x {size[1]} tiles | {s:F1} | {Recall(exact):F4} |");
        }
    }

    private static double MaxDiff(PcaProjection a, PcaProjection b, int components)
    {
        double max = 0;
        for (int g = 0; g < a.GeneCount; g++)
            for (int c = 0; c < components; c++)
                max = Math.Max(max, Math.Abs(a.Components[g * a.ComponentCount + c] - b.Components[g * b.ComponentCount + c]));
        return max;
    }

    private static double NeighbourMean(NormalizedAdjacency a, CsrMatrix x, int cell, int gene)
    {
        double sum = 0, weight = 0;
        for (int q = a.RowPointers[cell]; q < a.RowPointers[cell + 1]; q++)
        {
            int j = a.Columns[q];
            if (j == cell) continue;
            weight += a.Values[q];
            var idx = x.RowIndices(j);
            int at = idx.BinarySearch(gene);
            if (at >= 0) sum += a.Values[q] * x.RowValues(j)[at];
        }
        return weight > 0 ? sum / weight : 0;
    }
}

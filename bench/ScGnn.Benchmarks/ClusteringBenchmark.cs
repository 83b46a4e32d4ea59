using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
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
    // "smoothed:<settings>" rows run the Smoothed output's code with other settings over the fitted model ("basis=model":
    // the model's PCA, which the earlier default used with the flat graph, pcs=50).
    private static readonly string[] DefaultOutputs = { "raw", "knn", "default", "denoise", "smoothed", "smoothed:pcs=50",
        "smoothed:basis=batch/pcs=50", "smoothed:basis=batch/decay=1", "smoothed:basis=batch/mix=cv", "smoothed:basis=batch/decay=1/mix=cv/cross=2" };
    private static string _lastSmoothing = "";

    internal static void Run(string dataRoot, Func<string, string?> option, Action<string> line)
    {
        var datasets = (option("--datasets") ?? "zeisel,pbmc3k").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var outputs = (option("--outputs") ?? string.Join(',', DefaultOutputs)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        int simSeeds = int.Parse(option("--sim-seeds") ?? "2", CultureInfo.InvariantCulture);
        var ml = new MLContext(1);
        ml.Log += (_, e) =>
        {
            int at = e.Message.IndexOf("smoothed output with ", StringComparison.Ordinal);
            if (at >= 0) _lastSmoothing = e.Message[(at + "smoothed output with ".Length)..];
        };
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
            _lastSmoothing = "";
            var m = Output(ml, output, data, matrix);
            double seconds = sw.Elapsed.TotalSeconds;
            string label = _lastSmoothing != "" ? $"{output} ({_lastSmoothing})" : output;
            var r = ClusteringEvaluator.Evaluate(m, labels);
            string perSeed = string.Join(" ", r.Runs.Select(x => x.AdjustedRandIndex.ToString("F3", CultureInfo.InvariantCulture)));
            line(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {label} | {r.AdjustedRandIndex.Mean:F3} | {r.NormalizedMutualInformation.Mean:F3} | {r.Silhouette.Score:F3} | {perSeed} | {seconds:F1} |"));
            Console.Error.WriteLine($"  {name} {output}: {r}");
        }
    }

    private static readonly Dictionary<string, ExpressionMatrix> Cache = new();
    private static readonly Dictionary<(int, int), ScGnnImputationTransformer> Models = new();

    // One fit per dataset and seed; the model outputs are the same fit with another output mode.
    private static ScGnnImputationTransformer FittedModel(MLContext ml, IDataView data, ExpressionMatrix matrix, int seed)
    {
        var key = (RuntimeHelpers.GetHashCode(matrix), seed);
        if (!Models.TryGetValue(key, out var model))
        {
            model = ml.Transforms.ImputeWithScGnn(new ScGnnOptions { Device = ScGnnDevice.Cpu, Seed = seed }).Fit(data);
            Models[key] = model;
        }
        return model;
    }

    private static ExpressionMatrix Output(MLContext ml, string output, IDataView data, ExpressionMatrix matrix)
    {
        string key = RuntimeHelpers.GetHashCode(matrix) + "/" + output;
        if (Cache.TryGetValue(key, out var cached)) return cached;
        var result = Compute(ml, output, data, matrix);
        Cache[key] = result;
        return result;
    }

    private static ExpressionMatrix Compute(MLContext ml, string output, IDataView data, ExpressionMatrix matrix)
    {
        if (output == "raw") return matrix;
        if (output == "knn") return KnnAverage(matrix, 10);
        // A model output may name the fit's seed: "smoothed@2" (default 1).
        int modelSeed = 1;
        if (output.LastIndexOf('@') is var at and > 0)
        {
            modelSeed = int.Parse(output[(at + 1)..], CultureInfo.InvariantCulture);
            output = output[..at];
        }
        if (output is "default" or "denoise" or "smoothed")
        {
            var model = FittedModel(ml, data, matrix, modelSeed);
            var mode = output switch { "denoise" => ImputationOutputMode.Denoise, "smoothed" => ImputationOutputMode.Smoothed, _ => ImputationOutputMode.ImputeZeros };
            var scored = model.WithOutputMode(mode).Transform(data);
            return ExpressionMatrix.FromDataView(scored, model.OutputColumnName);
        }
        // A smoothing variant over the fitted model's PCA basis and k, as Smoothed would run it: "smoothed:decay=1@2".
        if (output.StartsWith("smoothed:"))
        {
            var state = FittedModel(ml, data, matrix, modelSeed).State;
            return Smooth(matrix, ScGnn.MLNet.Numerics.CsrMatrix.From(matrix), state.Pca!, state.GraphOnLog1p, state.NeighborCount, output["smoothed:".Length..]);
        }
        // Exploration without a fitted network: "smooth:pcs=pa/log=1/ks=0.5+1+2" smooths the input over a graph in the
        // PCA 50 of log1p with the default k (ClusteringOutput with those settings).
        if (output.StartsWith("smooth:"))
        {
            var x = ScGnn.MLNet.Numerics.CsrMatrix.From(matrix);
            var pca = ScGnn.MLNet.Graph.PcaProjection.Fit(x.Log1p(), ScGnnTrainer.Defaults.PrincipalComponentCount, 0);
            return Smooth(matrix, x, pca, true, ScGnnTrainer.Defaults.NeighborCount, output["smooth:".Length..]);
        }
        // The alternative that lost on the simulations: a fixed t = 3 over the k = 10 graph, e.g. "denoise-t3", "raw-t3".
        if (output.EndsWith("-t3"))
        {
            var src = Output(ml, output[..^3], data, matrix);
            var graph = ScGnn.MLNet.Graph.CellGraph.Fit(ScGnn.MLNet.Numerics.CsrMatrix.From(matrix).Log1p(), 50, 10, 0).Adjacency;
            var x = ClusteringOutput.Diffuse(DiffusionOperator.Flat(graph), ScGnn.MLNet.Numerics.CsrMatrix.From(src), 3);
            return ExpressionMatrix.FromDense(x, src.CellIds, src.GeneIds);
        }
        throw new ArgumentException($"--outputs: unknown output '{output}'.");
    }

    // ClusteringOutput with explicit settings; the row label records the choice made.
    private static ExpressionMatrix Smooth(ExpressionMatrix matrix, ScGnn.MLNet.Numerics.CsrMatrix x, ScGnn.MLNet.Graph.PcaProjection pca,
        bool graphOnLog1p, int neighborCount, string spec)
    {
        var s = ClusteringOutput.Prepare(pca, graphOnLog1p, neighborCount, x, SmoothingSettings.Parse(spec));
        _lastSmoothing = string.Create(CultureInfo.InvariantCulture, $"k = {s.NeighborCount}, t = {s.Steps}{(s.Weight < 1 ? $", w = {s.Weight:0.##}" : "")}, graph on {s.Components} PCs");
        return ExpressionMatrix.FromDense(s.Rows(0, s.Cells), matrix.CellIds, matrix.GeneIds);
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
            (Cells: 600, Genes: 500, Groups: 3, Weak: false, Location: 0.0),
            (Cells: 1000, Genes: 800, Groups: 5, Weak: false, Location: 0.0),
            // Weakly separated groups without dropout: the regime where smoothing over a noisy graph merges groups.
            (Cells: 1000, Genes: 800, Groups: 5, Weak: true, Location: 0.1),
            // Moderately separated groups without dropout (DE factors LogNormal(0.2, 0.2)).
            (Cells: 1000, Genes: 800, Groups: 5, Weak: true, Location: 0.2),
        };
        line("");
        line("Simulations (`ExpressionSimulator`, complete observed data, median normalization; labels are the simulated groups):");
        line("");
        line("| simulation (cells x genes, groups) | seed | output | ARI | NMI | silhouette |");
        line("|---|---:|---|---:|---:|---:|");
        var chosen = (option("--sim-configs") ?? "0,1,2,3").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
        foreach (var c in configs.Where((_, i) => chosen.Contains(i)))
            for (int seed = 1; seed <= seeds; seed++)
            {
                var so = new SimulationOptions { CellCount = c.Cells, GeneCount = c.Genes, GroupCount = c.Groups, Seed = seed };
                if (c.Weak) { so.Dropout = false; so.DEFactorLocation = c.Location; so.DEFactorScale = 0.2; }
                foreach (var pair in (option("--sim-set") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var kv = pair.Split('=', 2);
                    var prop = typeof(SimulationOptions).GetProperty(kv[0]) ?? throw new ArgumentException($"--sim-set: no property '{kv[0]}'.");
                    prop.SetValue(so, Convert.ChangeType(kv[1], prop.PropertyType, CultureInfo.InvariantCulture));
                }
                var sim = ExpressionSimulator.Simulate(so);

                var raw = sim.Observed.ToDataView();
                var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(raw).Transform(raw);
                var matrix = ExpressionMatrix.FromDataView(data);
                var labels = sim.Groups.ToArray();
                foreach (var output in outputs)
                {
                    _lastSmoothing = "";
                    var r = ClusteringEvaluator.Evaluate(Output(ml, output, data, matrix), labels);
                    string label = _lastSmoothing != "" ? $"{output} ({_lastSmoothing})" : output;
                    line(string.Create(CultureInfo.InvariantCulture,
                        $"| {c.Cells:N0} x {c.Genes:N0}, {c.Groups}{(c.Weak ? (c.Location < 0.15 ? ", weak DE, no dropout" : ", moderate DE, no dropout") : "")} | {seed} | {label} | {r.AdjustedRandIndex.Mean:F3} | {r.NormalizedMutualInformation.Mean:F3} | {r.Silhouette.Score:F3} |"));
                }
            }
    }
}

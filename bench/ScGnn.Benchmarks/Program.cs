using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Preprocessing;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

// Benchmarks behind docs/BENCHMARKS.md. Each command prints a Markdown section and writes it to
// docs/benchmarks/<command>.md (atomically). Run from the repository root:
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- io
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- speed
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- accuracy [--folds 5] [--datasets zeisel,pbmc3k,zeisel_saver200]
//        [--configs paper,default] [--set NeighborCount=10,InputScale=Log1pInput] [--out <folder>]
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- simulation [--folds 2] [--configs paper,default] [--set ...]
//        [--scale-sizes 1000,3000,10000] [--held-out]
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- graph [--cells 20000] [--k 10]
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- scale [--sizes 10000,30000] [--timeout-min 60] [--work <dir>]
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- blackbox [--datasets zeisel,pbmc3k,zeisel_saver200] [--seeds 5] (build src/ScGnn.Samples -c Release first)
//   dotnet run --project bench/ScGnn.Benchmarks -c Release -- clustering [--datasets zeisel,pbmc3k] [--outputs raw,knn,default,denoise,smoothed,smoothed:basis=batch/decay=1,smooth:pcs=pa,...] [--sim-seeds 2] (model outputs take @seed) [--sim-configs 0,1,2,3]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string command = args.Length > 0 ? args[0] : "help";
// Resolved on first use: the simulation benchmark needs no shared data.
var dataRootLazy = new Lazy<string>(() => Option("--data") ?? FindData());
string outDir = Option("--out") ?? Path.Combine(RepoRoot(), "docs", "benchmarks");
var sb = new StringBuilder();
switch (command)
{
    case "io": Io(); break;
    case "speed": Speed(); break;
    case "accuracy": Accuracy(); break;
    case "simulation": Simulation(); break;
    case "scale": Header("Scale: the whole impute path from 10k to 1M simulated cells", "scale"); ScGnn.Benchmarks.ScaleBenchmark.Run(args, Option, Line); break;
    case "graph": Header("Graph: sparse PCA and approximate kNN at scale", "graph"); ScGnn.Benchmarks.GraphBenchmark.Run(Option, Line); break;
    case "scale-run": return ScGnn.Benchmarks.ScaleBenchmark.RunOne(args, Option);
    case "smoothing": Header("Smoothing: the Smoothed output's stages at scale", "smoothing"); ScGnn.Benchmarks.SmoothingBenchmark.Run(Option, Line); break;
    case "clustering": Header("Clustering of the complete data: raw, kNN average and ScGnn outputs", "clustering"); ScGnn.Benchmarks.ClusteringBenchmark.Run(dataRootLazy.Value, Option, Line); break;
    case "fuzz": Header("Fuzz: seeded hostile inputs for every reader, the model validator and the trainer's input check", "fuzz"); ScGnn.Benchmarks.FuzzBenchmark.Run(Option, Line, RepoRoot()); break;
    case "gcn": Header("GCN training step: custom autograd functions against the ops they replace", "gcn"); ScGnn.Benchmarks.GcnBenchmark.Run(Option, Line); break;
    case "blackbox": Header("Black box: scgnn impute --no-filter --no-normalize on the protocol's masked matrix", "blackbox"); ScGnn.Benchmarks.BlackBoxBenchmark.Run(dataRootLazy.Value, RepoRoot(), Option, Line); break;
    case "h5ad": Header("AnnData .h5ad at scale: write and read against a 10x folder", "h5ad"); ScGnn.Benchmarks.H5adBenchmark.Run(Option, Line); break;
    default:
        Console.Error.WriteLine("usage: ScGnn.Benchmarks io|speed|accuracy|simulation|clustering|scale|graph|gcn|blackbox [--folds N] [--datasets a,b] [--data <shared/data>] [--out <folder>]");
        return 2;
}
Directory.CreateDirectory(outDir);
string target = Path.Combine(outDir, command + ".md");
AtomicOutput.WriteFile(target, s => s.Write(Encoding.UTF8.GetBytes(sb.ToString())));
Console.WriteLine($"written: {target}");
return 0;

void Io()
{
    string path = Path.Combine(dataRootLazy.Value, "pbmc3k");
    Header("Reading pbmc3k", "io");
    var times = new List<double>();
    ExpressionMatrix? m = null;
    for (int rep = 0; rep < 3; rep++)
    {
        var sw = Stopwatch.StartNew();
        m = TenXReader.Read(path);
        var view = m.ToDataView();
        long rows = 0;
        using (var cursor = view.GetRowCursor(view.Schema))
        {
            var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(view.Schema[ScGnn.MLNet.ScGnnDefaults.ExpressionColumnName]);
            Microsoft.ML.Data.VBuffer<float> row = default;
            while (cursor.MoveNext()) { getter(ref row); rows++; }
        }
        times.Add(sw.Elapsed.TotalSeconds);
    }
    Line($"- data: `{path}` ({m!.CellCount:N0} cells x {m.GeneCount:N0} genes, {m.NonZeroCount:N0} non-zeros)");
    Line($"- read 10x folder into an `IDataView` and cursor every row: {string.Join(" / ", times.Select(t => $"{t:F2} s"))} (3 runs, first includes JIT)");
    Line($"- peak working set of the whole process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
}

void Speed()
{
    Header("Speed: 1000-epoch paper-configuration fit on pbmc3k", "speed");
    TorchRuntime.EnsureInitialized();
    int threads = get_num_threads();
    // The machine's matrix-multiply rate, measured now: a large square sgemm and the model's own shape.
    double squareRate = MatMulRate(2048, 2048, 2048, 10);
    var ml = new MLContext(1);
    var raw = ml.Data.LoadFrom10x(Path.Combine(dataRootLazy.Value, "pbmc3k"));
    var sel = ml.Transforms.SelectVariableGenes().Fit(raw);
    var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(sel.Transform(raw)).Transform(sel.Transform(raw));
    var matrix = ExpressionMatrix.FromDataView(data);
    int n = matrix.CellCount, genes = matrix.GeneCount, hidden = genes / 64;
    double shapeRate = MatMulRate(n, genes, hidden, 200);
    double floorMacs = 4.0 * n * genes * hidden;

    var o = ScGnnOptions.Paper();
    o.Device = ScGnnDevice.Cpu;
    var stamps = new List<double>();
    var clock = Stopwatch.StartNew();
    o.Progress = _ => stamps.Add(clock.Elapsed.TotalSeconds);
    var masked = ml.Transforms.SimulateDropout(new DropoutSimulatingEstimator.Options { MaskRate = sel.InputDensity < 0.3 ? sel.InputDensity : 0.3 }).Fit(data).Transform(data);
    o.MaskColumnName = DropoutSimulatingEstimator.Defaults.MaskColumnName;
    clock.Restart();
    var model = ml.Transforms.ImputeWithScGnn(o).Fit(masked);
    double fit = clock.Elapsed.TotalSeconds;
    // Epoch time from the steady state (epochs 101..1000), excluding graph construction before epoch 1.
    double epoch = (stamps[^1] - stamps[100]) / (stamps.Count - 101);
    double floorSquare = floorMacs / squareRate, floorShape = floorMacs / shapeRate;
    Line($"- data: pbmc3k after gene selection and median normalization: {n:N0} cells x {genes:N0} genes ({matrix.Density:P1} non-zero), hidden {hidden}; torch threads {threads}");
    Line($"- training: TorchSharp autograd + torch.optim.Adam on the whole graph; on the CPU `X W1`, `Â H` and the output at the targets are the custom autograd functions `SparseInputProduct`, `AdjacencyProduct` and `TargetOutput` (docs/BENCHMARKS.md section 2)");
    Line($"- machine matrix-multiply rate (TorchSharp sgemm, measured in this run): {squareRate / 1e9:F1} GMAC/s at 2048^3, {shapeRate / 1e9:F1} GMAC/s at the model's shape ({n} x {genes} x {hidden})");
    Line($"- arithmetic floor per epoch (4 x cells x genes x genes/64 = {floorMacs / 1e6:F0} M multiply-adds): {floorSquare * 1e3:F2} ms at the square rate, {floorShape * 1e3:F2} ms at the shape rate");
    Line($"- measured epoch (mean of epochs 101-1000): {epoch * 1e3:F2} ms = **{epoch / floorSquare:F2}x** the floor at the square rate ({epoch / floorShape:F2}x at the shape rate)");
    Line($"- fit (graph + 1000 epochs): {fit:F2} s; best epoch {model.BestEpoch}");
    string zip = Path.Combine(Path.GetTempPath(), $"scgnn-bench-{Environment.ProcessId}.zip");
    ml.Model.Save(model, masked.Schema, zip);
    Line($"- saved imputation model (paper configuration, {genes} genes, hidden {hidden}, PCA {model.State.ComponentCount}): {new FileInfo(zip).Length / 1024.0:F0} KiB zip");
    File.Delete(zip);
    Line($"- peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
}

void Accuracy()
{
    int folds = int.Parse(Option("--folds") ?? "5", CultureInfo.InvariantCulture);
    var datasets = (Option("--datasets") ?? "zeisel,pbmc3k,zeisel_saver200").Split(',');
    var configs = (Option("--configs") ?? "paper,default").Split(',');
    Header($"Accuracy: PROTOCOL.md, seeds 1-{folds}", "accuracy");
    Line("| dataset (cells x kept genes) | configuration | MSE (mean ± sd) | Pearson r (mean ± sd) | Spearman | fit s (mean) | scored entries |");
    Line("|---|---|---|---|---|---|---|");
    var ml = new MLContext(1);
    foreach (var ds in datasets)
        foreach (var config in configs)
        {
            var raw = ml.Data.LoadFrom10x(Path.Combine(dataRootLazy.Value, ds));
            var options = config == "paper" ? ImputationProtocolOptions.Paper() : new ImputationProtocolOptions();
            ApplySettings(options.Model, Option("--set"));
            options.Folds = folds;
            options.Model.Device = ScGnnDevice.Cpu;
            options.FoldCompleted = f => Console.Error.WriteLine($"  {ds} {config} seed {f.Seed}: MSE {f.Unseen.Mse:F2} r {f.Unseen.PearsonR:F3} fit {f.FitSeconds:F1}s best epoch {f.BestEpoch}");
            var r = ImputationProtocol.Run(ml, raw, options);
            Line($"| {ds} ({r.Cells:N0} x {r.Genes:N0}) | {config} | {r.Unseen.Mse.Format(2)} | {r.Unseen.PearsonR.Format(3)} | {r.Unseen.SpearmanRho.Format(3)} | {r.Folds.Average(f => f.FitSeconds):F1} | {r.Folds.Average(f => (double)f.Unseen.Count):F0} |");
        }
    Line("");
    Line("paper: `ImputationProtocolOptions.Paper()` (trains on the simulated-dropout entries of the 90 % training cells, scores the 5 % test cells). " +
         "default: `new ImputationProtocolOptions()` (library defaults, same protocol: trained on the simulated-dropout entries of the same training cells and scored on the same test cells).");
}

// True dropouts with known truth: the simulator's observed zeros where the true count is not zero. Public API only:
// simulate -> median normalization -> ImputeWithScGnn; the truth is scaled by each cell's normalization factor.
void Simulation()
{
    int folds = int.Parse(Option("--folds") ?? "2", CultureInfo.InvariantCulture);
    var configs = (Option("--configs") ?? "paper,default").Split(',');
    // --scale-sizes 1000,3000: the scale benchmark's simulation at those sizes, through its gene selection, in place
    // of the two small simulations.
    var scaleSizes = Option("--scale-sizes")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
    // --held-out: as the black box does, a seeded share (min(raw density, 0.3)) of the observed non-zeros is masked
    // before the fit, and the output is also scored on those held-out values.
    bool heldOut = Option("--held-out") is not null;
    var sizes = scaleSizes is null
        ? new[] { (Cells: 600, Genes: 500, Groups: 3), (Cells: 1000, Genes: 800, Groups: 5) }
        : scaleSizes.Select(c => (Cells: c, Genes: ScGnn.Benchmarks.ScaleBenchmark.Genes, Groups: ScGnn.Benchmarks.ScaleBenchmark.Groups)).ToArray();
    Header($"Simulated dropouts, seeds 1-{folds}", "simulation");
    Line("MSE and Pearson r between the imputed value and the normalized true count, over every entry the simulator dropped " +
         "(observed zero, true count not zero). The model never sees the truth; it trains on its own mask of the observed non-zeros.");
    if (heldOut)
        Line("Held out: before the fit, a seeded share min(raw density, 0.3) of the observed non-zeros is masked (SimulateDropout, " +
             "seed = the simulation's), as the black box does; \"held-out MSE\" scores the output on those values, the dropout " +
             "columns on the simulator's dropouts of that same fit.");
    Line("");
    Line("| simulation (cells x genes, groups) | configuration | MSE (mean ± sd) | Pearson r (mean ± sd) | per-seed MSE | fit s (mean) | dropouts scored |" +
         (heldOut ? " held-out MSE (mean ± sd) | per-seed held-out MSE |" : ""));
    Line("|---|---|---|---|---|---|---|" + (heldOut ? "---|---|" : ""));
    var ml = new MLContext(1);
    foreach (var size in sizes)
        foreach (var config in configs)
        {
            var mse = new List<double>(); var r = new List<double>(); var fitS = new List<double>(); long scored = 0;
            var heldOutMse = new List<double>();
            for (int seed = 1; seed <= folds; seed++)
            {
                var simOptions = scaleSizes is null
                    ? new ScGnn.MLNet.Simulation.SimulationOptions { CellCount = size.Cells, GeneCount = size.Genes, GroupCount = size.Groups }
                    : ScGnn.Benchmarks.ScaleBenchmark.Simulation(size.Cells);
                simOptions.Seed = seed;
                var sim = ScGnn.MLNet.Simulation.ExpressionSimulator.Simulate(simOptions);
                IDataView raw = sim.Observed.ToDataView();
                if (scaleSizes is not null) raw = ml.Transforms.SelectVariableGenes().Fit(raw).Transform(raw);
                var data = ml.Transforms.NormalizeMedianLibrarySize().Fit(raw).Transform(raw);
                var normalized = ExpressionMatrix.FromDataView(data);
                IDataView fitData = data;
                if (heldOut)
                    fitData = ml.Data.Cache(ml.Transforms.SimulateDropout(new DropoutSimulatingEstimator.Options
                    {
                        MaskRate = DropoutSimulatingEstimator.PaperMaskRate(raw, ScGnnDefaults.ExpressionColumnName), Seed = seed,
                    }).Fit(data).Transform(data));
                var simGene = sim.Observed.GeneIds.Select((id, j) => (id, j)).ToDictionary(p => p.id, p => p.j);
                var kept = normalized.GeneIds.Select(id => simGene[id]).ToArray();
                var o = config == "paper" ? ScGnnOptions.Paper() : new ScGnnOptions();
                ApplySettings(o, Option("--set"));
                o.Seed = seed; o.Device = ScGnnDevice.Cpu;
                var sw = Stopwatch.StartNew();
                var model = ml.Transforms.ImputeWithScGnn(o).Fit(fitData);
                fitS.Add(sw.Elapsed.TotalSeconds);
                var imputed = ExpressionMatrix.FromDataView(model.Transform(fitData), ScGnnTrainer.Defaults.OutputColumnName);
                if (heldOut)
                {
                    var masked = ExpressionMatrix.FromDataView(fitData);
                    heldOutMse.Add(ScGnn.Benchmarks.BlackBoxBenchmark.Score(normalized, masked, imputed, _ => true).Metrics.Mse);
                }
                var predicted = new List<float>(); var truth = new List<float>();
                for (int i = 0; i < sim.Observed.CellCount; i++)
                {
                    // The cell's normalization factor, read off any observed non-zero of the kept genes.
                    var row = normalized.RowIndices(i);
                    if (row.Length == 0) continue;
                    double factor = normalized[i, row[0]] / (double)sim.Observed[i, kept[row[0]]];
                    for (int j = 0; j < kept.Length; j++)
                        if (sim.Observed[i, kept[j]] == 0 && sim.TrueCounts[i, kept[j]] != 0)
                        {
                            predicted.Add(imputed[i, j]);
                            truth.Add((float)(sim.TrueCounts[i, kept[j]] * factor));
                        }
                }
                var metrics = ImputationMetrics.Compute(predicted.ToArray(), truth.ToArray());
                mse.Add(metrics.Mse); r.Add(metrics.PearsonR); scored = predicted.Count;
                Console.Error.WriteLine($"  {size.Cells}x{size.Genes} {config} seed {seed}: MSE {metrics.Mse:F2} r {metrics.PearsonR:F3} fit {fitS[^1]:F1}s" +
                    (heldOut ? $" held-out MSE {heldOutMse[^1]:F3}" : ""));
            }
            Line($"| {size.Cells:N0} x {size.Genes:N0}, {size.Groups} | {config} | {Stat(mse, 2)} | {Stat(r, 3)} | {string.Join(" ", mse.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} | {fitS.Average():F1} | {scored:N0} |" +
                (heldOut ? $" {Stat(heldOutMse, 3)} | {string.Join(" ", heldOutMse.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} |" : ""));
        }
    Line("");
    Line("paper: `ScGnnOptions.Paper()`; default: `new ScGnnOptions()`. Both fit on all cells with their own training mask, " +
         "as a user imputing real data would; \"dropouts scored\" is for the last seed.");
}

static string Stat(List<double> v, int digits)
{
    double mean = v.Average();
    double sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
    string f = "F" + digits;
    return $"{mean.ToString(f, CultureInfo.InvariantCulture)} ± {sd.ToString(f, CultureInfo.InvariantCulture)}";
}

static void ApplySettings(ScGnnOptions model, string? settings) => ScGnn.Benchmarks.BenchSettings.Apply(model, settings);

void Header(string title, string cmd)
{
    Line($"### {title}");
    Line("");
    Line($"Command: `dotnet run --project bench/ScGnn.Benchmarks -c Release -- {string.Join(' ', args)}` " +
         $"(machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
    Line("");
}

void Line(string s)
{
    Console.WriteLine(s);
    sb.AppendLine(s);
}

double MatMulRate(int m, int k, int n, int reps)
{
    using var scope = NewDisposeScope();
    var a = randn(m, k); var b = randn(k, n);
    a.mm(b).Dispose();
    var sw = Stopwatch.StartNew();
    for (int i = 0; i < reps; i++) a.mm(b).Dispose();
    return (double)m * k * n * reps / sw.Elapsed.TotalSeconds;
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "ScGnn.sln"))) return d.FullName;
    return Directory.GetCurrentDirectory();
}

static string FindData()
{
    var p = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data"));
    if (!Directory.Exists(p)) throw new DirectoryNotFoundException($"Benchmark data not found at {p}; pass --data <folder>.");
    return p;
}

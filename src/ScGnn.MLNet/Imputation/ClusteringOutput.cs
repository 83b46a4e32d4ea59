using System.Numerics.Tensors;
using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// The <see cref="ImputationOutputMode.Smoothed"/> output of a batch: the batch's values diffused over a kNN cell
/// graph, <c>X_t = P^t X</c> with <c>P = D^-1 (A + I)</c> the random walk over the undirected kNN graph with self
/// loops (MAGIC's diffusion with a flat kernel), in the model's PCA space. The neighbour count k (the model's k
/// halved, as is, or doubled) and the number of steps t (0 to <see cref="MaxSteps"/>) are chosen for the batch by
/// molecular cross-validation (Batson, Royer and Webber 2019): the values (as counts, rounded) are split molecule by
/// molecule into two halves, the first half is diffused over its own graph, and the (k, t) whose result best predicts
/// the second half (mean squared error of log1p) wins. When no smoothing predicts held-out molecules better than the
/// values themselves, t = 0 and the output is the input. <see cref="SmoothingSettings"/> holds the variants the
/// clustering benchmark compares: a graph on the components <see cref="ParallelAnalysis"/> keeps, log space, MAGIC's
/// adaptive kernel (<see cref="DiffusionOperator.AlphaDecay"/>), a weight w chosen with (k, t) for the output
/// <c>(1 - w) X + w P^t X</c>, and cross-fitting (each molecular part diffused over the graph of the others). The
/// default (<see cref="SmoothingSettings.Default"/>) builds the graph in the batch's own PCA (the model's was fitted
/// on its masked training input), with the adaptive kernel on all components and w chosen by the same
/// cross-validation (docs/BENCHMARKS.md section 4).
/// </summary>
/// <remarks>
/// Memory: the batch stays sparse. A batch within one block (<see cref="ScGnnPredictor.BlockBudget"/> floats) is
/// diffused whole; a larger one gives each block of output rows from the sparse rows of <c>P^t</c>
/// (<see cref="DiffuseRows"/>), so dense arrays are one block in size. Cross-validation holds cells x a few genes, and
/// reads at most <see cref="CrossValidationCells"/> cells (a random sample of a larger batch).
/// </remarks>
internal sealed class ClusteringOutput
{
    /// <summary>Most diffusion steps tried.</summary>
    internal const int MaxSteps = 10;

    // The widest row HostKernels.SparseRows sums in registers.
    private static readonly int MaxGeneBlock = 4 * System.Numerics.Vector<float>.Count;

    // Floats in the four cells x width arrays of one cross-validation block (per worker): 64 MB, enough for the widest
    // block up to 131,072 cells (AVX2), where the prediction's block budget gives 8 genes. A block narrower than a
    // vector is padded to one, so more than a million cells can take up to twice the budget.
    private const long CrossValidationBudget = 1L << 24;
    private const int SplitSeed = 1;

    // One worker per core. Each holds block-sized arrays (up to 64 MB), and a block's diffusion runs long enough that
    // the thread pool, left alone, injects threads: at a million cells the cross-validation ran 20-30 workers at once
    // and its resident memory climbed past 22 GB.
    private static readonly ParallelOptions Workers = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    private readonly CsrMatrix _x;
    private readonly float[]? _whole;

    // The output is the sum of weight * P^steps * values over the terms; no graph: the values as they are. A term
    // diffused ahead into a temporary file has its spill.
    private readonly (CsrMatrix Values, DiffusionOperator? Graph, double Weight, SpilledDiffusion? Spill)[] _terms;

    private ClusteringOutput(CsrMatrix x, (CsrMatrix, DiffusionOperator?, double)[] terms, int components, int neighborCount, int steps,
        double weight, double[] losses, bool logSpace, bool whole, bool? spill = null, Action<string>? progress = null, Action? checkAlive = null)
    {
        _x = x;
        Components = components;
        NeighborCount = neighborCount;
        Steps = steps;
        Weight = weight;
        Losses = losses;
        LogSpace = logSpace;
        if (whole)
        {
            _terms = terms.Select(t => (t.Item1, t.Item2, t.Item3, (SpilledDiffusion?)null)).ToArray();
            foreach (var (values, graph, w, _) in _terms)
            {
                var part = graph is null ? values.ToDense() : Diffuse(graph, values, steps, logSpace);
                if (_whole is null && w == 1) { _whole = part; continue; }
                _whole ??= new float[part.Length];
                for (int i = 0; i < part.Length; i++) _whole[i] += (float)(w * part[i]);
            }
            return;
        }
        _terms = terms.Select(t =>
        {
            var (values, graph, w) = t;
            bool ahead = graph is not null && steps > 0 && (spill ?? (SpillPays(graph, values, steps) && RoomToSpill(values, steps, progress)));
            if (!ahead) return (values, graph, w, (SpilledDiffusion?)null);
            progress?.Invoke($"ScGnn: smoothing: diffusing all {values.Rows} cells a gene block at a time into a temporary file of " +
                $"{SpilledDiffusion.FileBytes(values.Rows, values.Columns) / 1048576.0:N0} MB (at t = {steps} that is cheaper than diffusing each output row)");
            return (values, graph, w, SpilledDiffusion.Write(graph!, values, steps, logSpace, progress, checkAlive));
        }).ToArray();
    }

    /// <summary>The diffusion of the output (the first part's, with cross-fitting); null at t = 0.</summary>
    internal DiffusionOperator? SmoothingGraph => Steps == 0 ? null : _terms.FirstOrDefault(t => t.Graph is not null).Graph;

    /// <summary>Whether some term's diffusion was written ahead to a temporary file (<see cref="SpilledDiffusion"/>).</summary>
    internal bool Spilled => _terms.Any(t => t.Spill is not null);

    internal int Cells => _x.Rows;

    internal int Genes => _x.Columns;

    /// <summary>The PCA components the graph was built on.</summary>
    internal int Components { get; }

    /// <summary>The k chosen.</summary>
    internal int NeighborCount { get; }

    /// <summary>The t chosen (0: the input as it is).</summary>
    internal int Steps { get; }

    /// <summary>The weight w of the smoothed values in the output <c>(1 - w) X + w P^t X</c> (1: smoothed only).</summary>
    internal double Weight { get; }

    /// <summary>Whether log1p of the values was smoothed.</summary>
    internal bool LogSpace { get; }

    /// <summary>Held-out loss of the chosen graph and weight for t = 0 to the most steps tried.</summary>
    internal double[] Losses { get; }

    /// <summary>Chooses the graph and t for the batch (see the class summary).</summary>
    /// <param name="state">The fitted model: PCA basis, k, and whether the graph is on log1p.</param>
    /// <param name="x">The batch in the model's genes (observed values).</param>
    /// <param name="progress">Told after the shared neighbour search, after each cross-validated k (with the time left to cross-validate) and after the final graph.</param>
    /// <param name="checkAlive">Called before each cross-validated k, the final graph and each gene block written ahead, and inside the
    /// neighbour searches (throws to cancel).</param>
    internal static ClusteringOutput Prepare(ScGnnNetworkState state, CsrMatrix x, Action<string>? progress = null, Action? checkAlive = null) =>
        Prepare(state.Pca, state.ComponentCount, state.GraphOnLog1p, state.NeighborCount, x,
            SmoothingSettings.Default with { ScaleGenes = state.SmoothingOnScaledGenes }, progress: progress, checkAlive: checkAlive);

    /// <summary>Chooses the graph and t for the batch with explicit settings.</summary>
    /// <param name="pca">The PCA basis the graph is built in.</param>
    /// <param name="graphOnLog1p">Whether the basis is of log1p values.</param>
    /// <param name="neighborCount">The model's k.</param>
    /// <param name="x">The batch (observed values).</param>
    /// <param name="settings">Graph and candidates.</param>
    /// <param name="wholeBatchFloats">Batches with at most this many entries are diffused whole.</param>
    /// <param name="progress">Told after the shared neighbour search, after each cross-validated k (with the time left to cross-validate) and after the final graph.</param>
    internal static ClusteringOutput Prepare(PcaProjection pca, bool graphOnLog1p, int neighborCount, CsrMatrix x, SmoothingSettings settings,
        long wholeBatchFloats = ScGnnPredictor.BlockBudget, Action<string>? progress = null) =>
        Prepare(pca, pca.ComponentCount, graphOnLog1p, neighborCount, x, settings, wholeBatchFloats, progress);

    // The model's basis is read only by settings without the batch basis; the default needs only its component count.
    // What the graph's PCA reads: log1p when the model's graph is, each gene at unit variance in the batch's own basis.
    private static CsrMatrix GraphInput(CsrMatrix x, bool log1p, SmoothingSettings settings)
    {
        var input = log1p ? x.Log1p() : x;
        return settings.BatchBasis && settings.ScaleGenes ? input.ScaleColumnsToUnitVariance(inPlace: log1p) : input;
    }

    internal static ClusteringOutput Prepare(PcaProjection? modelBasis, int components, bool graphOnLog1p, int neighborCount, CsrMatrix x,
        SmoothingSettings settings, long wholeBatchFloats = ScGnnPredictor.BlockBudget, Action<string>? progress = null, Action? checkAlive = null)
    {
        if (!settings.BatchBasis && modelBasis is null)
            throw new ArgumentException("Smoothing in the model's PCA basis needs a model fitted with a network.", nameof(settings));
        if (settings.LogSpace && (settings.MixByCrossValidation || settings.Mix != 1 || settings.Folds > 1))
            throw new ArgumentException("Smoothing in log space takes neither a weight nor cross-fitting.", nameof(settings));
        int cells = x.Rows;
        bool whole = (long)cells * x.Columns <= wholeBatchFloats;
        var graphInput = GraphInput(x, graphOnLog1p, settings);
        var componentChoices = new List<int>();
        if (settings.ByParallelAnalysis)
        {
            componentChoices.Add(Math.Min(ParallelAnalysis.SignalComponents(graphInput, components, SplitSeed, settings.PerComponentNull), components));
            if (settings.AlsoAllComponents && !componentChoices.Contains(components)) componentChoices.Add(components);
        }
        else componentChoices.Add(settings.Components > 0 ? Math.Min(settings.Components, components) : components);

        var split = System.Diagnostics.Stopwatch.StartNew();
        // Above its budget the cross-validation reads a sample of the cells: its two neighbour searches over every cell
        // cost more than the rest of the smoothing at a million cells.
        var sampled = CrossValidationSample(cells, settings.CrossValidationCells);
        var cv = sampled is null ? x : x.SelectRows(sampled);
        int cvCells = cv.Rows;
        var (first, second) = SplitMolecules(cv, new Random(SplitSeed));
        var firstInput = GraphInput(first, graphOnLog1p, settings);
        // The graph is built on every gene; the held-out loss, above its budget, on a sample of them.
        var lossGenes = LossGenes(first, settings.CrossValidationGenes);
        var (firstLoss, secondLoss) = lossGenes is null ? (first, second) : (first.SelectColumns(lossGenes), second.SelectColumns(lossGenes));
        // The batch's own basis for cross-validation is the first half's, so that the held-out half chooses nothing.
        var firstBasis = settings.BatchBasis ? PcaProjection.Fit(firstInput, components, SplitSeed) : modelBasis!;
        var firstEmbedding = firstBasis.Transform(firstInput);
        var ks = settings.NeighborFactors.Select(f => Math.Clamp((int)Math.Round(neighborCount * f), 1, cvCells - 1)).Distinct().ToArray();
        var weights = settings.MixByCrossValidation
            ? Enumerable.Range(1, settings.MixGrid).Select(m => (double)m / settings.MixGrid).ToArray()
            : new[] { settings.Mix };
        int bestK = ks[0], bestT = 0, bestC = componentChoices[0];
        double bestW = weights[^1], bestLoss = double.PositiveInfinity;
        double[] bestLosses = Array.Empty<double>();
        int candidates = componentChoices.Count * ks.Length, tried = 0;
        // The candidates' own time, without the shared search: what the candidates still to go will take.
        var clock = new System.Diagnostics.Stopwatch();
        foreach (int c in componentChoices)
        {
            // One search for the largest k: each candidate's lists are its leading entries (the exact search's lists
            // are ordered by distance, ties to the lower index, so they equal the candidate's own search).
            int dims = Math.Min(c, firstBasis.ComponentCount);
            var points = Leading(firstEmbedding, cvCells, firstBasis.ComponentCount, dims);
            var widest = Neighbors(points, cvCells, dims, ks.Max(), settings.Decay, checkAlive);
            // Cross-validation diffuses cells in a locality order of the embedding, so that a step's neighbour rows are
            // mostly near each other in memory; the graphs are the same, only the order of float sums changes.
            int[]? order = settings.CellOrder ? KnnGraph.LocalityOrder(points, cvCells, dims, SplitSeed) : null;
            int[]? position = order is null ? null : Inverse(order);
            // The graphs are built in that numbering from renumbered points and lists (the same neighbours in the same
            // order) rather than renumbered after, so each candidate's operator (over a gigabyte for k = 20 at a million
            // cells) exists once.
            if (position is not null) (points, widest) = (Renumber(points, dims, order!), Relabel(widest, order!, position));
            progress?.Invoke($"ScGnn: smoothing: PCA and the {ListLength(ks.Max(), settings.Decay)} nearest cells of each cell " +
                $"({(KnnGraph.SearchesExactly(NeighborSearch.Auto, cvCells) ? "exact" : "approximate")}) in the first half of the molecules" +
                (sampled is null ? "" : $" of a random {cvCells:N0} of the {cells:N0} cells") + $": {split.Elapsed.TotalSeconds:F1} s" +
                (lossGenes is null ? "" : $"; the held-out loss is read on {lossGenes.Length} of the {x.Columns} genes"));
            foreach (int k in ks)
            {
                checkAlive?.Invoke();
                clock.Start();
                var graph = Graph(points, dims, Truncate(widest, ListLength(k, settings.Decay)), k, settings.Decay);
                var losses = settings.LogSpace
                    ? To2D(HeldOutLosses(graph, firstLoss, secondLoss, settings.MaxSteps, logSpace: true, position))
                    : HeldOutMixLosses(graph, firstLoss, secondLoss, settings.MaxSteps, weights, position: position);
                double candidateLoss = double.PositiveInfinity;
                for (int m = 0; m < weights.Length; m++)
                    for (int t = 0; t <= settings.MaxSteps; t++)
                    {
                        candidateLoss = Math.Min(candidateLoss, losses[t, m]);
                        if (losses[t, m] < bestLoss)
                        {
                            (bestLoss, bestK, bestT, bestC, bestW) = (losses[t, m], k, t, c, weights[m]);
                            bestLosses = Enumerable.Range(0, settings.MaxSteps + 1).Select(s => losses[s, m]).ToArray();
                        }
                    }
                tried++;
                // The candidate's operator and block arrays are large objects that only a full collection frees; left to
                // the collector, several candidates' worth stay resident (a million cells peaked at 17 GB).
                graph = null!;
                if (!whole) GC.Collect();
                clock.Stop();
                double elapsed = clock.Elapsed.TotalSeconds;
                progress?.Invoke($"ScGnn: smoothing cross-validated k = {k} ({tried} of {candidates}), held-out loss {candidateLoss:G5}; {elapsed:F1} s, about {elapsed / tried * (candidates - tried):F0} s left to cross-validate");
            }
        }
        if (settings.FixedSteps > 0) bestT = settings.FixedSteps;
        // At t = 0 every weight gives the input; said, because the output then looks like no smoothing was asked for.
        if (bestT == 0)
        {
            progress?.Invoke("ScGnn: smoothing: no diffusion over the cell graph predicted the held-out molecules better than each cell's " +
                "own values (t = 0), so the smoothed output is the input unchanged");
            return new ClusteringOutput(x, new (CsrMatrix, DiffusionOperator?, double)[] { (x, null, 1) }, bestC, bestK, 0, 1, bestLosses, settings.LogSpace, whole);
        }

        var terms = new List<(CsrMatrix, DiffusionOperator?, double)>();
        if (bestW < 1) terms.Add((x, null, 1 - bestW));
        if (settings.Folds > 1)
        {
            // Cross-fitting: each part's noise is averaged over a graph chosen without it, so the smoothing cannot
            // reinforce the noise that picked the neighbours.
            foreach (var (part, rest) in SplitParts(x, settings.Folds, new Random(SplitSeed + 1)))
            {
                var restInput = GraphInput(rest, graphOnLog1p, settings);
                var basis = settings.BatchBasis ? PcaProjection.Fit(restInput, components, SplitSeed) : modelBasis!;
                terms.Add((part, Graph(basis.Transform(restInput), cells, basis.ComponentCount, Math.Min(bestC, basis.ComponentCount), bestK, settings.Decay, checkAlive), bestW));
            }
        }
        else
        {
            if (!whole) GC.Collect();
            checkAlive?.Invoke();
            var final = System.Diagnostics.Stopwatch.StartNew();
            var basis = settings.BatchBasis ? PcaProjection.Fit(graphInput, components, SplitSeed) : modelBasis!;
            terms.Add((x, Graph(basis.Transform(graphInput), cells, basis.ComponentCount, Math.Min(bestC, basis.ComponentCount), bestK, settings.Decay, checkAlive), bestW));
            progress?.Invoke($"ScGnn: smoothing: the batch's own graph (k = {bestK}, t = {bestT}, weight {bestW:0.0#}) in {final.Elapsed.TotalSeconds:F1} s");
        }
        return new ClusteringOutput(x, terms.ToArray(), bestC, bestK, bestT, bestW, bestLosses, settings.LogSpace, whole, settings.Spill, progress, checkAlive);
    }

    /// <summary>
    /// Most cells x genes the cross-validation's loss is measured on (300,000 cells x 666 genes). Its cost is cells x
    /// genes x steps x neighbours; above this a sample of the genes keeps it at this size's, but never fewer than
    /// <see cref="MinLossGenes"/> genes. On pbmc3k, zeisel, zeisel_saver200 and 100,000 simulated cells the loss on 200
    /// or 100 sampled genes chose the same k, t and weight as on every gene; on 50, zeisel_saver200's weight moved
    /// from 0.8 to 0.9 (docs/BENCHMARKS.md section 4).
    /// </summary>
    internal const long CrossValidationEntries = 200_000_000;

    /// <summary>
    /// Most cells the cross-validation reads. A larger batch is cross-validated on a random sample of this many cells
    /// (its own PCA and graph), and the k, t and weight chosen there smooth the whole batch over its own graph. A
    /// sample of 200,000 of a million simulated cells, 30,000 of 100,000, and 1,000 of pbmc3k's and zeisel's cells
    /// chose what every cell chose; 500 chose a smaller k (docs/BENCHMARKS.md section 4).
    /// </summary>
    internal const int CrossValidationCells = 200_000;

    /// <summary>
    /// The cells the cross-validation reads, ascending: null for every cell when there are at most
    /// <paramref name="limit"/> (0: <see cref="CrossValidationCells"/>), otherwise a random <paramref name="limit"/> of them.
    /// </summary>
    internal static int[]? CrossValidationSample(int cells, int limit = 0)
    {
        if (limit <= 0) limit = CrossValidationCells;
        return cells <= limit ? null : RandomSubset.Ascending(cells, limit, new Random(SplitSeed));
    }

    /// <summary>Fewest genes a budgeted cross-validation reads (see <see cref="CrossValidationEntries"/>).</summary>
    internal const int MinLossGenes = 200;

    /// <summary>
    /// The genes the held-out loss reads: null for every gene when <paramref name="count"/> is 0 and cells x genes is
    /// within <see cref="CrossValidationEntries"/>; otherwise <paramref name="count"/> genes (0: as many as the budget
    /// allows, at least <see cref="MinLossGenes"/>), a systematic sample in the order of the first half's gene sums (ties to the lower index), so that
    /// sparse and abundant genes are sampled alike.
    /// </summary>
    internal static int[]? LossGenes(CsrMatrix first, int count = 0)
    {
        int genes = first.Columns;
        if (count <= 0) count = (int)Math.Min(genes, Math.Max(MinLossGenes, CrossValidationEntries / Math.Max(1, first.Rows)));
        count = Math.Clamp(count, 1, genes);
        if (count == genes) return null;
        var sums = new double[genes];
        for (int q = 0; q < first.Values.Length; q++) sums[first.ColumnIndices[q]] += first.Values[q];
        var byAbundance = Enumerable.Range(0, genes).OrderBy(g => sums[g]).ThenBy(g => g).ToArray();
        var chosen = new int[count];
        for (int c = 0; c < count; c++) chosen[c] = byAbundance[(int)((c + 0.5) * genes / count)];
        Array.Sort(chosen);
        return chosen;
    }

    // Row r of the result is point order[r].
    private static float[] Renumber(float[] points, int dims, int[] order)
    {
        var result = new float[points.LongLength];
        Parallel.For(0, order.Length, r => points.AsSpan(order[r] * dims, dims).CopyTo(result.AsSpan(r * dims, dims)));
        return result;
    }

    /// <summary>Neighbour lists in another numbering: list r is cell <paramref name="order"/>[r]'s, each neighbour j as <paramref name="position"/>[j].</summary>
    internal static int[][] Relabel(int[][] lists, int[] order, int[] position)
    {
        var result = new int[lists.Length][];
        Parallel.For(0, order.Length, r => result[r] = Array.ConvertAll(lists[order[r]], j => position[j]));
        return result;
    }

    private static int[] Inverse(int[] order)
    {
        var position = new int[order.Length];
        for (int r = 0; r < order.Length; r++) position[order[r]] = r;
        return position;
    }

    private static double[,] To2D(double[] losses)
    {
        var r = new double[losses.Length, 1];
        for (int t = 0; t < losses.Length; t++) r[t, 0] = losses[t];
        return r;
    }

    /// <summary>
    /// Splits each value into <paramref name="folds"/> parts that add up to it: its rounded count's molecules go to
    /// parts uniformly at random, and each part gets the value times its share of them (an equal share where the
    /// count rounds to 0). Returns each part with the rest of the values (the input minus the part).
    /// </summary>
    internal static (CsrMatrix Part, CsrMatrix Others)[] SplitParts(CsrMatrix x, int folds, Random rng)
    {
        var parts = new float[folds][];
        for (int f = 0; f < folds; f++) parts[f] = new float[x.Values.Length];
        var counts = new long[folds];
        for (int q = 0; q < x.Values.Length; q++)
        {
            float v = Math.Max(0f, x.Values[q]);
            long c = (long)Math.Round(v);
            if (c == 0)
            {
                for (int f = 0; f < folds; f++) parts[f][q] = v / folds;
                continue;
            }
            Array.Clear(counts);
            if (c <= 1000)
                for (long m = 0; m < c; m++) counts[rng.Next(folds)]++;
            else
            {
                // Sequential binomials, each by its normal approximation.
                long left = c;
                for (int f = 0; f < folds - 1 && left > 0; f++)
                {
                    double p = 1.0 / (folds - f);
                    double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                    double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                    counts[f] = Math.Clamp((long)Math.Round(left * p + z * Math.Sqrt(left * p * (1 - p))), 0, left);
                    left -= counts[f];
                }
                counts[folds - 1] += left;
            }
            for (int f = 0; f < folds; f++) parts[f][q] = (float)(v * counts[f] / (double)c);
        }
        return parts.Select(p =>
        {
            var rest = new float[p.Length];
            for (int q = 0; q < p.Length; q++) rest[q] = x.Values[q] - p[q];
            return (new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, p), new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, rest));
        }).ToArray();
    }

    /// <summary>Output rows <c>[start, start + count)</c> in the model's genes (row-major).</summary>
    internal float[] Rows(int start, int count)
    {
        if (_whole is not null) return _whole.AsSpan((int)((long)start * Genes), (int)((long)count * Genes)).ToArray();
        float[]? result = null;
        foreach (var (values, graph, w, spill) in _terms.Where(t => t.Spill is null))
        {
            var part = graph is null ? values.ToDense(start, count) : DiffuseRows(graph, values, Steps, LogSpace, start, count);
            if (result is null && w == 1) { result = part; continue; }
            result ??= new float[part.Length];
            for (int i = 0; i < part.Length; i++) result[i] += (float)(w * part[i]);
        }
        result ??= new float[(long)count * Genes];
        foreach (var (_, _, w, spill) in _terms.Where(t => t.Spill is not null)) spill!.AddRows(start, count, result, (float)w);
        return result;
    }

    // The kNN graph on the leading `components` of a cells x dims embedding.
    private static DiffusionOperator Graph(float[] embedding, int cells, int dims, int components, int k, double decay = 0, Action? checkAlive = null)
    {
        var points = Leading(embedding, cells, dims, components);
        return Graph(points, components, Neighbors(points, cells, components, k, decay, checkAlive), k, decay);
    }

    private static DiffusionOperator Graph(float[] points, int dims, int[][] neighbors, int k, double decay) =>
        decay > 0 ? DiffusionOperator.AlphaDecay(points, neighbors, dims, k, decay) : DiffusionOperator.Flat(NormalizedAdjacency.FromNeighbors(neighbors));

    // The adaptive kernel reads each cell's 3k nearest cells; the flat graph its k.
    private static int ListLength(int k, double decay) => decay > 0 ? 3 * k : k;

    private static int[][] Neighbors(float[] points, int cells, int dims, int k, double decay, Action? checkAlive) =>
        KnnGraph.NearestNeighbors(points, cells, dims, ListLength(k, decay), NeighborSearch.Auto, ScGnnEngine.GraphSeed, checkAlive);

    private static int[][] Truncate(int[][] lists, int length) =>
        lists.Select(row => row.Length <= length ? row : row[..length]).ToArray();

    private static float[] Leading(float[] embedding, int cells, int dims, int components)
    {
        if (components >= dims) return embedding;
        var points = new float[(long)cells * components];
        for (int i = 0; i < cells; i++) embedding.AsSpan(i * dims, components).CopyTo(points.AsSpan(i * components, components));
        return points;
    }

    /// <summary>
    /// Binomial thinning: each value, rounded to a count, sends each of its molecules to the first half with
    /// probability 1/2 (a normal approximation above 1,000 molecules).
    /// </summary>
    internal static (CsrMatrix First, CsrMatrix Second) SplitMolecules(CsrMatrix x, Random rng)
    {
        var a = new float[x.Values.Length];
        var b = new float[x.Values.Length];
        for (int q = 0; q < a.Length; q++)
        {
            long c = (long)Math.Round(Math.Max(0f, x.Values[q]));
            long h;
            if (c <= 1000)
            {
                h = 0;
                for (long m = 0; m < c; m++) if (rng.NextDouble() < 0.5) h++;
            }
            else
            {
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
                double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                h = Math.Clamp((long)Math.Round(c / 2.0 + z * Math.Sqrt(c / 4.0)), 0, c);
            }
            a[q] = h;
            b[q] = c - h;
        }
        return (new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, a),
                new CsrMatrix(x.Rows, x.Columns, x.RowPointers, x.ColumnIndices, b));
    }

    /// <summary>
    /// Mean over every entry of <c>(log1p((P^t A)_ij) - log1p(B_ij))^2</c> for t = 0 to <paramref name="maxSteps"/>;
    /// in log space <c>(P^t log1p(A))_ij</c> is the prediction.
    /// </summary>
    /// <param name="graph">The diffusion, over the cells numbered by <paramref name="position"/> when given.</param>
    /// <param name="first">The values diffused.</param>
    /// <param name="second">The held-out values.</param>
    /// <param name="maxSteps">Most steps.</param>
    /// <param name="logSpace">Diffuse log1p of the values.</param>
    /// <param name="position">Where each cell (row of the values) sits in the graph's numbering; null: the same.</param>
    internal static double[] HeldOutLosses(DiffusionOperator graph, CsrMatrix first, CsrMatrix second, int maxSteps = MaxSteps, bool logSpace = false,
        int[]? position = null)
    {
        int cells = first.Rows, genes = first.Columns;
        var sums = new double[maxSteps + 1];
        var blocks = GeneBlocks(cells, genes, CrossValidationBudget).ToArray();
        var perBlock = new double[blocks.Length][];
        Parallel.For(0, blocks.Length, Workers, bi =>
        {
            var (g0, width) = blocks[bi];
            int dp = HostKernels.Padded(width);
            int len = cells * dp;
            var cur = Columns(first, g0, width, dp, position);
            var target = Columns(second, g0, width, dp, position);
            for (int i = 0; i < len; i++) target[i] = MathF.Log(1 + target[i]);
            if (logSpace) for (int i = 0; i < len; i++) cur[i] = MathF.Log(1 + cur[i]);
            var next = HostKernels.Rent(len);
            var local = new double[maxSteps + 1];
            for (int t = 0; t <= maxSteps; t++)
            {
                if (t > 0) { Step(graph, cur, next, dp); (cur, next) = (next, cur); }
                double s = 0;
                for (int i = 0; i < len; i++)
                {
                    double d = (logSpace ? cur[i] : MathF.Log(1 + cur[i])) - target[i];
                    s += d * d;
                }
                local[t] = s;
            }
            Return(cur, target, next);
            perBlock[bi] = local;
        });
        foreach (var local in perBlock)
            for (int t = 0; t <= maxSteps; t++) sums[t] += local[t];
        return sums.Select(s => s / ((double)cells * genes)).ToArray();
    }

    /// <summary>
    /// Held-out loss of <c>(1 - w) A + w P^t A</c> for t = 0 to <paramref name="maxSteps"/> (first index) and each
    /// weight w of <paramref name="mixes"/> (second index), as <see cref="HeldOutLosses"/> (with its cell numbering). The genes go in blocks of at
    /// most <c>blockBudget</c> floats over their four arrays; the losses do not depend on it.
    /// </summary>
    internal static double[,] HeldOutMixLosses(DiffusionOperator graph, CsrMatrix first, CsrMatrix second, int maxSteps, double[] mixes,
        long blockBudget = CrossValidationBudget, int[]? position = null)
    {
        int cells = first.Rows, genes = first.Columns;
        var blocks = GeneBlocks(cells, genes, blockBudget).ToArray();
        var perBlock = new double[blocks.Length][,];
        Parallel.For(0, blocks.Length, Workers, bi =>
        {
            var (g0, width) = blocks[bi];
            int dp = HostKernels.Padded(width);
            int len = cells * dp;
            var cur = Columns(first, g0, width, dp, position);
            var start = HostKernels.Rent(len);
            cur.AsSpan(0, len).CopyTo(start);
            var target = Columns(second, g0, width, dp, position);
            for (int i = 0; i < len; i++) target[i] = MathF.Log(1 + target[i]);
            var next = HostKernels.Rent(len);
            var scratch = new float[LossChunk];
            var local = new double[maxSteps + 1, mixes.Length];
            for (int t = 0; t <= maxSteps; t++)
            {
                if (t > 0) { Step(graph, cur, next, dp); (cur, next) = (next, cur); }
                MixSquaredErrors(start, cur, target, len, mixes, scratch, local, t);
            }
            Return(cur, start, target, next);
            perBlock[bi] = local;
        });
        var sums = new double[maxSteps + 1, mixes.Length];
        foreach (var local in perBlock)
            for (int t = 0; t <= maxSteps; t++)
                for (int m = 0; m < mixes.Length; m++) sums[t, m] += local[t, m] / ((double)cells * genes);
        return sums;
    }

    // Values per vectorised pass of the loss: small enough for L1, long enough to amortise the calls.
    private const int LossChunk = 2048;

    // For each weight w, the sum of (log1p((1 - w) a + w c) - b)^2 into losses[t, m], in float over vector chunks,
    // summed in double across chunks. The scalar double logarithm was most of the cross-validation's time; the float
    // one moves a loss by about 1e-7 relative. The weights loop inside the chunk loop, so that each chunk of the three
    // block-sized arrays is read from memory once for all weights, not once per weight.
    private static void MixSquaredErrors(float[] start, float[] cur, float[] target, int length, double[] mixes, float[] scratch, double[,] losses, int t)
    {
        for (int at = 0; at < length; at += LossChunk)
        {
            int n = Math.Min(LossChunk, length - at);
            var a = start.AsSpan(at, n);
            var c = cur.AsSpan(at, n);
            var b = target.AsSpan(at, n);
            var d = scratch.AsSpan(0, n);
            for (int m = 0; m < mixes.Length; m++)
            {
                float w = (float)mixes[m];
                TensorPrimitives.Multiply(a, 1 - w, d);
                TensorPrimitives.MultiplyAdd(c, w, d, d);
                TensorPrimitives.LogP1(d, d);
                TensorPrimitives.Subtract(d, b, d);
                losses[t, m] += TensorPrimitives.SumOfSquares<float>(d);
            }
        }
    }

    /// <summary><c>P^t X</c> (or <c>expm1(P^t log1p X)</c>), dense row-major cells x genes, a block of genes at a time.</summary>
    internal static float[] Diffuse(DiffusionOperator graph, CsrMatrix x, int steps, bool logSpace = false)
    {
        int cells = x.Rows, genes = x.Columns;
        var result = new float[(long)cells * genes];
        DiffuseBlocks(graph, x, steps, logSpace, ScGnnPredictor.BlockBudget, (g0, width, block, dp) =>
        {
            for (int i = 0; i < cells; i++)
                block.AsSpan(i * dp, width).CopyTo(result.AsSpan((int)((long)i * genes + g0), width));
        });
        return result;
    }

    /// <summary>
    /// <see cref="Diffuse"/> a gene block at a time, each block handed to <paramref name="done"/> as
    /// (first gene, width, cells x dp values, dp) on the worker that diffused it; the array is pooled and taken back
    /// when <paramref name="done"/> returns.
    /// </summary>
    /// <param name="graph">The diffusion.</param>
    /// <param name="x">The values.</param>
    /// <param name="steps">t.</param>
    /// <param name="logSpace">Diffuse log1p of the values and give expm1 of the result.</param>
    /// <param name="budget">Floats a block may take, counted as four cells x width arrays (at least one vector wide, at most <c>MaxGeneBlock</c>).</param>
    /// <param name="done">Takes each diffused block.</param>
    internal static void DiffuseBlocks(DiffusionOperator graph, CsrMatrix x, int steps, bool logSpace, long budget, Action<int, int, float[], int> done)
    {
        int cells = x.Rows;
        var blocks = GeneBlocks(cells, x.Columns, budget).ToArray();
        Parallel.For(0, blocks.Length, Workers, bi =>
        {
            var (g0, width) = blocks[bi];
            int dp = HostKernels.Padded(width);
            int len = cells * dp;
            var cur = Columns(x, g0, width, dp);
            if (logSpace) for (int i = 0; i < len; i++) cur[i] = MathF.Log(1 + cur[i]);
            var next = HostKernels.Rent(len);
            for (int t = 0; t < steps; t++) { Step(graph, cur, next, dp); (cur, next) = (next, cur); }
            if (logSpace) for (int i = 0; i < len; i++) cur[i] = MathF.Exp(cur[i]) - 1;
            try { done(g0, width, cur, dp); }
            finally { Return(cur, next); }
        });
    }

    /// <summary>The gene blocks <see cref="DiffuseBlocks"/> uses for this budget, as (first gene, width).</summary>
    internal static (int Start, int Width)[] Blocks(int cells, int genes, long budget) => GeneBlocks(cells, genes, budget).ToArray();

    /// <summary>
    /// Rows <c>[start, start + count)</c> of <see cref="Diffuse"/>'s result without the rest: each row's weights over
    /// cells, <c>e_i^T P^t</c>, are propagated as a sparse vector, then its output is the weighted sum of those
    /// cells' sparse rows. Memory: the block plus one cells-long scratch array per worker.
    /// </summary>
    internal static float[] DiffuseRows(DiffusionOperator graph, CsrMatrix x, int steps, bool logSpace, int start, int count)
    {
        int cells = x.Rows, genes = x.Columns;
        if (start < 0 || count < 0 || start + count > cells) throw new ArgumentOutOfRangeException(nameof(count));
        var result = new float[(long)count * genes];
        var values = logSpace ? x.Log1p() : x;
        var ptr = graph.RowPointers;
        var nbr = graph.Columns;
        var pw = graph.Weights;
        Parallel.For(0, count, Workers, () => new Walk(cells), (r, _, w) =>
        {
            w.Start(start + r);
            for (int t = 0; t < steps; t++)
            {
                w.Clear();
                foreach (int j in w.Current)
                {
                    int a = ptr[j], b = ptr[j + 1];
                    double wj = w.Weight[j];
                    for (int q = a; q < b; q++) w.Add(nbr[q], wj * pw[q]);
                }
                w.Swap();
            }
            var row = result.AsSpan((int)((long)r * genes), genes);
            foreach (int j in w.Current)
            {
                float wj = (float)w.Weight[j];
                var idx = values.RowIndices(j);
                var val = values.RowValues(j);
                for (int q = 0; q < idx.Length; q++) row[idx[q]] += wj * val[q];
            }
            if (logSpace) for (int g = 0; g < row.Length; g++) row[g] = MathF.Exp(row[g]) - 1;
            return w;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// Whether diffusing the whole batch a gene block at a time (<see cref="SpilledDiffusion"/>) costs less than
    /// <see cref="DiffuseRows"/> for every row, by <see cref="OutputCosts"/> and the relative cost of their operations.
    /// </summary>
    internal static bool SpillPays(DiffusionOperator graph, CsrMatrix x, int steps)
    {
        var (rows, blocks) = OutputCosts(graph, x, steps, stopAbove: BlockOperationCost * BlockCost(graph, x, steps));
        return rows > BlockOperationCost * blocks;
    }

    // A full temporary disk makes the cheaper path fail where the rows would only be slower, so without room it is not taken.
    private static bool RoomToSpill(CsrMatrix values, int steps, Action<string>? progress)
    {
        long bytes = SpilledDiffusion.FileBytes(values.Rows, values.Columns);
        string folder = Path.GetTempPath();
        if (SpilledDiffusion.HasRoom(bytes, folder, out long free)) return true;
        progress?.Invoke($"ScGnn: smoothing: the temporary folder {folder} has {free / 1048576.0:N0} MB free and diffusing the batch ahead " +
            $"needs {bytes / 1048576.0:N0} MB; each output row is diffused instead, which is slower at t = {steps} (point TMPDIR at a larger disk)");
        return false;
    }

    // Time of one operation of the gene blocks (writing the file and reading it back included) relative to one of a
    // row's walk: 0.36 at 100,000 cells and 0.48 at 300,000, at t = 1, where the two estimates are closest (docs/BENCHMARKS.md section 4).
    private const double BlockOperationCost = 0.5;

    /// <summary>
    /// Estimated operations of the batch's output by rows and by gene blocks. By rows: each row's walk adds every
    /// support cell's entries of P at each step, then every final support cell's stored values; measured on up to
    /// <paramref name="samples"/> evenly spaced rows and scaled to all of them. By gene blocks: t steps of every entry
    /// of P times the vectors of a row of genes, plus the cells x genes written and one pass over the values per block.
    /// </summary>
    /// <param name="graph">The diffusion.</param>
    /// <param name="x">The values.</param>
    /// <param name="steps">t.</param>
    /// <param name="samples">Rows whose walks are measured.</param>
    /// <param name="stopAbove">Stop measuring walks once the rows' estimate is sure to exceed this (the walks' cost grows
    /// about as k^t, and deciding needs no more); the estimate is then a lower bound.</param>
    internal static (double Rows, double Blocks) OutputCosts(DiffusionOperator graph, CsrMatrix x, int steps, int samples = 64,
        double stopAbove = double.PositiveInfinity)
    {
        int cells = x.Rows;
        samples = Math.Clamp(samples, 1, Math.Max(1, cells));
        var ptr = graph.RowPointers;
        var w = new Walk(cells);
        double ops = 0;
        for (int s = 0; s < samples && ops / samples * cells <= stopAbove; s++)
        {
            w.Start((int)((s + 0.5) * cells / samples));
            for (int t = 0; t < steps; t++)
            {
                w.Clear();
                foreach (int j in w.Current)
                {
                    ops += ptr[j + 1] - ptr[j];
                    for (int q = ptr[j]; q < ptr[j + 1]; q++) w.Add(graph.Columns[q], w.Weight[j] * graph.Weights[q]);
                }
                w.Swap();
            }
            foreach (int j in w.Current) ops += x.RowPointers[j + 1] - x.RowPointers[j];
        }
        return (ops / samples * cells, BlockCost(graph, x, steps));
    }

    private static double BlockCost(DiffusionOperator graph, CsrMatrix x, int steps)
    {
        int cells = x.Rows, genes = x.Columns;
        var blocks = GeneBlocks(cells, genes, SpilledDiffusion.BlockBudget(cells)).ToArray();
        double vectors = blocks.Sum(b => HostKernels.Padded(b.Width)) / (double)System.Numerics.Vector<float>.Count;
        return (double)steps * graph.RowPointers[cells] * vectors + (double)cells * genes + (double)blocks.Length * x.Values.Length;
    }

    // A sparse vector over cells being propagated: the current support with its weights, and the next one being built.
    private sealed class Walk(int cells)
    {
        private double[] _weight = new double[cells], _next = new double[cells];
        private List<int> _current = new(), _nextSupport = new();

        internal double[] Weight => _weight;
        internal List<int> Current => _current;

        internal void Start(int cell)
        {
            foreach (int j in _current) _weight[j] = 0;
            _current.Clear();
            _current.Add(cell);
            _weight[cell] = 1;
        }

        internal void Clear() => _nextSupport.Clear();

        internal void Add(int cell, double w)
        {
            if (_next[cell] == 0) _nextSupport.Add(cell);
            _next[cell] += w;
        }

        internal void Swap()
        {
            foreach (int j in _current) _weight[j] = 0;
            (_weight, _next) = (_next, _weight);
            (_current, _nextSupport) = (_nextSupport, _current);
        }
    }

    // Gene blocks whose cells x width arrays stay within a budget (at least one gene wide), at most as wide as the
    // kernel's row that stays in registers, so that a step stores each output row once.
    private static IEnumerable<(int Start, int Width)> GeneBlocks(int cells, int genes, long budget = ScGnnPredictor.BlockBudget)
    {
        // At least one whole vector: a narrower block is padded to one anyway (the same memory), and its pad lanes would
        // be diffused for nothing (above 524,288 cells in cross-validation, half or more of every step).
        int width = (int)Math.Clamp(budget / 4 / Math.Max(1, cells), System.Numerics.Vector<float>.Count, MaxGeneBlock);
        for (int g0 = 0; g0 < genes; g0 += width) yield return (g0, Math.Min(width, genes - g0));
    }

    // Columns [g0, g0 + width) as a dense cells x dp block, each row zero-padded from width to dp (row i at
    // position[i] when given), in a pooled array (give it back with Return): every candidate k diffuses every gene
    // block, and fresh block-sized arrays each time would fill the large-object heap faster than full collections empty it.
    private static float[] Columns(CsrMatrix x, int g0, int width, int dp, int[]? position = null)
    {
        var block = HostKernels.Rent((long)x.Rows * dp);
        block.AsSpan(0, x.Rows * dp).Clear();
        for (int i = 0; i < x.Rows; i++)
        {
            var idx = x.RowIndices(i);
            var val = x.RowValues(i);
            for (int q = 0; q < idx.Length; q++)
            {
                int j = idx[q] - g0;
                if (j >= 0 && j < width) block[(position is null ? i : position[i]) * dp + j] = val[q];
            }
        }
        return block;
    }

    private static void Return(params float[][] arrays)
    {
        foreach (var a in arrays) HostKernels.Return(a);
    }

    // dst = P src over rows of dp values (whole vectors): each row's weighted sum over its stored entries.
    private static unsafe void Step(DiffusionOperator graph, float[] src, float[] dst, int dp)
    {
        fixed (int* ptr = graph.RowPointers)
        fixed (int* cols = graph.Columns)
        fixed (float* w = graph.SingleWeights)
        fixed (float* s = src)
        fixed (float* d = dst)
            HostKernels.SparseRows(ptr, cols, w, s, d, 0, graph.Count, dp);
    }
}

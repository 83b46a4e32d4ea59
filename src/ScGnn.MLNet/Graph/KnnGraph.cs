using Cloud.Unum.USearch;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// k-nearest-neighbour cell graph (paper §2): Euclidean distance in PCA space, connectivity 0/1, made undirected
/// (an edge when either cell lists the other), as scanpy's <c>pp.neighbors(method="umap")</c> connectivities before
/// weighting and MAGIC's <c>knn</c>. Exact up to <see cref="ExactMaxCells"/> cells; above that an HNSW index
/// (USearch), whose recall@k is measured by the <c>graph</c> benchmark.
/// </summary>
internal static class KnnGraph
{
    /// <summary>
    /// Largest cell count searched exactly by <see cref="NeighborSearch.Auto"/>. Exact search costs cells² x
    /// components; at 20,000 cells it takes about as long as building the HNSW index, and grows quadratically above.
    /// </summary>
    internal const int ExactMaxCells = 20_000;

    /// <summary>HNSW settings: links per node, candidate list while adding and while searching.</summary>
    internal const int Connectivity = 16, ExpansionAdd = 128, ExpansionSearch = 128;

    // Vectors handed to the index per Add call (one capacity reserve each).
    private const int AddChunk = 1 << 16;

    // Exact search holds distance blocks of at most this many doubles.
    private const long BlockBudget = 8L << 20;

    /// <summary>
    /// For each cell, the indices of its k nearest other cells (ascending distance; ties to the lower index).
    /// The cell itself is never listed, even when duplicates sit at distance 0.
    /// </summary>
    /// <param name="points">Row-major cells x dims.</param>
    /// <param name="count">Cells.</param>
    /// <param name="dims">Dimensions per cell.</param>
    /// <param name="k">Neighbours per cell (at most count - 1 are returned).</param>
    /// <param name="search">Exact, approximate, or by <see cref="ExactMaxCells"/>.</param>
    /// <param name="seed">Shuffles the insertions into the approximate index within each leaf of their locality order; the same seed gives the same graph.</param>
    internal static int[][] NearestNeighbors(float[] points, int count, int dims, int k, NeighborSearch search = NeighborSearch.Exact, int seed = 0)
    {
        if (count < 2) throw new ArgumentException("A kNN graph needs at least two cells.");
        if (points.LongLength != (long)count * dims) throw new ArgumentException($"points holds {points.LongLength} values; expected {count} x {dims}.");
        bool exact = search == NeighborSearch.Exact || (search == NeighborSearch.Auto && count <= ExactMaxCells);
        return exact ? Exact(points, count, dims, Math.Min(k, count - 1)) : Approximate(points, count, dims, Math.Min(k, count - 1), seed);
    }

    private static int[][] Exact(float[] points, int count, int dims, int k)
    {
        TorchRuntime.EnsureInitialized();
        var result = new int[count][];
        int blockRows = (int)Math.Clamp(BlockBudget / count, 1, 2048);
        using var scope = NewDisposeScope();
        var all = tensor(points, count, dims).to_type(ScalarType.Float64);
        var sq = all.square().sum(1);
        var dist = new double[(long)blockRows * count];
        for (int start = 0; start < count; start += blockRows)
        {
            using var inner = NewDisposeScope();
            int rows = Math.Min(blockRows, count - start);
            var block = all[start..(start + rows)];
            var d = sq[start..(start + rows)].unsqueeze(1) + sq.unsqueeze(0) - 2 * block.matmul(all.t());
            // Exclude self explicitly: duplicate cells have distance 0 too.
            var selfIdx = arange(start, start + rows, dtype: ScalarType.Int64).unsqueeze(1);
            d.scatter_(1, selfIdx, full(rows, 1, double.PositiveInfinity, dtype: ScalarType.Float64));
            d.contiguous().data<double>().CopyTo(dist, 0);
            // Partial selection of the k smallest per row, ties to the lower index (what a stable sort gives),
            // instead of sorting whole rows.
            int offset = start;
            Parallel.For(0, rows, r =>
            {
                var bestD = new double[k];
                var bestI = new int[k];
                int filled = 0;
                long rowStart = (long)r * count;
                for (int j = 0; j < count; j++)
                {
                    double v = dist[rowStart + j];
                    if (filled == k && !(v < bestD[k - 1])) continue;
                    int at = filled < k ? filled++ : k - 1;
                    while (at > 0 && v < bestD[at - 1]) { bestD[at] = bestD[at - 1]; bestI[at] = bestI[at - 1]; at--; }
                    bestD[at] = v; bestI[at] = j;
                }
                result[offset + r] = bestI;
            });
        }
        return result;
    }

    // HNSW: insertions one at a time in a locality order (deterministic: USearch's level generator has a fixed seed),
    // then parallel read-only queries in the same order. Each query asks for 2k + 1 (the cell itself is dropped); the
    // answers are re-ranked by exact distance with ties to the lower index, as the exact search orders them.
    private static int[][] Approximate(float[] points, int count, int dims, int k, int seed)
    {
        using var index = new USearchIndex(MetricKind.L2sq, ScalarKind.Float32, (ulong)dims, Connectivity, ExpansionAdd, ExpansionSearch);
        var order = LocalityOrder(points, count, dims, seed);
        // In chunks through the batch Add, which reserves the chunk's capacity once: the one-vector Add reserves one
        // more slot per call, and every reserve copies the index, which made the build quadratic in cells.
        for (int start = 0; start < count; start += AddChunk)
        {
            int n = Math.Min(AddChunk, count - start);
            var keys = new ulong[n];
            var vectors = new float[n][];
            for (int q = 0; q < n; q++)
            {
                int i = order[start + q];
                keys[q] = (ulong)i;
                vectors[q] = points.AsSpan(i * dims, dims).ToArray();
            }
            index.Add(keys, vectors);
        }
        var result = new int[count][];
        // USearch holds one search context per hardware thread: never run more queries at once.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        // Twice the neighbours (within the search's candidate list anyway), re-ranked exactly: cells tied at the k-th
        // distance are then found together, so ties go to the lower index as in the exact search.
        int wanted = Math.Min(count, 2 * k + 1);
        Parallel.For(0, count, parallel, () => new float[dims], (position, _, query) =>
        {
            int i = order[position];
            points.AsSpan(i * dims, dims).CopyTo(query);
            int found = index.Search(query, wanted, out ulong[] keys, out float[] _);
            var candidates = new List<(double D, int J)>(found);
            for (int q = 0; q < found; q++)
            {
                int j = (int)keys[q];
                if (j != i) candidates.Add((SquaredDistance(points, i, j, dims), j));
            }
            candidates.Sort();
            int take = Math.Min(k, candidates.Count);
            var row = new int[take];
            for (int q = 0; q < take; q++) row[q] = candidates[q].J;
            result[i] = row;
            return query;
        }, _ => { });
        return result;
    }

    /// <summary>Cells per leaf of <see cref="LocalityOrder"/>: the order inside a leaf is seeded.</summary>
    internal const int LocalityLeaf = 64;

    // An HNSW build and its queries visit nodes all over memory when the index holds cells in random order. A k-d
    // split order (median cuts along the widest of the leading components, down to leaves of LocalityLeaf cells)
    // stores and visits neighbours together: at 300k simulated cells the kNN took 12 % less time at a slightly
    // higher recall (docs/BENCHMARKS.md §8). The seed shuffles each leaf.
    internal static int[] LocalityOrder(float[] points, int count, int dims, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var keys = new float[count];
        int lead = Math.Min(dims, 10);
        var rng = new Random(seed);
        var stack = new Stack<(int Lo, int Hi)>();
        stack.Push((0, count));
        while (stack.Count > 0)
        {
            var (lo, hi) = stack.Pop();
            if (hi - lo <= LocalityLeaf)
            {
                rng.Shuffle(order.AsSpan(lo, hi - lo));
                continue;
            }
            int widest = 0;
            float widestRange = -1;
            for (int d = 0; d < lead; d++)
            {
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                for (int q = lo; q < hi; q++)
                {
                    float v = points[(long)order[q] * dims + d];
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
                if (max - min > widestRange) { widestRange = max - min; widest = d; }
            }
            for (int q = lo; q < hi; q++) keys[q] = points[(long)order[q] * dims + widest];
            Array.Sort(keys, order, lo, hi - lo);
            int mid = lo + (hi - lo) / 2;
            // Right half first, so that the left half is popped (and its leaves shuffled) first: a fixed order of draws.
            stack.Push((mid, hi));
            stack.Push((lo, mid));
        }
        return order;
    }

    private static double SquaredDistance(float[] points, int a, int b, int dims)
    {
        double s = 0;
        int oa = a * dims, ob = b * dims;
        for (int d = 0; d < dims; d++)
        {
            double t = (double)points[oa + d] - points[ob + d];
            s += t * t;
        }
        return s;
    }

    /// <summary>Mean fraction of each cell's exact k neighbours that <paramref name="approximate"/> also lists (recall@k).</summary>
    internal static double Recall(int[][] approximate, int[][] exact)
    {
        if (approximate.Length != exact.Length) throw new ArgumentException("The graphs have different cell counts.");
        double sum = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            if (exact[i].Length == 0) { sum += 1; continue; }
            var set = new HashSet<int>(approximate[i]);
            sum += exact[i].Count(set.Contains) / (double)exact[i].Length;
        }
        return sum / exact.Length;
    }
}

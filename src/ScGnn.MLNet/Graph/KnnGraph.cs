using System.Numerics;
using System.Runtime.CompilerServices;
using Cloud.Unum.USearch;
using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Numerics;
using ScGnn.MLNet.Torch;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Graph;

/// <summary>
/// k-nearest-neighbour cell graph (paper §2): Euclidean distance in PCA space, connectivity 0/1, made undirected
/// (an edge when either cell lists the other), as scanpy's <c>pp.neighbors(method="umap")</c> connectivities before
/// weighting and MAGIC's <c>knn</c>. Exact up to <see cref="ExactMaxCells"/> cells; above that HNSW (USearch), in two
/// shards above <see cref="ShardMinCells"/>, whose recall@k is measured by the <c>graph</c> benchmark.
/// </summary>
internal static class KnnGraph
{
    /// <summary>
    /// Largest cell count searched exactly by <see cref="NeighborSearch.Auto"/>. Exact search costs cells² x
    /// components; on 2 cores it took 26 s at 120,000 simulated cells, 54 s at 200,000, 75 s at 300,000 and 140 s at
    /// 400,000, against 65 s, 124 s, 95 s and 191 s for two-shard HNSW in the same runs (docs/BENCHMARKS.md §8). It
    /// grows faster than HNSW, so above the largest size where it was measured faster the search is approximate.
    /// </summary>
    internal const int ExactMaxCells = 400_000;

    /// <summary>HNSW settings: links per node, candidate list while adding and while searching.</summary>
    internal const int Connectivity = 16, ExpansionAdd = 128, ExpansionSearch = 128;

    // Candidates asked of each shard beyond k + 1, for ties at the k-th distance.
    private const int TieSlack = 8;

    // Vectors handed to the index per Add call (one capacity reserve each), and queries, between two cancellation
    // checks: at a million cells a chunk is seconds, not the minutes of a whole shard.
    private const int AddChunk = 1 << 14, QueryChunk = 1 << 14;

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
    /// <param name="checkAlive">Called between blocks of cells (ML.NET's <c>CheckAlive</c>: throws to cancel); its
    /// <see cref="OperationCanceledException"/> comes out unwrapped.</param>
    internal static int[][] NearestNeighbors(float[] points, int count, int dims, int k, NeighborSearch search = NeighborSearch.Exact, int seed = 0,
        Action? checkAlive = null)
    {
        if (count < 2) throw new ArgumentException("A kNN graph needs at least two cells.");
        if (points.LongLength != (long)count * dims) throw new ArgumentException($"points holds {points.LongLength} values; expected {count} x {dims}.");
        return SearchesExactly(search, count)
            ? Exact(points, count, dims, Math.Min(k, count - 1), BlockRows, TileColumns, checkAlive)
            : Approximate(points, count, dims, Math.Min(k, count - 1), seed, ShardsFor(count), ExpansionSearch, 1, null, checkAlive);
    }

    /// <summary>Whether <paramref name="search"/> over <paramref name="count"/> cells runs the exact search.</summary>
    internal static bool SearchesExactly(NeighborSearch search, int count) =>
        search == NeighborSearch.Exact || (search == NeighborSearch.Auto && count <= ExactMaxCells);

    // Exact search ranks cells by the key sq_j - 2 x_i.x_j (the row's own squared norm is common to the row), from
    // float32 matrix products over tiles of BlockRows x TileColumns cells: a tile stays in cache between the product
    // and the scan, and each product reads a block of rows against a tile of columns instead of one thin block
    // against every cell. The scan keeps each row's k smallest keys and every cell whose key was within twice the
    // rounding bound of the k-th smallest so far; those that stay within it of the final k-th are ordered by the
    // squared distance in double, ties to the lower index. A true neighbour's key is at most that far above the k-th
    // smallest, so the result is the double-precision answer at float32 speed, without a sort of every row.
    /// <summary>The exact search over tiles of <paramref name="blockRows"/> x <paramref name="tileColumns"/> cells (tests use small tiles),
    /// calling <paramref name="checkAlive"/> before each block of rows.</summary>
    internal static int[][] Exact(float[] points, int count, int dims, int k, int blockRows, int tileColumns, Action? checkAlive = null)
    {
        TorchRuntime.EnsureInitialized();
        var result = new int[count][];
        // A key's float32 rounding error in units of 2^-24 (sq_i + max sq_j): the norm and the dot product of dims terms
        // err by at most dims units each (Higham's gamma_n, with 2 |x_i.x_j| <= sq_i + sq_j), the final sum by 2;
        // doubled for slack.
        double errorUnits = 2.0 * (2 * dims + 2);
        blockRows = Math.Min(count, blockRows);
        tileColumns = Math.Min(count, tileColumns);
        using var scope = NewDisposeScope();
        var all = tensor(points, count, dims);
        var norms = all.square().sum(1).data<float>().ToArray();
        double maxNorm = norms.Max();
        var products = empty(blockRows, tileColumns);
        var tail = count % tileColumns == 0 ? products : empty(blockRows, count % tileColumns);
        var rows = new RowSelection[blockRows];
        for (int r = 0; r < blockRows; r++) rows[r] = new RowSelection(k);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        for (int start = 0; start < count; start += blockRows)
        {
            checkAlive?.Invoke();
            int n = Math.Min(blockRows, count - start);
            for (int r = 0; r < n; r++)
                rows[r].Reset(start + r, (float)(2 * errorUnits * Math.ScaleB(norms[start + r] + maxNorm, -24)));
            using var block = all.narrow(0, start, n);
            for (int column = 0; column < count; column += tileColumns)
            {
                using var inner = NewDisposeScope();
                int width = Math.Min(tileColumns, count - column);
                var keys = (width == tileColumns ? products : tail).narrow(0, 0, n);
                // beta 0: the product overwrites the buffer; the scan adds sq_j.
                keys.addmm_(block, all.narrow(0, column, width).t(), beta: 0, alpha: -2);
                unsafe
                {
                    fixed (float* at = HostKernels.Floats(keys))
                    fixed (float* sq = norms)
                    {
                        var keyBase = (IntPtr)at; var sqBase = (IntPtr)(sq + column);
                        int offset = column;
                        Parallel.For(0, n, parallel, r =>
                            rows[r].Scan((float*)keyBase + (long)r * width, (float*)sqBase, width, offset));
                    }
                }
            }
            Parallel.For(0, n, parallel, r => result[start + r] = rows[r].Finish(points, dims));
        }
        return result;
    }

    // Exact search tiles: 512 x 1024 floats (2 MB, the two cores' L2 caches). At 100k simulated cells 512 x 1024 and
    // 256 x 2048 took 15-21 s, 128 x 4096 and 128 x 8192 19-26 s (`graph --exact-tiles`, docs/BENCHMARKS.md §8).
    private const int BlockRows = 512, TileColumns = 1024;

    // One row's running selection over the tiles of its keys.
    private sealed class RowSelection
    {
        private readonly int _k;
        private readonly float[] _best;
        private readonly List<(float Key, int J)> _kept = new();
        private readonly List<(double D, int J)> _ranked = new();
        private int _self;
        private float _tolerance;

        internal RowSelection(int k) { _k = k; _best = new float[k]; }

        internal void Reset(int self, float tolerance)
        {
            _self = self; _tolerance = tolerance;
            Array.Fill(_best, float.PositiveInfinity);
            _kept.Clear();
        }

        // The k-th smallest key so far only falls, so a cell within the bound of the final k-th was within the bound
        // of the k-th when it was scanned: keeping those is enough. Whole vectors above the bound are skipped.
        internal unsafe void Scan(float* product, float* sq, int width, int offset)
        {
            float limit = _best[_k - 1] + _tolerance;
            int lanes = Vector<float>.Count, j = 0;
            for (; j + lanes <= width; j += lanes)
            {
                var v = Unsafe.ReadUnaligned<Vector<float>>(product + j) + Unsafe.ReadUnaligned<Vector<float>>(sq + j);
                if (!Vector.LessThanOrEqualAny(v, new Vector<float>(limit))) continue;
                for (int q = 0; q < lanes; q++) limit = Consider(v[q], offset + j + q);
            }
            for (; j < width; j++) limit = Consider(product[j] + sq[j], offset + j);
        }

        private float Consider(float key, int j)
        {
            float limit = _best[_k - 1] + _tolerance;
            if (j == _self || !(key <= limit)) return limit;
            if (key < _best[_k - 1])
            {
                int at = _k - 1;
                while (at > 0 && key < _best[at - 1]) { _best[at] = _best[at - 1]; at--; }
                _best[at] = key;
                limit = _best[_k - 1] + _tolerance;
            }
            _kept.Add((key, j));
            // Entries kept early under a looser bound are dropped once they outnumber the selection.
            if (_kept.Count >= 8 * _k + 64) _kept.RemoveAll(e => !(e.Key <= limit));
            return limit;
        }

        internal int[] Finish(float[] points, int dims)
        {
            float limit = _best[_k - 1] + _tolerance;
            _ranked.Clear();
            foreach (var (key, j) in _kept)
                if (key <= limit) _ranked.Add((SquaredDistance(points, _self, j, dims), j));
            _ranked.Sort();
            var row = new int[Math.Min(_k, _ranked.Count)];
            for (int q = 0; q < row.Length; q++) row[q] = _ranked[q].J;
            return row;
        }
    }

    /// <summary>
    /// Above this many cells the approximate search splits the cells into two HNSW shards, the halves of the locality
    /// order, built in parallel and each searched by every cell. A function of the cell count only, so the graph does
    /// not depend on the machine's core count. Two shards on two cores: at 100k and 300k simulated cells the kNN took
    /// 5 % less time than one index and recalled 0.976 and 0.957 instead of 0.954 and 0.928 (docs/BENCHMARKS.md §8);
    /// more shards would multiply the queries, because every cell searches every shard.
    /// </summary>
    internal const int ShardMinCells = 1 << 16;

    private static int ShardsFor(int count) => count > ShardMinCells ? 2 : 1;

    // HNSW, one index per shard (a contiguous range of the locality order): each shard's insertions run one at a time
    // in that order (deterministic: USearch's level generator has a fixed seed per index), the shards are built in
    // parallel, then read-only queries run in the same order. Every cell searches every shard: the shards are k-d
    // halves, but in 50 components a cell's neighbours straddle the cut (bounding boxes never excluded a shard, and
    // searching only the nearest shards lost much of the recall). Each search asks for k + 1 (the cell
    // itself is dropped) and up to 8 more, for ties at the k-th distance (duplicate cells); the merged k nearest need
    // no more of any shard, and while that is within ExpansionSearch the search's candidate list, and so its
    // answer's prefix, is the same as for more (2k + 1 gave the same recall in 11 % more query time at 100,000 cells,
    // k = 60). The union is re-ranked by exact distance with ties to the lower index, as the exact search orders them.
    internal static int[][] Approximate(float[] points, int count, int dims, int k, int seed, int shards) =>
        Approximate(points, count, dims, k, seed, shards, ExpansionSearch, 1, null);

    // The search's effort (HNSW's candidate list while searching, at least the candidates asked for) and the candidates
    // asked of each shard (perShard x k + 1) are the graph benchmark's variables; built, when given, gets the build's
    // seconds. checkAlive runs between chunks of insertions and of queries.
    internal static int[][] Approximate(float[] points, int count, int dims, int k, int seed, int shards, int expansionSearch, int perShard,
        Action<double>? built, Action? checkAlive = null)
    {
        shards = Math.Clamp(shards, 1, count);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var order = LocalityOrder(points, count, dims, seed);
        var indexes = new USearchIndex[shards];
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
            Cancellation.Unwrapped(() => Parallel.For(0, shards, parallel, s =>
                indexes[s] = Build(points, order, (int)((long)count * s / shards), (int)((long)count * (s + 1) / shards), dims, expansionSearch, checkAlive)));
            built?.Invoke(clock.Elapsed.TotalSeconds);
            var rows = new int[count][];
            int wanted = Math.Min(count, perShard * k + 1 + Math.Min(k, TieSlack));
            for (int from = 0; from < count; from += QueryChunk)
            {
                checkAlive?.Invoke();
                int to = Math.Min(count, from + QueryChunk);
                // USearch holds one search context per hardware thread: never run more queries at once.
                Parallel.For(from, to, parallel, () => (Query: new float[dims], Candidates: new List<(double D, int J)>(shards * wanted)), (position, _, local) =>
                {
                    int i = order[position];
                    points.AsSpan(i * dims, dims).CopyTo(local.Query);
                    var candidates = local.Candidates;
                    candidates.Clear();
                    foreach (var index in indexes)
                    {
                        int found = index.Search(local.Query, wanted, out ulong[] keys, out float[] _);
                        for (int q = 0; q < found; q++)
                        {
                            int j = (int)keys[q];
                            if (j != i) candidates.Add((SquaredDistance(points, i, j, dims), j));
                        }
                    }
                    candidates.Sort();
                    int take = Math.Min(k, candidates.Count);
                    var row = new int[take];
                    for (int q = 0; q < take; q++) row[q] = candidates[q].J;
                    rows[i] = row;
                    return local;
                }, _ => { });
            }
            return rows;
        }
        finally
        {
            foreach (var index in indexes) index?.Dispose();
        }
    }

    private static USearchIndex Build(float[] points, int[] order, int lo, int hi, int dims, int expansionSearch, Action? checkAlive)
    {
        // Vectors stored as bfloat16: half the memory traffic of the graph walks (AVX-512 BF16 dot products where the
        // CPU has them); the candidates are re-ranked in double. At 100k simulated cells the kNN took 42 s instead of
        // 54 s at recall 0.9756 instead of 0.9759 (docs/BENCHMARKS.md §8).
        var index = new USearchIndex(MetricKind.L2sq, ScalarKind.BFloat16, (ulong)dims, Connectivity, ExpansionAdd, (ulong)expansionSearch);
        // In chunks through the batch Add, which reserves the chunk's capacity once: the one-vector Add reserves one
        // more slot per call, and every reserve copies the index, which made the build quadratic in cells.
        try
        {
            for (int start = lo; start < hi; start += AddChunk)
            {
                checkAlive?.Invoke();
                int n = Math.Min(AddChunk, hi - start);
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
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
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

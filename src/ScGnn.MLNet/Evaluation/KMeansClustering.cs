namespace ScGnn.MLNet.Evaluation;

/// <summary>
/// KMeans as scikit-learn's <c>KMeans(init="k-means++", n_init, algorithm="lloyd")</c>: greedy k-means++ seeding
/// (2 + floor(ln k) candidates per centre), Lloyd iterations until the labels stop changing or the squared centre
/// shift is at most <c>tol x mean per-dimension variance</c>, an empty cluster moved to the point farthest from its
/// centre, and the initialisation with the lowest inertia kept. Points are float, sums double; assignments run in
/// parallel but every reduction is in row order, so a seed gives the same clusters on any machine.
/// </summary>
internal static class KMeansClustering
{
    private const int RowBlock = 256;
    // One worker per core: the thread pool would otherwise add threads while a block waits on memory.
    private static readonly ParallelOptions Workers = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    internal readonly record struct Result(int[] Labels, double Inertia, int Iterations);

    internal static Result Fit(float[] x, int n, int d, int k, int initializations, int maxIterations, double tolerance, int seed)
    {
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"KMeans needs 1 to {n} clusters.");
        double tol = tolerance * MeanVariance(x, n, d);
        var rng = new Random(seed);
        Result best = default;
        for (int init = 0; init < initializations; init++)
        {
            var centers = PlusPlus(x, n, d, k, rng);
            var r = Lloyd(x, n, d, k, centers, maxIterations, tol);
            if (init == 0 || r.Inertia < best.Inertia) best = r;
        }
        return best;
    }

    private static double MeanVariance(float[] x, int n, int d)
    {
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[(long)i * d + j];
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) { double v = x[(long)i * d + j] - mean; ss += v * v; }
            total += ss / n;
        }
        return total / d;
    }

    /// <summary>Greedy k-means++: each new centre is the best (lowest potential) of a few D^2-sampled candidates.</summary>
    internal static float[] PlusPlus(float[] x, int n, int d, int k, Random rng)
    {
        var centers = new float[k * d];
        int trials = 2 + (int)Math.Log(k);
        int first = rng.Next(n);
        Array.Copy(x, (long)first * d, centers, 0, d);
        var closest = new double[n];
        DistancesTo(x, n, d, first, closest);
        double potential = Sum(closest);
        var candidate = new double[n];
        var bestCandidate = new double[n];
        for (int c = 1; c < k; c++)
        {
            int bestId = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                int id = Sample(closest, rng.NextDouble() * potential);
                DistancesTo(x, n, d, id, candidate);
                double p = 0;
                for (int i = 0; i < n; i++) { candidate[i] = Math.Min(candidate[i], closest[i]); p += candidate[i]; }
                if (p < bestPotential)
                {
                    bestPotential = p;
                    bestId = id;
                    (bestCandidate, candidate) = (candidate, bestCandidate);
                }
            }
            (closest, bestCandidate) = (bestCandidate, closest);
            potential = bestPotential;
            Array.Copy(x, (long)bestId * d, centers, (long)c * d, d);
        }
        return centers;
    }

    /// <summary>The first index whose cumulative weight exceeds <paramref name="target"/> (as NumPy's searchsorted, clipped).</summary>
    private static int Sample(double[] weights, double target)
    {
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0) continue;
            cumulative += weights[i];
            last = i;
            if (cumulative > target) return i;
        }
        return last;
    }

    private static void DistancesTo(float[] x, int n, int d, int point, double[] result)
    {
        var p = new ReadOnlySpan<float>(x, point * d, d).ToArray();
        Parallel.For(0, (n + RowBlock - 1) / RowBlock, Workers, b =>
        {
            int end = Math.Min(n, (b + 1) * RowBlock);
            for (int i = b * RowBlock; i < end; i++)
                result[i] = EuclideanKernels.SquaredDistance(new ReadOnlySpan<float>(x, i * d, d), p);
        });
    }

    private static double Sum(double[] v)
    {
        double s = 0;
        foreach (double e in v) s += e;
        return s;
    }

    private static Result Lloyd(float[] x, int n, int d, int k, float[] centers, int maxIterations, double tol)
    {
        var labels = new int[n];
        var distance = new double[n];
        Assign(x, n, d, k, centers, labels, distance);
        var sums = new double[k * d];
        var counts = new int[k];
        var next = new float[k * d];
        int iterations = 0;
        while (iterations < maxIterations)
        {
            iterations++;
            Array.Clear(sums);
            Array.Clear(counts);
            for (int i = 0; i < n; i++)
            {
                int c = labels[i];
                counts[c]++;
                var row = new ReadOnlySpan<float>(x, i * d, d);
                var s = sums.AsSpan(c * d, d);
                for (int j = 0; j < d; j++) s[j] += row[j];
            }
            RelocateEmpty(x, d, k, labels, distance, sums, counts);
            double shift = 0;
            for (int c = 0; c < k; c++)
                for (int j = 0; j < d; j++)
                {
                    float v = (float)(sums[c * d + j] / counts[c]);
                    double delta = v - centers[c * d + j];
                    shift += delta * delta;
                    next[c * d + j] = v;
                }
            Array.Copy(next, centers, next.Length);
            bool changed = Assign(x, n, d, k, centers, labels, distance);
            if (!changed) break;
            if (shift <= tol) break;
        }
        return new Result(labels, Sum(distance), iterations);
    }

    /// <summary>Moves each empty cluster to the point farthest from its current centre (scikit-learn's relocation).</summary>
    private static void RelocateEmpty(float[] x, int d, int k, int[] labels, double[] distance, double[] sums, int[] counts)
    {
        for (int c = 0; c < k; c++)
        {
            if (counts[c] > 0) continue;
            int far = -1;
            for (int i = 0; i < labels.Length; i++)
                if (counts[labels[i]] > 1 && (far < 0 || distance[i] > distance[far])) far = i;
            if (far < 0) throw new InvalidOperationException("KMeans has fewer distinct points than clusters.");
            int from = labels[far];
            var row = new ReadOnlySpan<float>(x, far * d, d);
            for (int j = 0; j < d; j++) { sums[from * d + j] -= row[j]; sums[c * d + j] = row[j]; }
            counts[from]--;
            counts[c] = 1;
            labels[far] = c;
            distance[far] = 0;
        }
    }

    /// <summary>Nearest centre of every point (ties to the lower index); returns whether any label changed.</summary>
    private static bool Assign(float[] x, int n, int d, int k, float[] centers, int[] labels, double[] distance)
    {
        int blocks = (n + RowBlock - 1) / RowBlock;
        var changed = new bool[blocks];
        Parallel.For(0, blocks, Workers, b =>
        {
            int end = Math.Min(n, (b + 1) * RowBlock);
            for (int i = b * RowBlock; i < end; i++)
            {
                var row = new ReadOnlySpan<float>(x, i * d, d);
                int best = 0;
                float bestD = float.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    float dist = EuclideanKernels.SquaredDistance(row, new ReadOnlySpan<float>(centers, c * d, d));
                    if (dist < bestD) { bestD = dist; best = c; }
                }
                if (labels[i] != best) changed[b] = true;
                labels[i] = best;
                distance[i] = bestD;
            }
        });
        return changed.Any(c => c);
    }
}

using ScGnn.MLNet.Embedding;
using ScGnn.MLNet.Evaluation;
using ScGnn.MLNet.Tests.Evaluation;

namespace ScGnn.MLNet.Tests.Embedding;

public class TSneTests
{
    [Fact]
    public void Exact_method_separates_well_separated_blobs()
    {
        var (x, labels) = ClusteringScoresTests.Blobs(n: 240, dims: 10, clusters: 3, spread: 1f, seed: 1);
        var r = new TSne(new TSneOptions { Perplexity = 20, Iterations = 500 }).Fit(x, 10);
        Assert.Equal(TSneMethod.Exact, r.Method);
        Assert.Equal(240, r.Count);
        Assert.Equal(2 * 240, r.Embedding.Length);
        Assert.All(r.Embedding, v => Assert.True(float.IsFinite(v)));
        Assert.True(ClusteringScores.Silhouette(r.Embedding, 2, labels).Score > 0.5);
        Assert.Equal(50.0, r.LearningRate); // max(240 / 12 / 4, 50)
    }

    [Fact]
    public void Barnes_hut_separates_blobs_and_kl_decreases()
    {
        var (x, labels) = ClusteringScoresTests.Blobs(n: 900, dims: 20, clusters: 4, spread: 1.5f, seed: 2);
        var reports = new List<TSneProgress>();
        var r = new TSne(new TSneOptions { Iterations = 500, Progress = reports.Add, ProgressInterval = 50 }).Fit(x, 20);
        Assert.Equal(TSneMethod.BarnesHut, r.Method);
        Assert.True(ClusteringScores.Silhouette(r.Embedding, 2, labels).Score > 0.5);
        Assert.Equal(10, reports.Count);
        Assert.Equal(500, reports[^1].Iteration);
        Assert.True(reports[0].Exaggerating);
        Assert.False(reports[^1].Exaggerating);
        // KL against the un-exaggerated P falls overall and keeps falling once exaggeration is off.
        Assert.True(reports[^1].KlDivergence < reports[0].KlDivergence);
        var late = reports.Where(p => !p.Exaggerating).Select(p => p.KlDivergence).ToList();
        for (int k = 1; k < late.Count; k++) Assert.True(late[k] <= late[k - 1] + 1e-3, $"KL rose from {late[k - 1]} to {late[k]}");
        Assert.True(r.KlDivergence > 0 && r.KlDivergence < reports[0].KlDivergence);
    }

    [Fact]
    public void Same_seed_gives_the_same_embedding_whatever_the_thread_count()
    {
        var (x, _) = ClusteringScoresTests.Blobs(n: 700, dims: 8, clusters: 3, spread: 2f, seed: 4);
        var a = new TSne(new TSneOptions { Iterations = 300, Seed = 5 }).Fit(x, 8);
        var b = new TSne(new TSneOptions { Iterations = 300, Seed = 5, MaxDegreeOfParallelism = 1 }).Fit(x, 8);
        Assert.Equal(a.Embedding, b.Embedding);
        var c = new TSne(new TSneOptions { Iterations = 300, Seed = 6, Initialization = TSneInitialization.Random }).Fit(x, 8);
        var d = new TSne(new TSneOptions { Iterations = 300, Seed = 6, Initialization = TSneInitialization.Random }).Fit(x, 8);
        Assert.Equal(c.Embedding, d.Embedding);
        Assert.NotEqual(a.Embedding, c.Embedding);
    }

    [Fact]
    public void Exact_gradient_matches_finite_differences_of_the_kl()
    {
        var rng = new Random(3);
        int n = 12;
        var x = new float[n * 3];
        for (int q = 0; q < x.Length; q++) x[q] = (float)rng.NextDouble() * 4;
        var po = new ParallelOptions();
        var p = TSneAffinities.DenseJoint(x, n, 3, 4, po);
        var y = new double[2 * n];
        for (int q = 0; q < y.Length; q++) y[q] = rng.NextDouble() * 2 - 1;
        var rep = new double[2 * n];
        var att = new double[2 * n];
        var sumQ = new double[n];
        int tasks = (n + TSne.PointsPerTask - 1) / TSne.PointsPerTask;
        double z = TSne.ExactForces(y, n, p, rep, att, sumQ, tasks, po);
        double Kl(double[] yy)
        {
            var r2 = new double[2 * n]; var a2 = new double[2 * n]; var s2 = new double[n];
            double zz = TSne.ExactForces(yy, n, p, r2, a2, s2, tasks, po);
            return TSne.ExactKl(yy, n, p, zz);
        }
        for (int q = 0; q < 2 * n; q++)
        {
            double analytic = 4 * (att[q] - rep[q] / z);
            var plus = (double[])y.Clone(); plus[q] += 1e-6;
            var minus = (double[])y.Clone(); minus[q] -= 1e-6;
            double numeric = (Kl(plus) - Kl(minus)) / 2e-6;
            Assert.Equal(numeric, analytic, 5);
        }
    }

    [Fact]
    public void Barnes_hut_repulsion_is_exact_at_theta_zero_and_close_at_half()
    {
        var rng = new Random(9);
        int n = 500;
        var y = new double[2 * n];
        for (int q = 0; q < y.Length; q++) y[q] = rng.NextDouble() * 10;
        y[2] = y[0]; y[3] = y[1]; // a duplicate point
        var tree = new QuadTree(n);
        tree.Build(y);
        var stack = new int[QuadTree.StackSize];
        double zExact = 0, zApprox = 0, errSum = 0, forceSum = 0;
        for (int i = 0; i < n; i++)
        {
            double fx = 0, fy = 0, z = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy);
                z += q; fx += q * q * dx; fy += q * q * dy;
            }
            tree.Repulsion(y, i, 0, stack, out double tx, out double ty, out double tz);
            Assert.Equal(z, tz, 9);
            Assert.Equal(fx, tx, 9);
            Assert.Equal(fy, ty, 9);
            tree.Repulsion(y, i, 0.25, stack, out double ax, out double ay, out double az);
            zExact += z; zApprox += az;
            errSum += Math.Sqrt((ax - fx) * (ax - fx) + (ay - fy) * (ay - fy));
            forceSum += Math.Sqrt(fx * fx + fy * fy);
        }
        Assert.InRange(zApprox / zExact, 0.99, 1.01);
        // Individual points whose forces nearly cancel can have large relative errors; the total error is small.
        Assert.True(errSum / forceSum < 0.05, $"relative force error {errSum / forceSum}");
    }

    [Fact]
    public void Conditional_affinities_reach_the_target_perplexity_even_for_large_distances()
    {
        var rng = new Random(2);
        var d = new float[90];
        for (int j = 0; j < d.Length; j++) d[j] = 1e6f + (float)rng.NextDouble() * 5e4f; // raw counts scale
        var p = new double[d.Length];
        TSneAffinities.ConditionalRow(d, 30, p);
        double sum = 0, h = 0;
        foreach (double v in p) { sum += v; if (v > 0) h -= v * Math.Log(v); }
        Assert.Equal(1.0, sum, 12);
        Assert.Equal(Math.Log(30), h, 4);
    }

    [Fact]
    public void Sparse_joint_affinities_are_symmetric_and_sum_to_one()
    {
        var (x, _) = ClusteringScoresTests.Blobs(n: 200, dims: 5, clusters: 2, spread: 1f, seed: 8);
        var (rowPtr, cols, vals) = TSneAffinities.SparseJoint(x, 200, 5, 31, 10, new ParallelOptions());
        double total = 0;
        var map = new Dictionary<(int, int), double>();
        for (int i = 0; i < 200; i++)
            for (int e = rowPtr[i]; e < rowPtr[i + 1]; e++)
            {
                Assert.NotEqual(i, cols[e]);
                if (e > rowPtr[i]) Assert.True(cols[e] > cols[e - 1]);
                map[(i, cols[e])] = vals[e];
                total += vals[e];
            }
        Assert.Equal(1.0, total, 12);
        foreach (var ((i, j), v) in map) Assert.Equal(v, map[(j, i)], 15);
    }

    [Fact]
    public void Jacobi_finds_known_eigenpairs()
    {
        // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 5, 3, 1; the vector of 3 is (1,1,0)/sqrt(2)
        var (values, vectors) = TSneInitializer.Jacobi(new double[] { 2, 1, 0, 1, 2, 0, 0, 0, 5 }, 3);
        Assert.Equal(new[] { 5.0, 3.0, 1.0 }, values.Select(v => Math.Round(v, 10)));
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(vectors[0 * 3 + 1]), 10);
        Assert.Equal(1 / Math.Sqrt(2), Math.Abs(vectors[1 * 3 + 1]), 10);
        Assert.Equal(0.0, vectors[2 * 3 + 1], 10);
    }

    [Fact]
    public void Pca_initialization_follows_the_main_axis_in_both_solver_paths()
    {
        foreach (int dims in new[] { 3, 300 })
        {
            var rng = new Random(1);
            int n = 400;
            var x = new float[n * dims];
            for (int i = 0; i < n; i++)
            {
                double t = rng.NextDouble() * 10 - 5;
                for (int k = 0; k < dims; k++) x[i * dims + k] = (float)(0.01 * (rng.NextDouble() - 0.5));
                x[i * dims + 1] += (float)t;       // main axis: dimension 1
                x[i * dims + 2] += (float)(0.3 * (rng.NextDouble() - 0.5) * 10); // second axis: dimension 2
            }
            var y = TSneInitializer.Pca(x, n, dims, 1e-4, 1, new ParallelOptions())!;
            double corr = 0, sx = 0, sy = 0;
            for (int i = 0; i < n; i++) { corr += y[2 * i] * x[i * dims + 1]; sx += y[2 * i] * y[2 * i]; sy += x[i * dims + 1] * (double)x[i * dims + 1]; }
            Assert.True(corr / Math.Sqrt(sx * sy) > 0.999, $"dims {dims}: first component does not follow the main axis");
            double m = 0, ss = 0;
            for (int i = 0; i < n; i++) m += y[2 * i];
            m /= n;
            for (int i = 0; i < n; i++) ss += (y[2 * i] - m) * (y[2 * i] - m);
            Assert.Equal(1e-4, Math.Sqrt(ss / n), 9);
        }
    }

    [Fact]
    public void Bad_options_and_inputs_throw_with_the_name()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new TSne(new TSneOptions { Perplexity = -1 }));
        Assert.Equal("Perplexity", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TSne(new TSneOptions { Theta = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TSne(new TSneOptions { Iterations = 100, EarlyExaggerationIterations = 200 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TSne(new TSneOptions { LearningRate = 0 }));
        var few = new float[10 * 2];
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => new TSne().Fit(few, 2));
        Assert.Contains("less than the number of points (10)", ex2.Message);
        Assert.Throws<ArgumentException>(() => new TSne().Fit(new float[7], 2));
    }

    [Fact]
    public void Cancellation_stops_the_fit()
    {
        var (x, _) = ClusteringScoresTests.Blobs(n: 300, dims: 4, clusters: 2, spread: 1f, seed: 1);
        using var cts = new CancellationTokenSource();
        var tsne = new TSne(new TSneOptions { ProgressInterval = 10, Progress = p => { if (p.Iteration >= 20) cts.Cancel(); } });
        Assert.ThrowsAny<OperationCanceledException>(() => tsne.Fit(x, 4, cts.Token));
    }

    [Fact]
    public void Data_view_overload_reads_a_vector_column()
    {
        var (x, _) = ClusteringScoresTests.Blobs(n: 60, dims: 3, clusters: 2, spread: 1f, seed: 1);
        var rows = Enumerable.Range(0, 60).Select(i => new Pc { Features = x.AsSpan(i * 3, 3).ToArray() }).ToArray();
        var view = new Microsoft.ML.MLContext(1).Data.LoadFromEnumerable(rows);
        var options = new TSneOptions { Perplexity = 10, Iterations = 100, EarlyExaggerationIterations = 50 };
        var fromView = new TSne(options).Fit(view, "Features");
        var fromArray = new TSne(options).Fit(x, 3);
        Assert.Equal(fromArray.Embedding, fromView.Embedding);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TSne(options).Fit(view, "Missing"));
    }

    private sealed class Pc
    {
        [Microsoft.ML.Data.VectorType(3)] public float[] Features { get; set; } = Array.Empty<float>();
    }
}

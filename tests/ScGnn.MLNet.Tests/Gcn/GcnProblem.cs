using ScGnn.MLNet.Gcn;
using ScGnn.MLNet.Graph;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Tests.Gcn;

/// <summary>A small seeded training problem: a ring-like kNN graph, a sparse input, and masked-entry targets.</summary>
internal sealed class GcnProblem
{
    /// <param name="cells">Cells per copy of the graph.</param>
    /// <param name="genes">Genes.</param>
    /// <param name="seed">Seeds the input and the targets.</param>
    /// <param name="features">Whether the targets carry skip features.</param>
    /// <param name="copies">Disconnected copies of the ring graph, each of <paramref name="cells"/> cells.</param>
    internal GcnProblem(int cells = 30, int genes = 12, int seed = 3, bool features = false, int copies = 1)
    {
        int ring = cells;
        cells *= copies;
        Cells = cells; Genes = genes;
        var rng = new Random(seed);
        var x = new float[cells * genes];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() < 0.5 ? 0f : (float)(rng.NextDouble() * 5);
        Input = CsrMatrix.FromDense(x, cells, genes);
        // Each cell lists the next and the third next: a sparse graph whose two-hop neighbourhoods are local.
        Adjacency = NormalizedAdjacency.FromNeighbors(Enumerable.Range(0, cells)
            .Select(i => new[] { i / ring * ring + (i + 1) % ring, i / ring * ring + (i + 3) % ring }).ToArray());
        var c = new List<int>(); var g = new List<int>(); var v = new List<float>();
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < genes; j++)
                if (rng.NextDouble() < 0.25) { c.Add(i); g.Add(j); v.Add((float)(rng.NextDouble() * 4)); }
        Train = Entries(c, g, v, features, 0);
        Validation = Entries(c, g, v, features, 1);
    }

    internal int Cells { get; }
    internal int Genes { get; }
    internal CsrMatrix Input { get; }
    internal NormalizedAdjacency Adjacency { get; }
    internal GcnTargets Train { get; }
    internal GcnTargets Validation { get; }

    // Alternate entries go to training (parity 0) and validation (parity 1).
    private GcnTargets Entries(List<int> c, List<int> g, List<float> v, bool features, int parity)
    {
        var idx = Enumerable.Range(0, c.Count).Where(e => e % 2 == parity).ToArray();
        var cells = idx.Select(e => c[e]).ToArray();
        var genes = idx.Select(e => g[e]).ToArray();
        var values = idx.Select(e => v[e]).ToArray();
        return features ? SkipStart.WithFeatures(Adjacency, Input, 1, cells, genes, values) : new GcnTargets(cells, genes, values, null);
    }
}

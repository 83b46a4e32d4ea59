namespace ScGnn.MLNet.Embedding;

/// <summary>A 2-D t-SNE embedding and how it was obtained.</summary>
public sealed class TSneResult
{
    internal TSneResult(float[] embedding, int count, double klDivergence, TSneMethod method, double learningRate, TimeSpan elapsed)
    {
        Embedding = embedding;
        Count = count;
        KlDivergence = klDivergence;
        Method = method;
        LearningRate = learningRate;
        Elapsed = elapsed;
    }

    /// <summary>Row-major coordinates: point <c>i</c> is at <c>(Embedding[2i], Embedding[2i + 1])</c>.</summary>
    public float[] Embedding { get; }

    /// <summary>Number of points.</summary>
    public int Count { get; }

    /// <summary>Final KL divergence <c>KL(P || Q)</c> (Barnes-Hut: with the tree's estimate of <c>Q</c>'s normalization).</summary>
    public double KlDivergence { get; }

    /// <summary>The method actually used (<see cref="TSneMethod.Exact"/> or <see cref="TSneMethod.BarnesHut"/>).</summary>
    public TSneMethod Method { get; }

    /// <summary>The learning rate used (resolved when the option was automatic).</summary>
    public double LearningRate { get; }

    /// <summary>Wall-clock time of the whole fit (affinities, initialization and optimization).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>X coordinate of point <paramref name="i"/>.</summary>
    /// <param name="i">Point index.</param>
    public float X(int i) => Embedding[2 * i];

    /// <summary>Y coordinate of point <paramref name="i"/>.</summary>
    /// <param name="i">Point index.</param>
    public float Y(int i) => Embedding[2 * i + 1];

    /// <summary>The coordinates as one two-element array per point.</summary>
    public float[][] ToRows()
    {
        var rows = new float[Count][];
        for (int i = 0; i < Count; i++) rows[i] = new[] { Embedding[2 * i], Embedding[2 * i + 1] };
        return rows;
    }
}

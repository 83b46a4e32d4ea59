using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Parameter = TorchSharp.Modules.Parameter;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The SCGNN network (paper §2): two graph convolutions with a gene bottleneck,
/// <c>H = relu(Â X W1 + b1)</c>, <c>X~ = Â H W2 + b2</c>, with <c>W1: M x D</c> and <c>W2: D x M</c>, plus an optional
/// skip connection <c>sum_f s_f[gene] F_f[cell, gene]</c> on fixed neighbourhood features (<see cref="NeighborFeatures"/>).
/// </summary>
/// <remarks>
/// The two <c>Â</c> products take sparse COO adjacencies, which may be rectangular: in a mini-batch the second
/// product's rows are the batch's cells and its columns their neighbours, the first product's rows those neighbours and
/// its columns theirs (<see cref="GcnSubgraph"/>). On the whole graph both are the full <c>Â</c>. The output is
/// evaluated only at selected entries while training, never as cells x genes.
/// </remarks>
internal sealed class BottleneckGcn : Module
{
    private readonly Parameter _w1;
    private readonly Parameter _b1;
    // W2 stored transposed (genes x D), so that selecting a target's gene reads one contiguous row.
    private readonly Parameter _w2t;
    private readonly Parameter _b2;
    // Skip coefficients, genes x features; absent without a skip connection.
    private readonly Parameter? _skip;

    /// <summary>
    /// Creates the layers with pygcn's initialization, uniform(-1/sqrt(out), 1/sqrt(out)) for weights and biases, and
    /// <paramref name="skipFeatures"/> zero skip coefficients per gene.
    /// </summary>
    internal BottleneckGcn(int genes, int hidden, Generator generator, int skipFeatures = 0) : base(nameof(BottleneckGcn))
    {
        Genes = genes;
        Hidden = hidden;
        SkipFeatureCount = skipFeatures;
        double s1 = 1.0 / Math.Sqrt(hidden), s2 = 1.0 / Math.Sqrt(genes);
        _w1 = new Parameter(empty(genes, hidden).uniform_(-s1, s1, generator));
        _b1 = new Parameter(empty(hidden).uniform_(-s1, s1, generator));
        using (var w2 = empty(hidden, genes).uniform_(-s2, s2, generator))
        using (var w2t = w2.t())
            _w2t = new Parameter(w2t.contiguous());
        _b2 = new Parameter(empty(genes).uniform_(-s2, s2, generator));
        if (skipFeatures > 0) _skip = new Parameter(zeros(genes, skipFeatures));
        RegisterComponents();
    }

    /// <summary>The hidden layer's dropout while training; null uses <c>functional.dropout</c> and torch's global generator.</summary>
    internal HiddenDropout? Dropout { get; set; }

    internal int Genes { get; }

    internal int Hidden { get; }

    /// <summary>Skip features per entry (0 without a skip connection).</summary>
    internal int SkipFeatureCount { get; }

    /// <summary>
    /// <c>U = X W1</c> (rows of <paramref name="x"/> x D); <paramref name="x"/> may be dense or sparse COO.
    /// </summary>
    internal Tensor InputProduct(Tensor x) => x.mm(_w1);

    /// <summary><see cref="InputProduct(Tensor)"/> of an input block: <see cref="SparseInputProduct"/> on the CPU, <c>mm</c> of its tensor elsewhere.</summary>
    internal Tensor InputProduct(GcnInput x) =>
        x.Rows is not null && HostKernels.OnCpu(_w1) ? SparseInputProduct.apply(x, _w1) : InputProduct(x.Tensor!);

    /// <summary>
    /// <c>Â2 dropout(relu(Â1 U + b1))</c> from <c>U = X W1</c>: the propagated hidden layer of the second product's rows.
    /// </summary>
    /// <param name="a1">The first convolution's slice (hidden x input rows).</param>
    /// <param name="a2">The second convolution's slice (output x hidden rows).</param>
    /// <param name="u">The <see cref="InputProduct(Tensor)"/> of the input rows.</param>
    /// <param name="dropout">Dropout rate on the hidden layer.</param>
    /// <param name="training">Whether dropout applies.</param>
    internal Tensor PropagatedHidden(AdjacencySlice a1, AdjacencySlice a2, Tensor u, double dropout, bool training) =>
        Propagate(a2, HiddenLayer(a1, u), dropout, training);

    /// <summary>The hidden layer <c>relu(Â1 U + b1)</c> from <c>U = X W1</c>.</summary>
    internal Tensor HiddenLayer(AdjacencySlice a1, Tensor u) => functional.relu(a1.Multiply(u) + _b1);

    /// <summary><c>Â2 dropout(H)</c>: the second convolution's propagation of a <see cref="HiddenLayer"/>.</summary>
    internal Tensor Propagate(AdjacencySlice a2, Tensor h, double dropout, bool training)
    {
        if (training && dropout > 0) h = Dropout is { } d ? d.Apply(h, dropout) : functional.dropout(h, dropout, training: true);
        return a2.Multiply(h);
    }

    /// <summary>
    /// The output at selected entries only: <c>sum_d Z[cell, d] W2[d, gene] + b2[gene] + sum_f s_f[gene] F[entry, f]</c>.
    /// </summary>
    /// <param name="z">Propagated hidden layer (rows x D).</param>
    /// <param name="rows">Row of <paramref name="z"/> per entry (int64).</param>
    /// <param name="genes">Gene per entry (int64).</param>
    /// <param name="features">Skip features per entry (entries x <see cref="SkipFeatureCount"/>), or null without a skip connection.</param>
    /// <param name="index">The same entries on the host, for the CPU kernel; built from <paramref name="rows"/> and
    /// <paramref name="genes"/> when null.</param>
    /// <remarks>
    /// On the CPU this is <see cref="TargetOutput"/>, which never forms the rows x genes block. Elsewhere, with
    /// gradients on, the bottleneck term is read from the block's dense output <c>Z W2 + b2</c> (the size of one
    /// batch), whose backward is two small products; without gradients only the entries are computed.
    /// </remarks>
    internal Tensor OutputAt(Tensor z, Tensor rows, Tensor genes, Tensor? features, TargetIndex? index = null) =>
        At(z, rows, genes, features, null, index);

    /// <summary>The squared errors <c>(output - values)²</c> at selected entries (see <see cref="OutputAt"/>).</summary>
    internal Tensor SquaredErrorsAt(Tensor z, Tensor rows, Tensor genes, Tensor? features, Tensor values, TargetIndex? index = null) =>
        At(z, rows, genes, features, values, index);

    // The output at the entries, or with values its squared errors there.
    private Tensor At(Tensor z, Tensor rows, Tensor genes, Tensor? features, Tensor? values, TargetIndex? index)
    {
        bool skip = _skip is not null && features is not null;
        var s = skip ? _skip : null;
        var f = skip ? features : null;
        var w2t = _w2t;
        if (HostKernels.OnCpu(z, w2t))
        {
            index ??= HostIndex(rows, genes);
            if (!is_grad_enabled()) return TargetOutput.Evaluate(index, z, w2t, _b2, s, f, values);
            return TargetOutput.apply(index, z, w2t, _b2, s!, f!, values!);
        }
        Tensor output;
        if (is_grad_enabled())
        {
            using var flat = rows * Genes + genes;
            output = (z.mm(w2t.t()) + _b2).flatten().index_select(0, flat);
        }
        else output = (z.index_select(0, rows) * w2t.index_select(0, genes)).sum(1) + _b2.index_select(0, genes);
        if (skip)
            output = output + (features! * _skip!.index_select(0, genes)).sum(1);
        return values is null ? output : (output - values).square();
    }

    private static TargetIndex HostIndex(Tensor rows, Tensor genes)
    {
        using var r = rows.to_type(ScalarType.Int64).contiguous();
        using var g = genes.to_type(ScalarType.Int64).contiguous();
        return new TargetIndex(r.data<long>().ToArray(), g.data<long>().ToArray());
    }

    /// <summary>The full output of a block of rows (rows x genes), skip features given as one rows x genes tensor per feature.</summary>
    internal Tensor Output(Tensor z, IReadOnlyList<Tensor>? features)
    {
        var output = z.mm(_w2t.t()) + _b2;
        if (_skip is not null && features is not null)
            for (int f = 0; f < features.Count; f++)
            {
                using var column = _skip.select(1, f);
                output = output + features[f] * column;
            }
        return output;
    }

    /// <summary>
    /// Copies of the parameters in the model format's order: W1 (genes x D), b1, W2 (D x genes), b2, then one array of
    /// genes skip coefficients per feature (row-major float32).
    /// </summary>
    internal float[][] ExportWeights()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var arrays = new List<float[]>();
        arrays.Add(ToArray(_w1));
        arrays.Add(ToArray(_b1));
        using (var w2 = _w2t.t()) arrays.Add(ToArray(w2));
        arrays.Add(ToArray(_b2));
        if (_skip is not null)
            for (int f = 0; f < SkipFeatureCount; f++)
            {
                using var column = _skip.select(1, f);
                arrays.Add(ToArray(column));
            }
        return arrays.ToArray();
    }

    private static float[] ToArray(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().data<float>().ToArray();
    }

    /// <summary>Overwrites the parameters from <see cref="ExportWeights"/>-shaped arrays (skip coefficients only when present in both).</summary>
    internal void ImportWeights(float[][] weights)
    {
        if (weights.Length != 4 + SkipFeatureCount)
            throw new ArgumentException($"Expected {4 + SkipFeatureCount} weight arrays; got {weights.Length}.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = new long[] { (long)Genes * Hidden, Hidden, (long)Hidden * Genes, Genes };
        for (int i = 0; i < 4; i++)
            if (weights[i].Length != expected[i])
                throw new ArgumentException($"Weight {i} has {weights[i].Length} values; expected {expected[i]}.");
        _w1.copy_(tensor(weights[0]).reshape(Genes, Hidden).to(_w1.device));
        _b1.copy_(tensor(weights[1]).to(_b1.device));
        _w2t.copy_(tensor(weights[2]).reshape(Hidden, Genes).t().to(_w2t.device));
        _b2.copy_(tensor(weights[3]).to(_b2.device));
        for (int f = 0; f < SkipFeatureCount; f++)
        {
            if (weights[4 + f].Length != Genes) throw new ArgumentException($"Skip coefficient {f} has {weights[4 + f].Length} values; expected {Genes}.");
            _skip!.select(1, f).copy_(tensor(weights[4 + f]).to(_skip.device));
        }
    }

    /// <summary>Sets the output layer's weights <c>W2</c> to zero, so the network starts as exactly its bias and skip connection.</summary>
    internal void ZeroOutputWeights()
    {
        using var noGrad = no_grad();
        _w2t.zero_();
    }

    /// <summary>
    /// Moves the output layer (<c>W2</c>, <c>b2</c>, the skip coefficients) to <c>start + alpha (now - start)</c>, keeping
    /// <c>W1</c> and <c>b1</c>: with <c>W2</c> zero at <paramref name="start"/> (a <see cref="Snapshot"/>) the output becomes
    /// the start's output plus <paramref name="alpha"/> times this network's change of it (<see cref="StartShrinkage"/>).
    /// </summary>
    internal void ShrinkOutputLayerTowards(Tensor[] start, double alpha)
    {
        using var noGrad = no_grad();
        var ps = parameters().ToArray();
        for (int i = 0; i < ps.Length; i++)
        {
            if (ps[i].Handle == _w1.Handle || ps[i].Handle == _b1.Handle) continue;
            ps[i].sub_(start[i]).mul_(alpha).add_(start[i]);
        }
    }

    /// <summary>Copies of the parameters on their device (for keeping the best epoch without a host round trip).</summary>
    internal Tensor[] Snapshot()
    {
        using var noGrad = no_grad();
        return parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    internal void Restore(Tensor[] snapshot)
    {
        using var noGrad = no_grad();
        var ps = parameters().ToArray();
        for (int i = 0; i < ps.Length; i++) ps[i].copy_(snapshot[i]);
    }
}

using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Parameter = TorchSharp.Modules.Parameter;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// The SCGNN network (paper §2): two graph convolutions with a gene bottleneck,
/// <c>H = relu(Â X W1 + b1)</c>, <c>X~ = Â H W2 + b2</c>, with <c>W1: M x D</c> and <c>W2: D x M</c>.
/// Split into a hidden step and an output step so training can evaluate the output only at masked entries.
/// </summary>
internal sealed class BottleneckGcn : Module
{
    private readonly Parameter _w1;
    private readonly Parameter _b1;
    private readonly Parameter _w2;
    private readonly Parameter _b2;

    /// <summary>Creates the layers with pygcn's initialization, uniform(-1/sqrt(out), 1/sqrt(out)) for weights and biases.</summary>
    internal BottleneckGcn(int genes, int hidden, Generator generator) : base(nameof(BottleneckGcn))
    {
        Genes = genes;
        Hidden = hidden;
        double s1 = 1.0 / Math.Sqrt(hidden), s2 = 1.0 / Math.Sqrt(genes);
        _w1 = new Parameter(empty(genes, hidden).uniform_(-s1, s1, generator));
        _b1 = new Parameter(empty(hidden).uniform_(-s1, s1, generator));
        _w2 = new Parameter(empty(hidden, genes).uniform_(-s2, s2, generator));
        _b2 = new Parameter(empty(genes).uniform_(-s2, s2, generator));
        RegisterComponents();
    }

    internal int Genes { get; }

    internal int Hidden { get; }

    /// <summary><c>Â H</c> where <c>H = dropout(relu(Â X W1 + b1))</c>: the propagated hidden layer (cells x D).</summary>
    /// <remarks>Computed as <c>Â (X W1)</c>, which equals <c>(Â X) W1</c> and costs cells x genes x D multiply-adds.</remarks>
    internal Tensor PropagatedHidden(Tensor adjacency, Tensor x, double dropout, bool training)
    {
        var h = functional.relu(adjacency.mm(x.mm(_w1)) + _b1);
        if (training && dropout > 0) h = functional.dropout(h, dropout, training: true);
        return adjacency.mm(h);
    }

    /// <summary>The output at selected (cell, gene) entries only: <c>sum_d Z[cell, d] W2[d, gene] + b2[gene]</c>.</summary>
    internal Tensor OutputAt(Tensor propagatedHidden, Tensor cells, Tensor genes)
    {
        var z = propagatedHidden.index_select(0, cells);
        var w = _w2.t().index_select(0, genes);
        return (z * w).sum(1) + _b2.index_select(0, genes);
    }

    /// <summary>The full output (cells x genes).</summary>
    internal Tensor Output(Tensor propagatedHidden) => propagatedHidden.mm(_w2) + _b2;

    /// <summary>Copies of the four parameter tensors, in the order W1, b1, W2, b2 (row-major float32).</summary>
    internal float[][] ExportWeights() => new[] { _w1, _b1, _w2, _b2 }
        .Select(p => p.detach().contiguous().data<float>().ToArray()).ToArray();

    /// <summary>Overwrites the parameters from <see cref="ExportWeights"/>-shaped arrays.</summary>
    internal void ImportWeights(float[][] weights)
    {
        using var noGrad = no_grad();
        var ps = new[] { _w1, _b1, _w2, _b2 };
        for (int i = 0; i < ps.Length; i++)
        {
            if (weights[i].Length != ps[i].numel())
                throw new ArgumentException($"Weight {i} has {weights[i].Length} values; expected {ps[i].numel()}.");
            using var t = tensor(weights[i]).reshape(ps[i].shape);
            ps[i].copy_(t);
        }
    }
}

using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>Dense input on a TorchSharp device; both products are one BLAS call.</summary>
internal sealed class DenseGcnInput : GcnInput
{
    private readonly Tensor _x;
    private readonly Device _device;

    internal DenseGcnInput(float[] dense, int cells, int genes, Device device)
    {
        Cells = cells; Genes = genes; _device = device;
        _x = tensor(dense, cells, genes).to(device).DetachFromDisposeScope();
    }

    internal override int Cells { get; }
    internal override int Genes { get; }

    internal override void Multiply(float[] w, int hidden, float[] result)
    {
        using var scope = NewDisposeScope();
        _x.mm(tensor(w, Genes, hidden).to(_device)).cpu().data<float>().CopyTo(result);
    }

    internal override void MultiplyTransposed(float[] g, int hidden, float[] result)
    {
        using var scope = NewDisposeScope();
        _x.t().mm(tensor(g, Cells, hidden).to(_device)).cpu().data<float>().CopyTo(result);
    }

    public override void Dispose() => _x.Dispose();
}

using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Imputation;

/// <summary>Everything a fitted ScGnn model needs to impute new cells: the PCA basis and the network weights.</summary>
internal sealed class ScGnnNetworkState
{
    internal ScGnnNetworkState(PcaProjection pca, int neighborCount, int hidden, ScGnnInputScale scale, IReadOnlyList<float[][]> ensemble)
    {
        Pca = pca;
        NeighborCount = neighborCount;
        Hidden = hidden;
        InputScale = scale;
        Ensemble = ensemble;
    }

    internal PcaProjection Pca { get; }
    internal int NeighborCount { get; }
    internal int Hidden { get; }
    internal ScGnnInputScale InputScale { get; }

    /// <summary>One weight set (W1, b1, W2, b2) per ensemble member.</summary>
    internal IReadOnlyList<float[][]> Ensemble { get; }

    internal int GeneCount => Pca.GeneCount;
}

using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Imputation;

/// <summary>Everything a fitted ScGnn model needs to impute new cells: the PCA basis and the network weights.</summary>
internal sealed class ScGnnNetworkState
{
    internal ScGnnNetworkState(PcaProjection pca, int neighborCount, int hidden, ScGnnInputScale scale, IReadOnlyList<float[][]> ensemble,
        bool graphOnLog1p, bool capAtObservedMaximum)
    {
        CapAtObservedMaximum = capAtObservedMaximum;
        GraphOnLog1p = graphOnLog1p;
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

    /// <summary>Whether the PCA basis was fitted on, and new batches are projected from, log1p of the input.</summary>
    internal bool GraphOnLog1p { get; }

    /// <summary>Whether outputs are capped at each gene's largest value in the batch being imputed.</summary>
    internal bool CapAtObservedMaximum { get; }

    /// <summary>One weight set (W1, b1, W2, b2) per ensemble member.</summary>
    internal IReadOnlyList<float[][]> Ensemble { get; }

    internal int GeneCount => Pca.GeneCount;
}

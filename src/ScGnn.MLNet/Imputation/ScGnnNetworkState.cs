using ScGnn.MLNet.Graph;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// Everything a fitted ScGnn model needs to impute new cells: the PCA basis and the network weights. A model fitted
/// for <see cref="ImputationOutputMode.Smoothed"/> holds neither (<see cref="HasNetwork"/> false): that output builds
/// its graph in each batch's own PCA and reads only the component count, k and the graph's scale.
/// </summary>
internal sealed class ScGnnNetworkState
{
    internal ScGnnNetworkState(PcaProjection pca, int neighborCount, int hidden, ScGnnInputScale scale, IReadOnlyList<float[][]> ensemble,
        bool graphOnLog1p, bool capAtObservedMaximum)
    {
        CapAtObservedMaximum = capAtObservedMaximum;
        GraphOnLog1p = graphOnLog1p;
        Pca = pca;
        ComponentCount = pca.ComponentCount;
        GeneCount = pca.GeneCount;
        NeighborCount = neighborCount;
        Hidden = hidden;
        InputScale = scale;
        Ensemble = ensemble;
    }

    private ScGnnNetworkState(int genes, int components, int neighborCount, ScGnnInputScale scale, bool graphOnLog1p, bool capAtObservedMaximum)
    {
        GeneCount = genes;
        ComponentCount = components;
        NeighborCount = neighborCount;
        InputScale = scale;
        GraphOnLog1p = graphOnLog1p;
        CapAtObservedMaximum = capAtObservedMaximum;
        Ensemble = Array.Empty<float[][]>();
    }

    /// <summary>A model for the <see cref="ImputationOutputMode.Smoothed"/> output only: no PCA basis, no network.</summary>
    internal static ScGnnNetworkState SmoothingOnly(int genes, int components, int neighborCount, ScGnnInputScale scale, bool graphOnLog1p,
        bool capAtObservedMaximum, bool smoothingOnScaledGenes = true) =>
        new(genes, components, neighborCount, scale, graphOnLog1p, capAtObservedMaximum) { SmoothingOnScaledGenes = smoothingOnScaledGenes };

    /// <summary>The fitted PCA basis; null without a network.</summary>
    internal PcaProjection? Pca { get; }

    /// <summary>PCA components of the model's graph (and of the smoothed output's per-batch graph).</summary>
    internal int ComponentCount { get; }

    internal int NeighborCount { get; }

    /// <summary>Hidden units; 0 without a network.</summary>
    internal int Hidden { get; }

    internal ScGnnInputScale InputScale { get; }

    /// <summary>Whether the PCA basis was fitted on, and new batches are projected from, log1p of the input.</summary>
    internal bool GraphOnLog1p { get; }

    /// <summary>Whether outputs are capped at each gene's largest value in the batch being imputed.</summary>
    internal bool CapAtObservedMaximum { get; }

    /// <summary>
    /// Whether the <see cref="ImputationOutputMode.Smoothed"/> output builds its graph on genes scaled to unit
    /// variance. New fits do; models saved before the flag existed read false, so they keep the output they gave.
    /// </summary>
    internal bool SmoothingOnScaledGenes { get; init; } = true;

    /// <summary>One weight set (W1, b1, W2, b2) per ensemble member; empty without a network.</summary>
    internal IReadOnlyList<float[][]> Ensemble { get; }

    /// <summary>Whether the model holds a PCA basis and a trained network (what ImputeZeros and Denoise read).</summary>
    internal bool HasNetwork => Ensemble.Count > 0;

    internal int GeneCount { get; }
}

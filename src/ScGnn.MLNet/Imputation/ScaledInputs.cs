using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// The matrix each consumer reads: PCA/kNN (log1p with GraphOnLog1p, as scanpy), the network (log1p unless the
/// scale is Counts) and the skip features (log1p only on the Log1p scale). Shares one log1p matrix among them.
/// </summary>
internal readonly record struct ScaledInputs(CsrMatrix Graph, CsrMatrix Network, CsrMatrix Skip)
{
    internal static ScaledInputs Of(CsrMatrix x, bool graphOnLog1p, ScGnnInputScale scale)
    {
        bool networkLog = scale != ScGnnInputScale.Counts;
        var log = graphOnLog1p || networkLog ? x.Log1p() : x;
        return new(graphOnLog1p ? log : x, networkLog ? log : x, scale == ScGnnInputScale.Log1p ? log : x);
    }
}

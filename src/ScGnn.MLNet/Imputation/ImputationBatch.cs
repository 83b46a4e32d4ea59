using Microsoft.ML.Runtime;
using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// One batch being imputed: the input rows (sparse, in the input's slots) and the prepared predictor; produces the
/// output column for a block of rows at a time (never the whole batch dense).
/// </summary>
internal sealed class ImputationBatch
{
    private readonly ExpressionMatrix _batch;
    private readonly int[] _map;
    private readonly ScGnnPredictor? _predictor;
    private readonly ClusteringOutput? _smoothed;
    private readonly ImputationOutputMode _mode;
    private readonly IHost _host;
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private int _rowsDone;

    internal ImputationBatch(ExpressionMatrix batch, int[] map, ScGnnPredictor? predictor, ImputationOutputMode mode, IHost host,
        ClusteringOutput? smoothed = null)
    {
        if ((predictor is null) == (smoothed is null)) throw new ArgumentException("Give either a predictor or a smoothed output.");
        _batch = batch;
        _map = map;
        _predictor = predictor;
        _smoothed = smoothed;
        _mode = mode;
        _host = host;
    }

    /// <summary>Rows in the batch.</summary>
    internal int Cells => _batch.CellCount;

    /// <summary>Rows per block.</summary>
    internal int BlockRows => _predictor?.BlockRows ?? (int)Math.Clamp(ScGnnPredictor.BlockBudget / Math.Max(1, _map.Length), 1, Cells);

    // Several blocks: say which one is done and about how long the rest takes (at this block rate).
    private void ReportBlock(int start, int count)
    {
        if (Cells <= BlockRows) return;
        int done = Interlocked.Add(ref _rowsDone, count);
        double seconds = _clock.Elapsed.TotalSeconds, left = seconds / Math.Max(1, done) * Math.Max(0, Cells - done);
        using var ch = _host.Start("Imputing with ScGnn");
        ch.Info(MessageSensitivity.None, string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "ScGnn: imputed cells {0}-{1} of {2}; {3:F1} s, about {4:F0} s left", start + 1, start + count, Cells, seconds, left));
    }

    /// <summary>Output rows <c>[start, start + count)</c> in the input's slots (count x slots, row-major).</summary>
    /// <exception cref="InvalidOperationException">A prediction is not finite (the output never holds NaN or infinity).</exception>
    internal float[] OutputRows(int start, int count)
    {
        _host.CheckAlive();
        int genes = _map.Length, modelGenes = _predictor?.Genes ?? _smoothed!.Genes;
        _clock.Start();
        var predicted = _predictor?.PredictRows(start, count) ?? _smoothed!.Rows(start, count);
        var output = new float[(long)count * genes];
        for (int r = 0; r < count; r++)
        {
            int i = start + r;
            var idx = _batch.RowIndices(i); var val = _batch.RowValues(i);
            var row = output.AsSpan((int)((long)r * genes), genes);
            var pred = predicted.AsSpan((int)((long)r * modelGenes), modelGenes);
            for (int j = 0; j < genes; j++)
            {
                if (_map[j] < 0) continue;
                float p = pred[_map[j]];
                if (!float.IsFinite(p))
                    throw new InvalidOperationException($"ScGnn predicted {p} for cell '{_batch.CellIds[i]}' (row {i}), gene '{_batch.GeneIds[j]}': " +
                        "the input values are too large for the model (imputation needs values on the scale it was fitted on).");
                row[j] = Math.Max(0f, p);
            }
            // Observed values are kept (ImputeZeros), and genes the model lacks always pass through unchanged.
            for (int k = 0; k < idx.Length; k++)
                if (_map[idx[k]] < 0 || (_mode == ImputationOutputMode.ImputeZeros && val[k] != 0)) row[idx[k]] = val[k];
        }
        _clock.Stop();
        ReportBlock(start, count);
        // A block's arrays (prediction, skip features, output: each block rows x genes) are large objects, freed only by
        // a full collection; over a large batch of full-size blocks they piled up to three times the live heap (3.4 GB for 1.1 GB at 100,000 cells).
        if (Cells > BlockRows && (long)BlockRows * genes >= ScGnnPredictor.BlockBudget / 2) GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        return output;
    }
}

using System.Diagnostics;
using ScGnn.MLNet.Graph;
using static TorchSharp.torch;

namespace ScGnn.MLNet.Gcn;

/// <summary>
/// One full-batch training epoch of <see cref="BottleneckGcn"/> with hand-derived gradients, so that the work per
/// epoch is what the maths needs and no more:
/// <list type="bullet">
/// <item>the two cells x genes x D products (<c>X W1</c> and <c>X^T G</c>) run in TorchSharp (BLAS, or CUDA) for dense
/// inputs, or as sparse products over the non-zeros for sparse ones (<see cref="GcnInput"/>);</item>
/// <item><c>Â</c> products, ReLU, dropout and the second layer run on the cells x D hidden layer in C#, and the
/// second layer is evaluated only at the target entries (a sampled dense-dense product), never as cells x genes;</item>
/// <item>a fresh mask changes <c>X</c> only at the masked entries, applied as a sparse correction to <c>X W1</c>
/// and to the gradient, so the dense input never changes;</item>
/// <item>the validation loss of the current weights comes from the same forward pass (without dropout).</item>
/// </list>
/// Gradients match autograd on <see cref="BottleneckGcn"/> (see the tests); the optimizer is Adam with
/// PyTorch's semantics (L2 weight decay added to the gradient, bias-corrected moments).
/// </summary>
internal sealed class GcnTrainingKernel : IDisposable
{
    private readonly int _n, _m, _d;
    private readonly NormalizedAdjacency _a;
    private readonly GcnInput _x;          // cells x genes, fixed masks applied
    private readonly double _dropout;
    private readonly double _lr, _wd;
    private const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;

    // Parameters: W1 (genes x D), b1 (D), W2 stored transposed as W2t (genes x D), b2 (genes).
    internal readonly float[] W1, B1, W2t, B2;
    private readonly float[][] _m1, _m2;
    private int _step;

    // Work buffers (cells x D).
    private readonly float[] _u, _uc, _t, _tv, _p, _h, _keep, _z, _dz, _dh, _g, _hv;
    // Gradients of the last Step (W2 transposed), exposed for gradient checks.
    internal readonly float[] GradW1, GradB1, GradW2t, GradB2;
    private readonly float[][] _chunkW2, _chunkB2;

    // Skip connection: per-gene coefficients S[f] on fixed neighbourhood features F[f] (cells x genes), added to the
    // output at each entry. Empty when the skip connection is off.
    private readonly float[][] _skipF;
    internal readonly float[][] Skip, GradSkip;
    private readonly float[][][] _chunkSkip;

    /// <summary>The squared error at each validation target from the last <see cref="Step"/> (weights before the step).</summary>
    internal double[] ValidationErrors { get; private set; } = Array.Empty<double>();

    /// <summary>Where the epochs' time went (for the speed benchmark).</summary>
    internal KernelTimings Timings { get; } = new();
    private ulong _rng;

    internal GcnTrainingKernel(GcnInput x, NormalizedAdjacency adjacency, int hidden, float[][] initialWeights,
        double dropout, double learningRate, double weightDecay, ulong seed, float[][]? skipFeatures = null)
    {
        _n = x.Cells; _m = x.Genes; _d = hidden;
        _a = adjacency; _x = x;
        _dropout = dropout; _lr = learningRate; _wd = weightDecay;
        W1 = (float[])initialWeights[0].Clone();
        B1 = (float[])initialWeights[1].Clone();
        W2t = Transpose(initialWeights[2], _d, _m);
        B2 = (float[])initialWeights[3].Clone();
        _skipF = skipFeatures ?? Array.Empty<float[]>();
        Skip = _skipF.Select((_, f) => initialWeights.Length > 4 + f ? (float[])initialWeights[4 + f].Clone() : new float[_m]).ToArray();
        GradSkip = _skipF.Select(_ => new float[_m]).ToArray();
        _m1 = new[] { new float[W1.Length], new float[B1.Length], new float[W2t.Length], new float[B2.Length] }
            .Concat(_skipF.Select(_ => new float[_m])).ToArray();
        _m2 = new[] { new float[W1.Length], new float[B1.Length], new float[W2t.Length], new float[B2.Length] }
            .Concat(_skipF.Select(_ => new float[_m])).ToArray();
        int nd = _n * _d;
        _u = new float[nd]; _uc = new float[nd]; _t = new float[nd]; _tv = new float[nd]; _p = new float[nd]; _h = new float[nd];
        _keep = new float[nd]; _z = new float[nd]; _dz = new float[nd]; _dh = new float[nd]; _g = new float[nd]; _hv = new float[nd];
        GradW1 = new float[W1.Length]; GradB1 = new float[_d]; GradW2t = new float[W2t.Length]; GradB2 = new float[_m];
        int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, 8));
        _chunkW2 = Enumerable.Range(0, chunks).Select(_ => new float[W2t.Length]).ToArray();
        _chunkB2 = Enumerable.Range(0, chunks).Select(_ => new float[_m]).ToArray();
        _chunkSkip = Enumerable.Range(0, chunks).Select(_ => _skipF.Select(_ => new float[_m]).ToArray()).ToArray();
        _rng = seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        if (_rng == 0) _rng = 1;
    }

    /// <summary>Current weights in <see cref="BottleneckGcn.ExportWeights"/> order (W1, b1, W2, b2), then the skip coefficients.</summary>
    internal float[][] ExportWeights() => new[] { (float[])W1.Clone(), (float[])B1.Clone(), Transpose(W2t, _m, _d), (float[])B2.Clone() }
        .Concat(Skip.Select(s => (float[])s.Clone())).ToArray();

    /// <summary>The skip connection's contribution at one entry.</summary>
    private float SkipAt(int cell, int gene)
    {
        float sum = 0;
        long at = (long)cell * _m + gene;
        for (int f = 0; f < _skipF.Length; f++) sum += Skip[f][gene] * _skipF[f][at];
        return sum;
    }

    /// <summary>
    /// Runs one epoch: forward with dropout, MSE at the training targets, backward, one Adam step.
    /// Returns the training loss and the validation loss of the weights as they were before the step.
    /// </summary>
    /// <param name="trainCells">Target cells.</param>
    /// <param name="trainGenes">Target genes.</param>
    /// <param name="trainValues">Target values (input scale).</param>
    /// <param name="maskedInput">True when the targets are masked only for this epoch: their values are still in the
    /// dense input and are removed by a sparse correction.</param>
    /// <param name="valCells">Validation target cells (may be empty).</param>
    /// <param name="valGenes">Validation target genes.</param>
    /// <param name="valValues">Validation target values.</param>
    /// <param name="trainInputValues">The targets' values on the input's scale, when it differs from the targets' scale.</param>
    internal (double Train, double Validation) Step(int[] trainCells, int[] trainGenes, float[] trainValues, bool maskedInput,
        int[] valCells, int[] valGenes, float[] valValues, float[]? trainInputValues = null)
    {
        // The targets' values as they appear in the dense input (they differ when only the input is log-scaled).
        var inputValues = trainInputValues ?? trainValues;
        int n = _n, d = _d, k = trainCells.Length;
        if (k == 0) throw new InvalidOperationException("No training targets this epoch.");

        long t0 = Stopwatch.GetTimestamp();
        // U = X W1 (BLAS), then the fresh-mask correction U -= M W1 at the masked entries.
        _x.Multiply(W1, d, _u);
        Array.Copy(_u, _uc, _u.Length);
        if (maskedInput)
            for (int e = 0; e < k; e++)
                VectorMath.Axpy(-inputValues[e], W1.AsSpan(trainGenes[e] * d, d), _uc.AsSpan(trainCells[e] * d, d));

        long t1 = Stopwatch.GetTimestamp();
        // T = Â U; P = T + b1; H = relu(P); dropout; Z = Â H.
        Spmm(_uc, _t);
        float scale = _dropout > 0 ? (float)(1.0 / (1.0 - _dropout)) : 1f;
        for (int i = 0, at = 0; i < n; i++)
            for (int j = 0; j < d; j++, at++)
            {
                float p = _t[at] + B1[j];
                _p[at] = p;
                float keep = _dropout > 0 && NextUniform() < _dropout ? 0f : scale;
                _keep[at] = keep;
                _h[at] = p > 0 ? p * keep : 0f;
            }
        Spmm(_h, _z);

        long t2 = Stopwatch.GetTimestamp();
        // Validation on the weights before this step: no dropout, uncorrected input.
        double valLoss = double.NaN;
        if (valCells.Length > 0)
        {
            if (ValidationErrors.Length != valCells.Length) ValidationErrors = new double[valCells.Length];
            if (maskedInput) Spmm(_u, _tv); else Array.Copy(_t, _tv, _t.Length);
            for (int i = 0, at = 0; i < n; i++)
                for (int j = 0; j < d; j++, at++) { float p = _tv[at] + B1[j]; _hv[at] = p > 0 ? p : 0f; }
            double sum = 0;
            int lastCell = -1;
            Span<float> zrow = stackalloc float[d];
            for (int e = 0; e < valCells.Length; e++)
            {
                if (valCells[e] != lastCell) { lastCell = valCells[e]; SpmmRow(_hv, lastCell, zrow); }
                double r = VectorMath.Dot(zrow, W2t.AsSpan(valGenes[e] * d, d)) + B2[valGenes[e]] + SkipAt(lastCell, valGenes[e]) - valValues[e];
                sum += r * r;
                ValidationErrors[e] = r * r;
            }
            valLoss = sum / valCells.Length;
        }

        long t3 = Stopwatch.GetTimestamp();
        // Second layer at the targets only; residual gradient e = 2 (pred - y) / K. Targets are sorted by cell, so
        // chunks split at cell boundaries own their dZ rows; W2/b2 gradients go to per-chunk buffers summed in order.
        Array.Clear(_dz);
        var bounds = ChunkBounds(trainCells, _chunkW2.Length);
        var losses = new double[_chunkW2.Length];
        Parallel.For(0, _chunkW2.Length, chunk =>
        {
            var gw = _chunkW2[chunk]; var gb = _chunkB2[chunk]; var gs = _chunkSkip[chunk];
            Array.Clear(gw); Array.Clear(gb);
            foreach (var a in gs) Array.Clear(a);
            double local = 0;
            float inv = 2f / k;
            for (int e = bounds[chunk]; e < bounds[chunk + 1]; e++)
            {
                int c = trainCells[e], g = trainGenes[e];
                var zr = _z.AsSpan(c * d, d);
                var wg = W2t.AsSpan(g * d, d);
                double r = VectorMath.Dot(zr, wg) + B2[g] + SkipAt(c, g) - trainValues[e];
                local += r * r;
                float grad = (float)r * inv;
                VectorMath.Axpy(grad, zr, gw.AsSpan(g * d, d));
                gb[g] += grad;
                for (int f = 0; f < gs.Length; f++) gs[f][g] += grad * _skipF[f][(long)c * _m + g];
                VectorMath.Axpy(grad, wg, _dz.AsSpan(c * d, d));
            }
            losses[chunk] = local;
        });
        Array.Copy(_chunkW2[0], GradW2t, GradW2t.Length);
        Array.Copy(_chunkB2[0], GradB2, GradB2.Length);
        for (int f = 0; f < GradSkip.Length; f++) Array.Copy(_chunkSkip[0][f], GradSkip[f], _m);
        for (int chunk = 1; chunk < _chunkW2.Length; chunk++)
        {
            VectorMath.Axpy(1f, _chunkW2[chunk], GradW2t);
            VectorMath.Axpy(1f, _chunkB2[chunk], GradB2);
            for (int f = 0; f < GradSkip.Length; f++) VectorMath.Axpy(1f, _chunkSkip[chunk][f], GradSkip[f]);
        }
        double loss = 0;
        foreach (double l in losses) loss += l;
        loss /= k;

        long t4 = Stopwatch.GetTimestamp();
        // Back through Â, dropout, ReLU, bias and Â again: G = Â dP.
        Spmm(_dz, _dh);
        Array.Clear(GradB1);
        for (int i = 0, at = 0; i < n; i++)
            for (int j = 0; j < d; j++, at++)
            {
                float dp = _p[at] > 0 ? _dh[at] * _keep[at] : 0f;
                _dh[at] = dp;
                GradB1[j] += dp;
            }
        Spmm(_dh, _g);

        long t5 = Stopwatch.GetTimestamp();
        // dW1 = X^T G (BLAS), minus the fresh-mask correction.
        _x.MultiplyTransposed(_g, d, GradW1);
        if (maskedInput)
            for (int e = 0; e < k; e++)
                VectorMath.Axpy(-inputValues[e], _g.AsSpan(trainCells[e] * d, d), GradW1.AsSpan(trainGenes[e] * d, d));

        long t6 = Stopwatch.GetTimestamp();
        _step++;
        Adam(W1, GradW1, 0); Adam(B1, GradB1, 1); Adam(W2t, GradW2t, 2); Adam(B2, GradB2, 3);
        for (int f = 0; f < Skip.Length; f++) Adam(Skip[f], GradSkip[f], 4 + f);
        long t7 = Stopwatch.GetTimestamp();
        Timings.Add(t1 - t0 + t6 - t5, t2 - t1 + t5 - t4, t4 - t3, t3 - t2, t7 - t6);
        return (loss, valLoss);
    }

    private void Adam(float[] p, float[] grad, int slot)
    {
        var m = _m1[slot]; var v = _m2[slot];
        double bc1 = 1 - Math.Pow(Beta1, _step), bc2 = 1 - Math.Pow(Beta2, _step);
        float wd = (float)_wd, b1 = (float)Beta1, b2 = (float)Beta2;
        float stepSize = (float)(_lr / bc1);
        float sqrtBc2 = (float)Math.Sqrt(bc2);
        for (int i = 0; i < p.Length; i++)
        {
            float g = grad[i] + wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            float denom = MathF.Sqrt(v[i]) / sqrtBc2 + (float)Eps;
            p[i] -= stepSize * m[i] / denom;
        }
    }

    /// <summary>dst = Â src for cells x D row-major arrays, rows in parallel (deterministic: one writer per row).</summary>
    private void Spmm(float[] src, float[] dst)
    {
        int d = _d;
        var ptr = _a.RowPointers; var col = _a.Columns; var val = _a.Values;
        // A few contiguous row ranges: one delegate call per range, not per row.
        int chunks = Math.Min(Environment.ProcessorCount, Math.Max(1, _n / 256));
        Parallel.For(0, chunks, c =>
        {
            int end = (int)((long)_n * (c + 1) / chunks);
            for (int i = (int)((long)_n * c / chunks); i < end; i++)
            {
                var row = dst.AsSpan(i * d, d);
                row.Clear();
                for (int q = ptr[i]; q < ptr[i + 1]; q++)
                    VectorMath.Axpy(val[q], src.AsSpan(col[q] * d, d), row);
            }
        });
    }

    private void SpmmRow(float[] src, int i, Span<float> row)
    {
        int d = _d;
        row.Clear();
        for (int q = _a.RowPointers[i]; q < _a.RowPointers[i + 1]; q++)
            VectorMath.Axpy(_a.Values[q], src.AsSpan(_a.Columns[q] * d, d), row);
    }

    /// <summary>Splits sorted target cells into contiguous chunks that never split one cell's targets.</summary>
    private static int[] ChunkBounds(int[] cells, int chunks)
    {
        var b = new int[chunks + 1];
        b[chunks] = cells.Length;
        for (int c = 1; c < chunks; c++)
        {
            int at = Math.Max(b[c - 1], (int)((long)cells.Length * c / chunks));
            while (at > b[c - 1] && at < cells.Length && cells[at] == cells[at - 1]) at++;
            b[c] = Math.Min(at, cells.Length);
        }
        return b;
    }

    // xorshift64*: fast, seeded, identical on every platform.
    private float NextUniform()
    {
        _rng ^= _rng >> 12; _rng ^= _rng << 25; _rng ^= _rng >> 27;
        return (float)((_rng * 2685821657736338717UL) >> 40) * (1f / (1 << 24));
    }

    internal static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    public void Dispose() { }
}

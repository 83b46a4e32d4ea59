namespace ScGnn.MLNet.Gcn;

/// <summary>
/// Sparse CSR input: products cost non-zeros x hidden instead of cells x genes x hidden. Rows are processed in
/// parallel; the transposed product accumulates into per-chunk buffers summed in a fixed order (deterministic).
/// </summary>
internal sealed class SparseGcnInput : GcnInput
{
    private readonly int[] _ptr;
    private readonly int[] _col;
    private readonly float[] _val;
    private readonly int[] _chunkStarts;
    private float[][] _buffers = Array.Empty<float[]>();

    internal SparseGcnInput(float[] dense, int cells, int genes)
    {
        Cells = cells; Genes = genes;
        _ptr = new int[cells + 1];
        var col = new List<int>(); var val = new List<float>();
        for (int i = 0; i < cells; i++)
        {
            var row = dense.AsSpan(i * genes, genes);
            for (int j = 0; j < genes; j++)
                if (row[j] != 0) { col.Add(j); val.Add(row[j]); }
            _ptr[i + 1] = col.Count;
        }
        _col = col.ToArray(); _val = val.ToArray();
        // Chunks of roughly equal non-zeros.
        int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, 8));
        _chunkStarts = new int[chunks + 1];
        for (int c = 1; c < chunks; c++)
        {
            long target = (long)_val.Length * c / chunks;
            int i = _chunkStarts[c - 1];
            while (i < cells && _ptr[i] < target) i++;
            _chunkStarts[c] = i;
        }
        _chunkStarts[chunks] = cells;
    }

    internal override int Cells { get; }
    internal override int Genes { get; }

    internal override void Multiply(float[] w, int hidden, float[] result)
    {
        Parallel.For(0, _chunkStarts.Length - 1, chunk =>
        {
            for (int i = _chunkStarts[chunk]; i < _chunkStarts[chunk + 1]; i++)
            {
                var dst = result.AsSpan(i * hidden, hidden);
                dst.Clear();
                for (int q = _ptr[i]; q < _ptr[i + 1]; q++)
                    VectorMath.Axpy(_val[q], w.AsSpan(_col[q] * hidden, hidden), dst);
            }
        });
    }

    internal override void MultiplyTransposed(float[] g, int hidden, float[] result)
    {
        int chunks = _chunkStarts.Length - 1;
        if (_buffers.Length != chunks || _buffers[0].Length != Genes * hidden)
            _buffers = Enumerable.Range(0, chunks).Select(_ => new float[Genes * hidden]).ToArray();
        Parallel.For(0, chunks, chunk =>
        {
            var acc = _buffers[chunk];
            Array.Clear(acc);
            for (int i = _chunkStarts[chunk]; i < _chunkStarts[chunk + 1]; i++)
            {
                var src = g.AsSpan(i * hidden, hidden);
                for (int q = _ptr[i]; q < _ptr[i + 1]; q++)
                    VectorMath.Axpy(_val[q], src, acc.AsSpan(_col[q] * hidden, hidden));
            }
        });
        Array.Copy(_buffers[0], result, result.Length);
        for (int c = 1; c < chunks; c++) VectorMath.Axpy(1f, _buffers[c], result);
    }
}

using System.Globalization;
using PureHDF;
using PureHDF.Selections;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads a cells x genes matrix stored in HDF5 (AnnData CSR, CSC or dense; Cell Ranger's CSC of genes x cells,
/// which is CSR by cell) into the CSR arrays of an <see cref="ExpressionMatrix"/>, block by block. Memory is the
/// result (8 bytes per non-zero) plus one block of about a million entries; the dense matrix is never built.
/// Every entry is checked (index range, order, duplicates, finite, non-negative unless allowed); explicit zeros
/// are dropped and unsorted rows (scipy allows them) are sorted.
/// </summary>
internal static class H5MatrixReader
{
    /// <summary>Stored entries read per block.</summary>
    internal const int BlockEntries = 1 << 20;

    internal readonly record struct Result(int[] RowPointers, int[] ColumnIndices, float[] Values);

    /// <summary>The names used in error messages and the value rules.</summary>
    /// <param name="Source">The open file.</param>
    /// <param name="ObjectPath">The matrix element's HDF5 path.</param>
    /// <param name="CellIds">Cell ids (rows).</param>
    /// <param name="GeneIds">Gene ids of the result (columns).</param>
    /// <param name="AllowNegative">Whether negative values are accepted.</param>
    /// <param name="GeneMap">When set (CSR only), stored gene index -> output gene index, -1 to drop the entry
    /// (10x feature-type filtering); it must be increasing over kept genes.</param>
    internal sealed record Context(H5Source Source, string ObjectPath, IReadOnlyList<string> CellIds, IReadOnlyList<string> GeneIds,
        bool AllowNegative, int[]? GeneMap = null)
    {
        public ExpressionFormatException Error(string child, string problem) =>
            Source.Error(child.Length == 0 ? ObjectPath : ObjectPath + "/" + child, problem);

        public string Cell(int i) => $"cell {i} ('{CellIds[i]}')";

        public string Gene(int j) => $"gene {j} ('{GeneIds[j]}')";
    }

    /// <summary>Reads compressed sparse storage: by row (CSR, <paramref name="byRow"/>) or by column (CSC).</summary>
    public static Result ReadCompressed(Context cx, IH5Dataset data, IH5Dataset indices, IH5Dataset indptr, bool byRow)
    {
        var src = cx.Source;
        int rows = cx.CellIds.Count, cols = cx.GeneMap?.Length ?? cx.GeneIds.Count;
        if (cx.GeneMap is not null && !byRow) throw new InvalidOperationException("A gene map needs CSR storage.");
        int major = byRow ? rows : cols, minor = byRow ? cols : rows;
        int ptrLength = src.Length(indptr, cx.ObjectPath + "/indptr");
        if (ptrLength != major + 1)
            throw cx.Error("indptr", $"has {ptrLength} entries; expected {(byRow ? "cells" : "genes")} + 1 = {major + 1} for a {(byRow ? "CSR" : "CSC")} matrix of {rows} x {cols}.");
        int dataLength = src.Length(data, cx.ObjectPath + "/data");
        int indicesLength = src.Length(indices, cx.ObjectPath + "/indices");
        if (dataLength != indicesLength)
            throw cx.Error("", $"data has {dataLength} entries but indices has {indicesLength}.");
        if (!src.IsNumeric(data, cx.ObjectPath + "/data"))
            throw cx.Error("data", "does not hold numbers.");

        var ptr = src.ReadIntegers(indptr, cx.ObjectPath + "/indptr", 0, ptrLength);
        if (ptr[0] != 0) throw cx.Error("indptr", $"starts at {ptr[0]}; expected 0.");
        for (int i = 0; i < major; i++)
            if (ptr[i + 1] < ptr[i])
                throw cx.Error("indptr", $"decreases at position {i + 1} ({ptr[i]} then {ptr[i + 1]}); it must be non-decreasing.");
        if (ptr[major] > dataLength)
            throw cx.Error("indptr", $"ends at {ptr[major]}, beyond the {dataLength} stored entries.");
        int nnz = (int)ptr[major];
        return byRow ? ReadRows(cx, data, indices, ptr, nnz, minor) : ReadColumns(cx, data, indices, ptr, nnz, rows);
    }

    /// <summary>Reads a dense two-dimensional dataset (cells x genes) by row blocks.</summary>
    public static Result ReadDense(Context cx, IH5Dataset x)
    {
        var src = cx.Source;
        int rows = cx.CellIds.Count, cols = cx.GeneIds.Count;
        var dims = src.Dimensions(x, cx.ObjectPath);
        if (dims.Length != 2) throw cx.Error("", $"has {dims.Length} dimensions; a dense matrix has 2.");
        if (dims[0] != (ulong)rows || dims[1] != (ulong)cols)
            throw cx.Error("", $"is {dims[0]} x {dims[1]}; obs and var say {rows} x {cols}.");
        if (!src.IsNumeric(x, cx.ObjectPath)) throw cx.Error("", "does not hold numbers.");
        src.CheckClaim(x, cx.ObjectPath, (ulong)rows * (ulong)cols);
        var ptr = new int[rows + 1];
        var idx = new GrowingArray<int>();
        var val = new GrowingArray<float>();
        int blockRows = Math.Max(1, BlockEntries / Math.Max(1, cols));
        var block = new double[Math.Min((long)blockRows, rows) * cols];
        for (int r0 = 0; r0 < rows; r0 += blockRows)
        {
            int n = Math.Min(blockRows, rows - r0);
            src.ReadReals(x, cx.ObjectPath, new HyperslabSelection(2, [(ulong)r0, 0], [(ulong)n, (ulong)cols]), block.AsSpan(0, checked(n * cols)));
            for (int r = 0; r < n; r++)
            {
                for (int j = 0; j < cols; j++)
                {
                    double v = block[(long)r * cols + j];
                    if (v == 0) continue;
                    Check(cx, v, r0 + r, j, "");
                    if (idx.Count == int.MaxValue) throw cx.Error("", "has more than 2^31 non-zeros.");
                    idx.Add(j);
                    val.Add((float)v);
                }
                ptr[r0 + r + 1] = idx.Count;
            }
        }
        return new Result(ptr, idx.ToArray(), val.ToArray());
    }

    private static Result ReadRows(Context cx, IH5Dataset data, IH5Dataset indices, long[] ptr, int nnz, int cols)
    {
        int rows = ptr.Length - 1;
        var outPtr = new int[rows + 1];
        var outIdx = new int[nnz];
        var outVal = new float[nnz];
        int w = 0;
        var order = new List<(int Gene, double Value)>();
        long[]? bi = null;
        double[]? bv = null;
        for (int r0 = 0; r0 < rows;)
        {
            int r1 = r0 + 1;
            while (r1 < rows && ptr[r1 + 1] - ptr[r0] <= BlockEntries) r1++;
            long start = ptr[r0];
            int count = (int)(ptr[r1] - start);
            var (gi, gv) = ReadBlock(cx, data, indices, start, count, ref bi, ref bv);
            for (int r = r0; r < r1; r++)
            {
                int s = (int)(ptr[r] - start), e = (int)(ptr[r + 1] - start);
                bool sorted = true;
                for (int k = s; k < e; k++)
                {
                    if ((ulong)gi[k] >= (ulong)cols)
                        throw cx.Error("indices", $"entry {start + k} ({cx.Cell(r)}) has gene index {gi[k]}, outside [0, {cols}).");
                    if (k > s && gi[k] <= gi[k - 1])
                    {
                        if (gi[k] == gi[k - 1]) throw cx.Error("indices", $"{cx.Cell(r)} stores gene index {gi[k]} twice.");
                        sorted = false;
                    }
                }
                if (cx.GeneMap is { } map)
                {
                    if (!sorted) throw cx.Error("indices", $"{cx.Cell(r)} has feature indices out of order.");
                    for (int k = s; k < e; k++)
                    {
                        int g = map[gi[k]];
                        if (g < 0 || gv[k] == 0) continue;
                        Check(cx, gv[k], r, g, "data");
                        outIdx[w] = g;
                        outVal[w++] = (float)gv[k];
                    }
                }
                else if (sorted)
                {
                    for (int k = s; k < e; k++)
                    {
                        if (gv[k] == 0) continue;
                        Check(cx, gv[k], r, (int)gi[k], "data");
                        outIdx[w] = (int)gi[k];
                        outVal[w++] = (float)gv[k];
                    }
                }
                else
                {
                    order.Clear();
                    for (int k = s; k < e; k++) order.Add(((int)gi[k], gv[k]));
                    order.Sort((a, b) => a.Gene.CompareTo(b.Gene));
                    for (int k = 0; k < order.Count; k++)
                    {
                        if (k > 0 && order[k].Gene == order[k - 1].Gene)
                            throw cx.Error("indices", $"{cx.Cell(r)} stores {cx.Gene(order[k].Gene)} twice.");
                        if (order[k].Value == 0) continue;
                        Check(cx, order[k].Value, r, order[k].Gene, "data");
                        outIdx[w] = order[k].Gene;
                        outVal[w++] = (float)order[k].Value;
                    }
                }
                outPtr[r + 1] = w;
            }
            r0 = r1;
        }
        if (w < nnz)
        {
            Array.Resize(ref outIdx, w);
            Array.Resize(ref outVal, w);
        }
        return new Result(outPtr, outIdx, outVal);
    }

    private static Result ReadColumns(Context cx, IH5Dataset data, IH5Dataset indices, long[] ptr, int nnz, int rows)
    {
        int cols = ptr.Length - 1;
        // Pass 1 counts the non-zeros of each cell (and checks every entry); pass 2 places them. Columns are
        // visited in order, so each row's genes come out increasing.
        var counts = new int[rows + 1];
        ForEachColumnBlock(cx, data, indices, ptr, (j, cell, value) =>
        {
            if (value == 0) return;
            Check(cx, value, cell, j, "data");
            counts[cell + 1]++;
        }, rows);
        for (int i = 0; i < rows; i++) counts[i + 1] += counts[i];
        int total = counts[rows];
        var outIdx = new int[total];
        var outVal = new float[total];
        var fill = new int[rows];
        var last = new int[rows];
        Array.Fill(last, -1);
        ForEachColumnBlock(cx, data, indices, ptr, (j, cell, value) =>
        {
            if (last[cell] == j) throw cx.Error("indices", $"{cx.Gene(j)} stores {cx.Cell(cell)} twice.");
            last[cell] = j;
            if (value == 0) return;
            int at = counts[cell] + fill[cell]++;
            outIdx[at] = j;
            outVal[at] = (float)value;
        }, rows);
        return new Result(counts, outIdx, outVal);
    }

    private static void ForEachColumnBlock(Context cx, IH5Dataset data, IH5Dataset indices, long[] ptr,
        Action<int, int, double> visit, int rows)
    {
        int cols = ptr.Length - 1;
        long[]? bi = null;
        double[]? bv = null;
        for (int c0 = 0; c0 < cols;)
        {
            int c1 = c0 + 1;
            while (c1 < cols && ptr[c1 + 1] - ptr[c0] <= BlockEntries) c1++;
            long start = ptr[c0];
            int count = (int)(ptr[c1] - start);
            var (ci, cv) = ReadBlock(cx, data, indices, start, count, ref bi, ref bv);
            for (int j = c0; j < c1; j++)
                for (long k = ptr[j] - start; k < ptr[j + 1] - start; k++)
                {
                    if ((ulong)ci[k] >= (ulong)rows)
                        throw cx.Error("indices", $"entry {start + k} ({cx.Gene(j)}) has cell index {ci[k]}, outside [0, {rows}).");
                    visit(j, (int)ci[k], cv[k]);
                }
            c0 = c1;
        }
    }

    /// <summary>Reads entries [start, start + count) into block buffers reused across calls (grown when a row needs more).</summary>
    private static (long[] Indices, double[] Values) ReadBlock(Context cx, IH5Dataset data, IH5Dataset indices, long start, int count,
        ref long[]? idx, ref double[]? val)
    {
        if (idx is null || idx.Length < count)
        {
            idx = new long[Math.Max(count, Math.Min(BlockEntries, 1024))];
            val = new double[idx.Length];
        }
        cx.Source.ReadIntegers(indices, cx.ObjectPath + "/indices", start, idx.AsSpan(0, count));
        cx.Source.ReadReals(data, cx.ObjectPath + "/data", new HyperslabSelection((ulong)start, (ulong)count), val.AsSpan(0, count));
        return (idx, val!);
    }

    private static void Check(Context cx, double v, int cell, int gene, string child)
    {
        if (!double.IsFinite(v))
            throw cx.Error(child, $"{cx.Cell(cell)}, {cx.Gene(gene)} has the non-finite value {v.ToString(CultureInfo.InvariantCulture)}.");
        if (v < 0 && !cx.AllowNegative)
            throw cx.Error(child, $"{cx.Cell(cell)}, {cx.Gene(gene)} has the negative value {v.ToString(CultureInfo.InvariantCulture)}; " +
                "counts must be non-negative (set AllowNegativeValues for scaled data).");
        if (Math.Abs(v) > float.MaxValue)
            throw cx.Error(child, $"{cx.Cell(cell)}, {cx.Gene(gene)} has the value {v.ToString(CultureInfo.InvariantCulture)}, beyond float32.");
    }

    /// <summary>An append-only buffer that grows by half its size, for results of unknown length.</summary>
    private sealed class GrowingArray<T>
    {
        private T[] _items = new T[1024];

        public int Count { get; private set; }

        public void Add(T item)
        {
            if (Count == _items.Length) Array.Resize(ref _items, (int)Math.Min(Array.MaxLength, _items.Length + (long)_items.Length / 2 + 1024));
            _items[Count++] = item;
        }

        public T[] ToArray() => _items.AsSpan(0, Count).ToArray();
    }
}

using System.Runtime.InteropServices;

namespace ScGnn.MLNet.Embedding;

/// <summary>
/// Quadtree over 2-D points for the Barnes-Hut repulsive forces, rebuilt every iteration into reused arrays. Points are
/// kept in a permutation; each node owns a contiguous range of it, so "does this cell contain point i" is a range test
/// and a cell holding i is never summarized (which would count i's repulsion on itself).
/// </summary>
internal sealed class QuadTree
{
    // Past this depth points are (numerically) on top of each other: keep them in one leaf.
    private const int MaxDepth = 48;

    // Leaves hold up to this many points: fewer nodes to visit, and a near leaf is a short exact loop.
    private const int LeafCapacity = 8;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Node
    {
        public double ComX, ComY;   // centre of mass
        public double Width2;       // squared side length
        public int Start, Count;    // range in the permutation
        public int FirstChild;      // index of the first non-empty child; -1 for a leaf
        public int ChildCount;      // non-empty children, stored contiguously
    }

    private readonly int _n;
    private readonly int[] _perm;
    private readonly int[] _pos;
    private readonly int[] _tmp;
    private readonly byte[] _quad;
    private Node[] _nodes;
    private int _nodeCount;

    internal QuadTree(int n)
    {
        _n = n;
        _perm = new int[n];
        _pos = new int[n];
        _tmp = new int[n];
        _quad = new byte[n];
        for (int i = 0; i < n; i++) _perm[i] = i;
        _nodes = new Node[Math.Max(16, 4 * n)];
    }

    internal ReadOnlySpan<Node> Nodes => _nodes.AsSpan(0, _nodeCount);
    internal int[] Permutation => _perm;
    internal int[] Position => _pos;

    /// <summary>Rebuilds the tree for positions <paramref name="y"/> (interleaved x, y).</summary>
    internal void Build(double[] y)
    {
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
        double maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < _n; i++)
        {
            double a = y[2 * i], b = y[2 * i + 1];
            if (a < minX) minX = a;
            if (a > maxX) maxX = a;
            if (b < minY) minY = b;
            if (b > maxY) maxY = b;
        }
        double half = Math.Max(maxX - minX, maxY - minY) / 2;
        half = half * (1 + 1e-6) + 1e-12;
        _nodeCount = 1;
        BuildNode(0, y, 0, _n, (minX + maxX) / 2, (minY + maxY) / 2, half, 0);
        for (int k = 0; k < _n; k++) _pos[_perm[k]] = k;
    }

    private void BuildNode(int node, double[] y, int start, int count, double cx, double cy, double half, int depth)
    {
        double sx = 0, sy = 0;
        for (int k = start; k < start + count; k++)
        {
            int p = _perm[k];
            sx += y[2 * p];
            sy += y[2 * p + 1];
        }
        ref var nd = ref _nodes[node];
        nd.ComX = count > 0 ? sx / count : cx;
        nd.ComY = count > 0 ? sy / count : cy;
        nd.Width2 = 4 * half * half;
        nd.Start = start;
        nd.Count = count;
        nd.FirstChild = -1;
        nd.ChildCount = 0;
        if (count <= LeafCapacity || depth >= MaxDepth) return;

        // Partition the range into the 4 quadrants (stable counting sort: deterministic).
        Span<int> sizes = stackalloc int[4];
        for (int k = start; k < start + count; k++)
        {
            int p = _perm[k];
            int q = (y[2 * p] >= cx ? 1 : 0) | (y[2 * p + 1] >= cy ? 2 : 0);
            _quad[k] = (byte)q;
            sizes[q]++;
        }
        Span<int> offs = stackalloc int[4];
        offs[0] = start;
        for (int q = 1; q < 4; q++) offs[q] = offs[q - 1] + sizes[q - 1];
        Span<int> cursor = stackalloc int[4];
        offs.CopyTo(cursor);
        for (int k = start; k < start + count; k++) _tmp[cursor[_quad[k]]++] = _perm[k];
        Array.Copy(_tmp, start, _perm, start, count);

        // Only non-empty quadrants get a node, so the traversal never visits empty cells.
        int nonEmpty = 0;
        for (int q = 0; q < 4; q++) if (sizes[q] > 0) nonEmpty++;
        int first = _nodeCount;
        _nodeCount += nonEmpty;
        if (_nodeCount > _nodes.Length) Array.Resize(ref _nodes, Math.Max(_nodes.Length * 2, _nodeCount));
        _nodes[node].FirstChild = first;
        _nodes[node].ChildCount = nonEmpty;
        double h = half / 2;
        int child = first;
        for (int q = 0; q < 4; q++)
        {
            if (sizes[q] == 0) continue;
            double ccx = cx + ((q & 1) != 0 ? h : -h);
            double ccy = cy + ((q & 2) != 0 ? h : -h);
            BuildNode(child++, y, offs[q], sizes[q], ccx, ccy, h, depth + 1);
        }
    }

    /// <summary>
    /// Repulsive force numerator and normalization term of point i: <c>sum_j q_ij^2 (y_i - y_j)</c> and
    /// <c>sum_j q_ij</c> with <c>q_ij = 1 / (1 + |y_i - y_j|^2)</c>, cells summarized when width / distance &lt; theta.
    /// </summary>
    internal void Repulsion(double[] y, int i, double theta2, int[] stack, out double fx, out double fy, out double sumQ)
    {
        double xi = y[2 * i], yi = y[2 * i + 1];
        int posI = _pos[i];
        double ax = 0, ay = 0, z = 0;
        var nodes = _nodes;
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0)
        {
            ref readonly var nd = ref nodes[stack[--sp]];
            bool containsI = posI >= nd.Start && posI < nd.Start + nd.Count;
            if (containsI && nd.Count == 1) continue; // i alone
            double cdx = xi - nd.ComX, cdy = yi - nd.ComY;
            double d2 = cdx * cdx + cdy * cdy;
            // Summarize a far cell; a single point's centre of mass is the point itself, so that is exact.
            if (nd.Count == 1 || (!containsI && nd.Width2 < theta2 * d2))
            {
                double q = 1.0 / (1.0 + d2);
                double mq = nd.Count * q;
                z += mq;
                mq *= q;
                ax += mq * cdx;
                ay += mq * cdy;
            }
            else if (nd.FirstChild < 0)
            {
                // Near leaf: each point exactly, except i itself.
                for (int k = nd.Start; k < nd.Start + nd.Count; k++)
                {
                    int j = _perm[k];
                    if (j == i) continue;
                    double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
                    double q = 1.0 / (1.0 + dx * dx + dy * dy);
                    z += q;
                    double q2 = q * q;
                    ax += q2 * dx;
                    ay += q2 * dy;
                }
            }
            else
            {
                int c = nd.FirstChild;
                for (int e = c + nd.ChildCount - 1; e >= c; e--) stack[sp++] = e;
            }
        }
        fx = ax;
        fy = ay;
        sumQ = z;
    }

    /// <summary>Largest traversal stack needed: 3 pending siblings per level plus the root.</summary>
    internal static int StackSize => 4 * (MaxDepth + 2);
}

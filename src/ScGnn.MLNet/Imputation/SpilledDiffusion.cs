using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ScGnn.MLNet.Numerics;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// A batch's <c>P^t X</c> diffused a gene block at a time over every cell and kept in an anonymous temporary file,
/// for batches too large to hold dense whose rows of <c>P^t</c> are too wide to diffuse one row at a time (the
/// support of a row grows about as k^t). The file holds each gene block's cells x width floats row-major, so a block
/// of output rows is one read per gene block. Pages the file holds sit in the operating system's cache, not in the
/// process: the resident memory stays the two arrays of a gene block per worker.
/// </summary>
/// <remarks>
/// The file is in <see cref="Path.GetTempPath"/> (TMPDIR), takes cells x genes x 4 bytes, and is deleted when this is
/// disposed or collected; on Unix it is unlinked as soon as it is opened, so not even a killed process leaves it behind.
/// </remarks>
internal sealed class SpilledDiffusion : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly (int Start, int Width)[] _blocks;

    private SpilledDiffusion(SafeFileHandle file, (int, int)[] blocks, int cells, int genes)
    {
        _file = file;
        _blocks = blocks;
        Cells = cells;
        Genes = genes;
    }

    internal int Cells { get; }

    internal int Genes { get; }

    /// <summary>Floats a gene block's arrays may take while spilling: 32-gene blocks up to a million cells.</summary>
    internal static long BlockBudget(int cells) => Math.Min(1L << 27, 4L * cells * 32);

    /// <summary>Bytes of the temporary file for <paramref name="cells"/> x <paramref name="genes"/>.</summary>
    internal static long FileBytes(int cells, int genes) => (long)cells * genes * sizeof(float);

    /// <summary>
    /// Whether <paramref name="folder"/>'s disk has room for <paramref name="bytes"/> and a margin (a tenth more, at
    /// least 64 MB) for the rest of the machine; <paramref name="free"/> is what it has (-1 when the platform does
    /// not say, which counts as room: the write then fails with a message naming the file).
    /// </summary>
    internal static bool HasRoom(long bytes, string folder, out long free)
    {
        try { free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { free = -1; return true; }
        return free - bytes >= Math.Max(bytes / 10, 64L << 20);
    }

    /// <summary>Diffuses <paramref name="x"/> (see <see cref="ClusteringOutput.Diffuse"/>) into a new temporary file.</summary>
    /// <param name="graph">The diffusion.</param>
    /// <param name="x">The values.</param>
    /// <param name="steps">t.</param>
    /// <param name="logSpace">Diffuse log1p of the values and store expm1 of the result.</param>
    /// <param name="progress">Told as gene blocks are done, with the time left.</param>
    /// <param name="checkAlive">Called as each gene block is done (throws to cancel; the file is then closed).</param>
    /// <exception cref="IOException">The temporary file cannot be written (for example, the disk is full): the message names it and its size.</exception>
    internal static SpilledDiffusion Write(DiffusionOperator graph, CsrMatrix x, int steps, bool logSpace,
        Action<string>? progress = null, Action? checkAlive = null)
    {
        int cells = x.Rows, genes = x.Columns;
        long budget = BlockBudget(cells);
        var blocks = ClusteringOutput.Blocks(cells, genes, budget);
        string path = Path.Combine(Path.GetTempPath(), $"scgnn-smoothed-{Guid.NewGuid():N}.bin");
        long bytes = FileBytes(cells, genes);
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows()) File.Delete(path);
        var spill = new SpilledDiffusion(file, blocks, cells, genes);
        try
        {
            var offsets = new Dictionary<int, long>();
            long at = 0;
            foreach (var (g0, width) in blocks) { offsets[g0] = at; at += (long)cells * width; }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int done = 0, reportEvery = Math.Max(1, blocks.Length / 10);
            Cancellation.Unwrapped(() => ClusteringOutput.DiffuseBlocks(graph, x, steps, logSpace, budget, (g0, width, block, dp) =>
            {
                checkAlive?.Invoke();
                // Rows packed from dp to width in place (forward, so no row is overwritten before it moves).
                for (int i = 1; i < cells && dp != width; i++) block.AsSpan(i * dp, width).CopyTo(block.AsSpan(i * width, width));
                try { RandomAccess.Write(file, MemoryMarshal.AsBytes(block.AsSpan(0, cells * width)), offsets[g0] * sizeof(float)); }
                catch (IOException e)
                {
                    throw new IOException($"ScGnn could not write the smoothed output's temporary file '{path}' ({bytes / 1048576.0:N0} MB): {e.Message} " +
                        "Point TMPDIR at a disk with room for it.", e);
                }
                int n = Interlocked.Increment(ref done);
                if (n % reportEvery == 0 || n == blocks.Length)
                {
                    double s = clock.Elapsed.TotalSeconds;
                    progress?.Invoke(string.Format(System.Globalization.CultureInfo.InvariantCulture,
                        "ScGnn: smoothing: diffused gene block {0} of {1}; {2:F1} s, about {3:F0} s left", n, blocks.Length, s, s / n * (blocks.Length - n)));
                }
            }));
            return spill;
        }
        catch
        {
            spill.Dispose();
            throw;
        }
    }

    /// <summary>Adds <paramref name="weight"/> times rows <c>[start, start + count)</c> (row-major, genes wide) to <paramref name="into"/>.</summary>
    internal void AddRows(int start, int count, float[] into, float weight)
    {
        if (start < 0 || count < 0 || start + count > Cells) throw new ArgumentOutOfRangeException(nameof(count));
        long at = 0;
        var buffer = Gcn.HostKernels.Rent((long)count * _blocks.Max(b => b.Width));
        try
        {
            foreach (var (g0, width) in _blocks)
            {
                var span = buffer.AsSpan(0, count * width);
                var bytes = MemoryMarshal.AsBytes(span);
                long offset = (at + (long)start * width) * sizeof(float);
                for (int read = 0; read < bytes.Length;)
                {
                    int n = RandomAccess.Read(_file, bytes[read..], offset + read);
                    if (n == 0) throw new IOException("ScGnn: the smoothed output's temporary file ended early.");
                    read += n;
                }
                for (int r = 0; r < count; r++)
                {
                    var dst = into.AsSpan((int)((long)r * Genes + g0), width);
                    var src = span.Slice(r * width, width);
                    if (weight == 1) System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
                    else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src, weight, dst, dst);
                }
                at += (long)Cells * width;
            }
        }
        finally { Gcn.HostKernels.Return(buffer); }
    }

    public void Dispose() => _file.Dispose();
}

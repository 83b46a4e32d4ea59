using System.Buffers;
using System.Numerics;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace ScGnn.MLNet.Data;

/// <summary>
/// An HDF5 file opened for the <c>.h5ad</c> and 10x <c>.h5</c> readers (PureHDF, managed). Every failure, of the
/// file or of PureHDF decoding it, becomes an <see cref="ExpressionFormatException"/> naming the file, the HDF5
/// object path and the problem. Sizes a dataset claims are checked against what the file can hold before anything
/// is allocated, and integers are read at their stored width (PureHDF refuses a mismatched element size).
/// </summary>
internal sealed class H5Source : IDisposable
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    // Deflate cannot expand data more than ~1032-fold; a chunked dataset claiming more than that many times the
    // file's bytes is a lie (or unallocated chunks we would fill with zeros), so it is refused before allocation.
    private const long MaxExpansion = 1100;

    private readonly FileStream _stream;
    private readonly NativeFile _file;

    public H5Source(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file.", path);
        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            FileLength = _stream.Length;
            long superblock = FindSignature();
            if (superblock < 0)
                throw new ExpressionFormatException(path, null, null, "not an HDF5 file (no HDF5 signature at offset 0, 512, 1024, ...).");
            H5HeapCheck.Check(_stream, path, superblock);
            try { _file = H5File.Open(_stream, leaveOpen: true); }
            catch (Exception e) when (IsDecodeFailure(e))
            {
                throw new ExpressionFormatException(path, null, null, $"not a readable HDF5 file (truncated or corrupt): {e.Message}", e);
            }
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public long FileLength { get; }

    /// <summary>The root group.</summary>
    public IH5Group Root => _file;

    public void Dispose()
    {
        _file?.Dispose();
        _stream.Dispose();
    }

    /// <summary>An error at an HDF5 object.</summary>
    public ExpressionFormatException Error(string objectPath, string problem, Exception? inner = null) =>
        new(Path, null, null, $"HDF5 object '/{objectPath.TrimStart('/')}': {problem}", inner);

    /// <summary>Runs a PureHDF call, turning its failures into an error at <paramref name="objectPath"/>.</summary>
    public T Guard<T>(string objectPath, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Error(objectPath, $"cannot be read ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    public bool Exists(string objectPath) => Guard(objectPath, () => _file.LinkExists(objectPath));

    public IH5Object? TryGet(string objectPath) => Exists(objectPath) ? Guard(objectPath, () => _file.Get(objectPath)) : null;

    public IH5Object Get(string objectPath, string what) =>
        TryGet(objectPath) ?? throw Error(objectPath, $"missing; expected {what}.");

    public IH5Group Group(string objectPath, string what) => Get(objectPath, what) as IH5Group
        ?? throw Error(objectPath, $"is a dataset; expected {what} (a group).");

    public IH5Dataset Dataset(string objectPath, string what) => Get(objectPath, what) as IH5Dataset
        ?? throw Error(objectPath, $"is a group; expected {what} (a dataset).");

    public IH5Dataset? TryDataset(string objectPath) => TryGet(objectPath) as IH5Dataset;

    /// <summary>Names of a group's children.</summary>
    public string[] Children(IH5Group group, string objectPath) =>
        Guard(objectPath, () => group.Children().Select(c => c.Name).ToArray());

    /// <summary>A string attribute (scalar or one-element array), or <c>null</c> when absent or not a string.</summary>
    public string? StringAttribute(IH5Object obj, string objectPath, string name)
    {
        if (!Guard(objectPath, () => obj.AttributeExists(name))) return null;
        return Guard(objectPath + "@" + name, () =>
        {
            var a = obj.Attribute(name);
            if (!IsString(a.Type)) return null;
            if (a.Space.Type == H5DataspaceType.Scalar) return a.Read<string>();
            if (a.Space.Dimensions.Length == 1 && a.Space.Dimensions[0] == 1) return a.Read<string[]>()[0];
            return null;
        });
    }

    /// <summary>A string-array attribute, or <c>null</c> when absent or of another type.</summary>
    public string[]? StringArrayAttribute(IH5Object obj, string objectPath, string name)
    {
        if (!Guard(objectPath, () => obj.AttributeExists(name))) return null;
        return Guard(objectPath + "@" + name, () =>
        {
            var a = obj.Attribute(name);
            if (!IsString(a.Type)) return null;
            if (a.Space.Type == H5DataspaceType.Scalar) return [a.Read<string>()];
            if (a.Space.Type == H5DataspaceType.Null) return [];
            CheckClaim(objectPath + "@" + name, (ulong)Count(a.Space.Dimensions), a.Type.Size, chunked: false);
            return a.Read<string[]>();
        });
    }

    /// <summary>An integer-array attribute (any stored width), or <c>null</c> when absent.</summary>
    public long[]? IntegerArrayAttribute(IH5Object obj, string objectPath, string name)
    {
        if (!Guard(objectPath, () => obj.AttributeExists(name))) return null;
        string where = objectPath + "@" + name;
        return Guard(where, () =>
        {
            var a = obj.Attribute(name);
            long n = a.Space.Type == H5DataspaceType.Scalar ? 1 : Count(a.Space.Dimensions);
            if (n > 16) throw Error(where, $"has {n} values; expected a short integer array.");
            bool boolean = IsBoolean(a.Type);
            if (a.Type.Class != H5DataTypeClass.FixedPoint && !boolean) throw Error(where, $"is {a.Type.Class}; expected integers.");
            bool signed = !boolean && a.Type.FixedPoint.IsSigned;
            long[] values = (a.Type.Size, signed) switch
            {
                (1, true) => a.Read<sbyte[]>().Select(v => (long)v).ToArray(),
                (1, false) => a.Read<byte[]>().Select(v => (long)v).ToArray(),
                (2, true) => a.Read<short[]>().Select(v => (long)v).ToArray(),
                (2, false) => a.Read<ushort[]>().Select(v => (long)v).ToArray(),
                (4, true) => a.Read<int[]>().Select(v => (long)v).ToArray(),
                (4, false) => a.Read<uint[]>().Select(v => (long)v).ToArray(),
                (8, true) => a.Read<long[]>(),
                (8, false) => a.Read<ulong[]>().Select(v => v > long.MaxValue ? -1 : (long)v).ToArray(),
                _ => throw Error(where, $"has {a.Type.Size}-byte integers."),
            };
            return values;
        });
    }

    /// <summary>An attribute holding an object reference (anndata 0.7 categories), resolved; or <c>null</c>.</summary>
    public IH5Object? ReferenceAttribute(IH5Object obj, string objectPath, string name)
    {
        if (!Guard(objectPath, () => obj.AttributeExists(name))) return null;
        return Guard(objectPath + "@" + name, () =>
        {
            var a = obj.Attribute(name);
            if (a.Type.Class != H5DataTypeClass.Reference) return null;
            var reference = a.Space.Type == H5DataspaceType.Scalar
                ? a.Read<NativeObjectReference1>()
                : a.Read<NativeObjectReference1[]>().FirstOrDefault();
            return _file.Get(reference);
        });
    }

    /// <summary>The dimensions of a dataset (a scalar has none).</summary>
    public ulong[] Dimensions(IH5Dataset ds, string objectPath) =>
        Guard(objectPath, () => ds.Space.Type == H5DataspaceType.Scalar ? [] : ds.Space.Type == H5DataspaceType.Null ? [0UL] : ds.Space.Dimensions);

    /// <summary>The length of a one-dimensional dataset, checked against what the file can hold.</summary>
    public int Length(IH5Dataset ds, string objectPath)
    {
        var dims = Dimensions(ds, objectPath);
        if (dims.Length != 1) throw Error(objectPath, $"has {dims.Length} dimensions; expected a one-dimensional array.");
        CheckClaim(ds, objectPath, dims[0]);
        return (int)dims[0];
    }

    /// <summary>
    /// Refuses a claimed element count the file cannot hold: more than <see cref="int.MaxValue"/> elements, or
    /// more bytes than the file has (contiguous/compact storage) or than deflate could expand it to (chunked).
    /// </summary>
    public void CheckClaim(IH5Dataset ds, string objectPath, ulong elements)
    {
        var (size, chunks) = Guard(objectPath, () => (ds.Type.Size, ds.Layout.Class == H5DataLayoutClass.Chunked ? ds.Layout.Chunks : null));
        CheckClaim(objectPath, elements, size, chunks is not null);
        if (chunks is not null)
        {
            // PureHDF allocates a whole chunk per read; its size comes from the layout message.
            double chunkBytes = Math.Max(1, size);
            foreach (var c in chunks) chunkBytes *= c;
            if (chunkBytes > (double)FileLength * MaxExpansion || chunkBytes > Array.MaxLength)
                throw Error(objectPath, $"claims chunks of {chunkBytes:0} bytes, more than the {FileLength}-byte file can hold even compressed.");
        }
    }

    private void CheckClaim(string objectPath, ulong elements, int elementSize, bool chunked)
    {
        if (elements > int.MaxValue)
            throw Error(objectPath, $"claims {elements} elements; at most {int.MaxValue} are supported.");
        double bytes = (double)elements * Math.Max(1, elementSize);
        double limit = chunked ? (double)FileLength * MaxExpansion : FileLength;
        if (bytes > limit)
            throw Error(objectPath, $"claims {elements} elements ({bytes:0} bytes), more than the {FileLength}-byte file can hold" +
                (chunked ? " even compressed." : "."));
    }

    /// <summary>Reads elements [start, start + count) of a one-dimensional integer dataset, widened to <see cref="long"/>.</summary>
    public long[] ReadIntegers(IH5Dataset ds, string objectPath, long start, int count)
    {
        var result = new long[count];
        ReadIntegers(ds, objectPath, start, result);
        return result;
    }

    /// <summary>
    /// Reads <paramref name="dest"/>.Length elements from <paramref name="start"/> of a one-dimensional integer
    /// dataset at its stored width, widened to <see cref="long"/> (unsigned values above <see cref="long.MaxValue"/>
    /// become negative, so range checks catch them).
    /// </summary>
    public void ReadIntegers(IH5Dataset ds, string objectPath, long start, Span<long> dest)
    {
        if (dest.IsEmpty) return;
        var (cls, size, signed) = Guard(objectPath, () => IntegerType(ds, objectPath));
        var sel = new HyperslabSelection((ulong)start, (ulong)dest.Length);
        var nd = ds as NativeDataset ?? throw Error(objectPath, "is not a native HDF5 dataset.");
        var target = dest;
        try
        {
            switch (size, signed)
            {
                case (1, true): ReadAs<sbyte, long>(nd, sel, target); break;
                case (1, false): ReadAs<byte, long>(nd, sel, target); break;
                case (2, true): ReadAs<short, long>(nd, sel, target); break;
                case (2, false): ReadAs<ushort, long>(nd, sel, target); break;
                case (4, true): ReadAs<int, long>(nd, sel, target); break;
                case (4, false): ReadAs<uint, long>(nd, sel, target); break;
                case (8, true): nd.Read<long>(target, sel); break;
                case (8, false): ReadAs<ulong, long>(nd, sel, target); break;
                default: throw Error(objectPath, $"has {size}-byte {cls} elements; expected integers of 1, 2, 4 or 8 bytes.");
            }
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Error(objectPath, $"cannot be read ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    /// <summary>Reads elements of a numeric dataset (integer or floating point) as <see cref="double"/>, by hyperslab.</summary>
    public double[] ReadReals(IH5Dataset ds, string objectPath, Selection selection, int count)
    {
        var result = new double[count];
        ReadReals(ds, objectPath, selection, result);
        return result;
    }

    /// <summary>Reads the selected elements of a numeric dataset (integer or floating point) into <paramref name="dest"/> as <see cref="double"/>.</summary>
    public void ReadReals(IH5Dataset ds, string objectPath, Selection selection, Span<double> dest)
    {
        if (dest.IsEmpty) return;
        var (cls, size, signed) = Guard(objectPath, () => ds.Type.Class == H5DataTypeClass.FloatingPoint
            ? (H5DataTypeClass.FloatingPoint, ds.Type.Size, true) : IntegerType(ds, objectPath));
        var nd = ds as NativeDataset ?? throw Error(objectPath, "is not a native HDF5 dataset.");
        try
        {
            switch (cls, size, signed)
            {
                case (H5DataTypeClass.FloatingPoint, 4, _): ReadAs<float, double>(nd, selection, dest); break;
                case (H5DataTypeClass.FloatingPoint, 8, _): nd.Read<double>(dest, selection); break;
                case (H5DataTypeClass.FloatingPoint, _, _): throw Error(objectPath, $"has {size}-byte floating-point elements; expected 4 or 8.");
                case (_, 1, true): ReadAs<sbyte, double>(nd, selection, dest); break;
                case (_, 1, false): ReadAs<byte, double>(nd, selection, dest); break;
                case (_, 2, true): ReadAs<short, double>(nd, selection, dest); break;
                case (_, 2, false): ReadAs<ushort, double>(nd, selection, dest); break;
                case (_, 4, true): ReadAs<int, double>(nd, selection, dest); break;
                case (_, 4, false): ReadAs<uint, double>(nd, selection, dest); break;
                case (_, 8, true): ReadAs<long, double>(nd, selection, dest); break;
                case (_, 8, false): ReadAs<ulong, double>(nd, selection, dest); break;
                default: throw Error(objectPath, $"has {size}-byte integer elements.");
            }
        }
        catch (Exception e) when (IsDecodeFailure(e))
        {
            throw Error(objectPath, $"cannot be read ({e.GetType().Name}: {e.Message}).", e);
        }
    }

    // Reads at the stored width into a pooled buffer, then converts: PureHDF refuses a mismatched element size.
    private static void ReadAs<TStored, TDest>(NativeDataset nd, Selection selection, Span<TDest> dest)
        where TStored : unmanaged, INumberBase<TStored>
        where TDest : unmanaged, INumberBase<TDest>
    {
        var rented = ArrayPool<TStored>.Shared.Rent(dest.Length);
        try
        {
            var stored = rented.AsSpan(0, dest.Length);
            nd.Read<TStored>(stored, selection);
            for (int i = 0; i < stored.Length; i++) dest[i] = TDest.CreateTruncating(stored[i]);
        }
        finally
        {
            ArrayPool<TStored>.Shared.Return(rented);
        }
    }

    /// <summary>Reads a one-dimensional numeric dataset whole, as <see cref="double"/>.</summary>
    public double[] ReadReals(IH5Dataset ds, string objectPath)
    {
        int n = Length(ds, objectPath);
        return ReadReals(ds, objectPath, new HyperslabSelection(0, (ulong)n), n);
    }

    /// <summary>Whether a dataset holds numbers (integers, floating point, or booleans stored as an enum).</summary>
    public bool IsNumeric(IH5Dataset ds, string objectPath) => Guard(objectPath, () => ds.Type.Class is
        H5DataTypeClass.FixedPoint or H5DataTypeClass.FloatingPoint || IsBoolean(ds.Type));

    /// <summary>Whether a dataset holds strings (fixed or variable length).</summary>
    public bool IsString(IH5Dataset ds, string objectPath) => Guard(objectPath, () => IsString(ds.Type));

    // A variable-length string is an HDF5 vlen of 1-byte characters (PureHDF reports the base as a string or an integer).
    private static bool IsString(IH5DataType type) => type.Class == H5DataTypeClass.String
        || type.Class == H5DataTypeClass.VariableLength && type.VariableLength.BaseType is { Size: 1, Class: H5DataTypeClass.String or H5DataTypeClass.FixedPoint };

    /// <summary>Whether a dataset holds numpy booleans (h5py writes an enum {FALSE, TRUE} over int8).</summary>
    public bool IsBoolean(IH5Dataset ds, string objectPath) => Guard(objectPath, () => IsBoolean(ds.Type));

    private static bool IsBoolean(IH5DataType type) => type.Class == H5DataTypeClass.Enumerated && type.Size == 1;

    /// <summary>Reads a one-dimensional string dataset (variable- or fixed-length; UTF-8 or ASCII).</summary>
    public string[] ReadStrings(IH5Dataset ds, string objectPath)
    {
        int n = Length(ds, objectPath);
        if (!IsString(ds, objectPath)) throw Error(objectPath, $"holds {Guard(objectPath, () => ds.Type.Class)} values; expected strings.");
        var values = n == 0 ? [] : Guard(objectPath, () => ds.Read<string[]>());
        if (values.Length != n) throw Error(objectPath, $"decoded {values.Length} strings; expected {n}.");
        for (int i = 0; i < values.Length; i++)
            values[i] = values[i]?.TrimEnd('\0') ?? "";
        return values;
    }

    /// <summary>Reads a scalar string dataset.</summary>
    public string ReadScalarString(IH5Dataset ds, string objectPath) =>
        Guard(objectPath, () => ds.Space.Type == H5DataspaceType.Scalar ? ds.Read<string>() : ds.Read<string[]>().FirstOrDefault() ?? "");

    private (H5DataTypeClass Class, int Size, bool Signed) IntegerType(IH5Dataset ds, string objectPath)
    {
        var type = ds.Type;
        if (type.Class == H5DataTypeClass.FixedPoint) return (type.Class, type.Size, type.FixedPoint.IsSigned);
        if (IsBoolean(type)) return (type.Class, 1, false);
        throw Error(objectPath, $"holds {type.Class} values; expected integers.");
    }

    private static long Count(ulong[] dims)
    {
        double n = 1;
        foreach (var d in dims) n *= d;
        return n > long.MaxValue ? long.MaxValue : (long)n;
    }

    private long FindSignature()
    {
        Span<byte> head = stackalloc byte[8];
        // The superblock sits at 0 or after a user block of 512, 1024, 2048, ... bytes.
        for (long offset = 0; offset + 8 <= FileLength; offset = offset == 0 ? 512 : offset * 2)
        {
            _stream.Position = offset;
            _stream.ReadExactly(head);
            if (head.SequenceEqual(Signature)) return offset;
            if (offset >= 1 << 20) break;
        }
        _stream.Position = 0;
        return -1;
    }

    /// <summary>
    /// Failures of decoding a corrupt file: PureHDF throws plain exceptions of many kinds, and an
    /// <see cref="OutOfMemoryException"/> when a corrupt length asks it for an array beyond .NET's limit. Not
    /// cancellation, nor our own errors.
    /// </summary>
    internal static bool IsDecodeFailure(Exception e) => e is not (ExpressionFormatException or OperationCanceledException);
}

using System.Numerics;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using static ScGnn.MLNet.Data.ExpressionParquetWriter;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads an expression Parquet file into an <see cref="ExpressionMatrix"/>, detecting the layout:
/// <list type="bullet">
/// <item><description><see cref="ExpressionParquetLayout.Long"/> when the file says so (<c>scgnn.layout</c>
/// metadata) or has exactly the columns <c>cell</c>, <c>gene</c> (strings) and <c>value</c> (numbers);</description></item>
/// <item><description>otherwise <see cref="ExpressionParquetLayout.Wide"/>: the cell-id column is the string
/// column <c>cell</c>, else pandas' <c>__index_level_0__</c>, else the first column if it holds strings; every
/// other column is one gene (float, double or integer, nullable or not), named by gene id.</description></item>
/// </list>
/// </summary>
/// <remarks>
/// Nulls, NaN, infinities, values beyond single precision, (by default) negative values, and duplicate or missing
/// cell ids are <see cref="ExpressionFormatException"/>s naming the file, the 1-based row, and the column.
/// </remarks>
public static class ExpressionParquetReader
{
    private const string PandasIndexColumn = "__index_level_0__";

    /// <summary>Reads a Parquet expression file with default options.</summary>
    public static ExpressionMatrix Read(string path) => Read(path, new ExpressionParquetOptions());

    /// <summary>Reads a Parquet expression file (<see cref="ExpressionParquetOptions.Layout"/> is ignored: the layout is detected).</summary>
    /// <exception cref="ExpressionFormatException">The file is not a usable expression table.</exception>
    public static ExpressionMatrix Read(string path, ExpressionParquetOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found.", path);
        return ReadAsync(path, options).GetAwaiter().GetResult();
    }

    /// <summary>Where the reader is, for messages: the row group (0-based) and the column being read.</summary>
    private sealed class Place
    {
        public bool Opened;
        public int RowGroup = -1;
        public int RowGroupCount;
        public DataField? Field;
        public int? Column;

        public string Describe()
        {
            var parts = new List<string>();
            if (RowGroup >= 0) parts.Add($"row group {RowGroup + 1} of {RowGroupCount}");
            if (Field is not null) parts.Add($"column '{Field.Name}'");
            return parts.Count == 0 ? "" : " in " + string.Join(", ", parts);
        }
    }

    private static async Task<ExpressionMatrix> ReadAsync(string path, ExpressionParquetOptions options)
    {
        var place = new Place();
        try
        {
            long fileLength = new FileInfo(path).Length;
            // The smallest Parquet file is magic + footer length + magic; anything shorter cannot hold a schema.
            if (fileLength < 12)
                throw new ExpressionFormatException(path, null, null, $"not a readable Parquet file: {fileLength} bytes, fewer than the 12 a Parquet file needs.");
            var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
            await using var _ = reader.ConfigureAwait(false);
            place.Opened = true;
            place.RowGroupCount = reader.RowGroupCount;
            var fields = CheckSchema(path, reader);
            var meta = reader.CustomMetadata ?? new Dictionary<string, string>();
            bool isLong = meta.TryGetValue(LayoutKey, out var layout) ? layout == "long"
                : fields.Length == 3 && fields[0].Name == CellColumn && fields[1].Name == GeneColumn && fields[2].Name == ValueColumn &&
                  IsText(fields[0]) && IsText(fields[1]);
            return isLong ? await ReadLongAsync(path, reader, fields, fileLength, meta, options, place).ConfigureAwait(false)
                : await ReadWideAsync(path, reader, fields, fileLength, meta, options, place).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (ExpressionFormatException or OperationCanceledException or UnauthorizedAccessException
                                       or FileNotFoundException or DirectoryNotFoundException))
        {
            // Parquet.Net reports damaged metadata and pages with whatever its decoders hit (Thrift errors, index,
            // overflow and null-reference exceptions...): all of them mean the file is corrupt here.
            string reason = e is OutOfMemoryException
                ? "a size recorded in the file is larger than the data can be (or the data does not fit in memory)"
                : e is ParquetException or InvalidDataException or IOException or NotSupportedException or FormatException
                    ? e.Message.TrimEnd('.')
                    : "its metadata or pages are inconsistent";
            throw new ExpressionFormatException(path, null, place.Column, place.Opened
                ? $"corrupt or unsupported Parquet data{place.Describe()}: {reason}."
                : $"not a readable Parquet file: its footer (schema and metadata) is damaged or missing: {reason}.", e);
        }
    }

    /// <summary>The data fields, after checking the table is flat with unique, non-empty column names.</summary>
    private static DataField[] CheckSchema(string path, ParquetReader reader)
    {
        var top = reader.Schema.Fields;
        for (int i = 0; i < top.Count; i++)
            if (top[i] is not DataField d || d.IsArray || d.MaxRepetitionLevel > 0)
                throw new ExpressionFormatException(path, null, i + 1,
                    $"column '{top[i].Name}' is a {KindName(top[i])} column; expected a flat table of plain columns.");
        var fields = reader.Schema.DataFields;
        if (fields.Length != top.Count)
            throw new ExpressionFormatException(path, null, null, "nested or repeated columns are not supported; expected a flat table.");
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < fields.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(fields[i].Name))
                throw new ExpressionFormatException(path, null, i + 1, $"column {i + 1} has an empty name; every column needs a cell-id or gene-id name.");
            if (!first.TryAdd(fields[i].Name, i + 1))
                throw new ExpressionFormatException(path, null, i + 1,
                    $"columns {first[fields[i].Name]} and {i + 1} are both named '{fields[i].Name}'; gene and cell columns must be unique.");
        }
        return fields;
    }

    private static string KindName(Field f) => f.SchemaType switch
    {
        SchemaType.List => "LIST (nested)",
        SchemaType.Map => "MAP (nested)",
        SchemaType.Struct => "struct (nested)",
        _ => "repeated",
    };

    /// <summary>
    /// Opens row group <paramref name="g"/> after checking its claims against the file: a row count that is
    /// non-negative, keeps the total within 2^31 - 1, and is at most <paramref name="rowsPerByte"/> per byte of
    /// the file; and column chunks whose value counts equal it and whose sizes and offsets lie inside the file.
    /// Nothing is allocated from a claim before it passes.
    /// </summary>
    private static ParquetRowGroupReader OpenRowGroup(string path, ParquetReader reader, int g, DataField[] needed, long fileLength,
        long rowsSoFar, int rowsPerByte, Place place)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        place.RowGroup = g;
        place.Field = null;
        place.Column = null;
        var rg = reader.OpenRowGroupReader(g);
        long n = rg.RowCount;
        string where = $"row group {g + 1} of {reader.RowGroupCount}";
        if (n < 0)
            throw new ExpressionFormatException(path, null, null, $"{where} claims {n} rows; the file is corrupt.");
        if (rowsSoFar + n > int.MaxValue - 1)
            throw new ExpressionFormatException(path, null, null,
                $"{where} claims {n} rows, bringing the total past {int.MaxValue - 1:N0}, more than a table here can hold.");
        long bound = (long)rowsPerByte * fileLength + 1024;
        if (n > bound)
            throw new ExpressionFormatException(path, null, null,
                $"{where} claims {n:N0} rows, more than a {fileLength:N0}-byte file can hold ({rowsPerByte} per byte); the file is corrupt.");
        foreach (var f in needed)
        {
            var chunk = rg.GetMetadata(f)?.MetaData;
            int column = Array.IndexOf(reader.Schema.DataFields, f) + 1;
            if (chunk is null)
                throw new ExpressionFormatException(path, null, column, $"{where}, column '{f.Name}': the column chunk has no metadata.");
            if (chunk.NumValues != n)
                throw new ExpressionFormatException(path, null, column,
                    $"{where}, column '{f.Name}': the column chunk claims {chunk.NumValues} values for {n} rows; the file is corrupt.");
            if (chunk.TotalCompressedSize < 0 || chunk.TotalCompressedSize > fileLength ||
                chunk.DataPageOffset < 0 || chunk.DataPageOffset >= fileLength ||
                chunk.DictionaryPageOffset is < 0 || chunk.DictionaryPageOffset >= fileLength)
                throw new ExpressionFormatException(path, null, column,
                    $"{where}, column '{f.Name}': the column chunk's size or offset lies outside the {fileLength:N0}-byte file.");
            ParquetPageCheck.Check(file, path, chunk, $"{where}, column '{f.Name}'", column);
        }
        return rg;
    }

    private static async Task<ExpressionMatrix> ReadWideAsync(string path, ParquetReader reader, DataField[] fields, long fileLength,
        IReadOnlyDictionary<string, string> meta, ExpressionParquetOptions options, Place place)
    {
        int cellField = Array.FindIndex(fields, f => f.Name == CellColumn && IsText(f));
        if (cellField < 0) cellField = Array.FindIndex(fields, f => f.Name == PandasIndexColumn && IsText(f));
        if (cellField < 0 && fields.Length > 0 && IsText(fields[0])) cellField = 0;
        if (cellField < 0)
            throw new ExpressionFormatException(path, null, null,
                $"no cell-id column: expected a string column '{CellColumn}' (or '{PandasIndexColumn}', or a first string column).");
        var geneFields = fields.Where((_, i) => i != cellField).ToArray();
        for (int j = 0; j < geneFields.Length; j++)
            if (!IsNumeric(geneFields[j].ClrType))
                throw new ExpressionFormatException(path, null, ColumnNumber(fields, geneFields[j]),
                    $"column '{geneFields[j].Name}' holds {TypeName(geneFields[j])}; gene columns must be numeric.");
        var geneIds = geneFields.Select(f => f.Name).ToArray();
        var symbols = ReadSymbols(path, meta, geneIds.Length);

        var cellIds = new List<string>();
        var cellRow = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowPointers = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        long rowBase = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            // Every row holds a distinct cell id, which costs at least a byte even compressed: 4 rows per byte is generous.
            var rg = OpenRowGroup(path, reader, g, fields, fileLength, rowBase, 4, place);
            int n = (int)rg.RowCount;
            var ids = await ReadStringsAsync(path, rg, fields[cellField], n, rowBase, ColumnNumber(fields, fields[cellField]), place).ConfigureAwait(false);
            for (int r = 0; r < n; r++)
                if (!cellRow.TryAdd(ids[r], rowBase + r + 1))
                    throw new ExpressionFormatException(path, null, ColumnNumber(fields, fields[cellField]),
                        $"row {rowBase + r + 1}: duplicate cell id '{ids[r]}' (first in row {cellRow[ids[r]]}).");
            cellIds.AddRange(ids);

            // Columns arrive gene by gene; collect them column-major, then regroup by row (genes stay in order).
            var rowCounts = new int[n + 1];
            var cooRow = new List<int>();
            var cooGene = new List<int>();
            var cooVal = new List<float>();
            var column = new float[n];
            for (int j = 0; j < geneFields.Length; j++)
            {
                await ReadNumbersAsync(path, rg, geneFields[j], column, rowBase, ColumnNumber(fields, geneFields[j]), options.AllowNegativeValues, place)
                    .ConfigureAwait(false);
                for (int r = 0; r < n; r++)
                    if (column[r] != 0) { cooRow.Add(r); cooGene.Add(j); cooVal.Add(column[r]); rowCounts[r + 1]++; }
            }
            for (int r = 0; r < n; r++) rowCounts[r + 1] += rowCounts[r];
            int offset = indices.Count;
            var next = rowCounts[..n];
            var gi = new int[cooRow.Count];
            var gv = new float[cooRow.Count];
            for (int k = 0; k < cooRow.Count; k++)
            {
                int p = next[cooRow[k]]++;
                gi[p] = cooGene[k];
                gv[p] = cooVal[k];
            }
            indices.AddRange(gi);
            values.AddRange(gv);
            for (int r = 0; r < n; r++) rowPointers.Add(offset + rowCounts[r + 1]);
            rowBase += n;
        }
        return new ExpressionMatrix(cellIds, geneIds, rowPointers.ToArray(), indices.ToArray(), values.ToArray(), symbols);
    }

    private static async Task<ExpressionMatrix> ReadLongAsync(string path, ParquetReader reader, DataField[] fields, long fileLength,
        IReadOnlyDictionary<string, string> meta, ExpressionParquetOptions options, Place place)
    {
        DataField Find(string name, bool text)
        {
            var f = fields.FirstOrDefault(x => x.Name == name)
                ?? throw new ExpressionFormatException(path, null, null, $"long layout: column '{name}' is missing.");
            if (text ? !IsText(f) : !IsNumeric(f.ClrType))
                throw new ExpressionFormatException(path, null, ColumnNumber(fields, f),
                    $"long layout: column '{name}' holds {TypeName(f)}; expected {(text ? "strings" : "numbers")}.");
            return f;
        }
        var cellF = Find(CellColumn, true);
        var geneF = Find(GeneColumn, true);
        var valueF = Find(ValueColumn, false);

        var cellOrder = ReadIdList(path, meta, CellsKey, "cell");
        var geneOrder = ReadIdList(path, meta, GenesKey, "gene");
        var cellIds = cellOrder ?? new List<string>();
        var geneIds = geneOrder ?? new List<string>();
        var cellIndex = Index(cellIds, path, "cell");
        var geneIndex = Index(geneIds, path, "gene");

        var cooCell = new List<int>();
        var cooGene = new List<int>();
        var cooVal = new List<float>();
        long rowBase = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            // A row is one distinct (cell, gene) entry; dictionary and run-length encoding make rows cheap, but
            // not cheaper than this: 64 per byte of the file is generous.
            var rg = OpenRowGroup(path, reader, g, [cellF, geneF, valueF], fileLength, rowBase, 64, place);
            int n = (int)rg.RowCount;
            var cells = await ReadStringsAsync(path, rg, cellF, n, rowBase, ColumnNumber(fields, cellF), place).ConfigureAwait(false);
            var genes = await ReadStringsAsync(path, rg, geneF, n, rowBase, ColumnNumber(fields, geneF), place).ConfigureAwait(false);
            var vals = new float[n];
            await ReadNumbersAsync(path, rg, valueF, vals, rowBase, ColumnNumber(fields, valueF), options.AllowNegativeValues, place).ConfigureAwait(false);
            for (int r = 0; r < n; r++)
            {
                cooCell.Add(Lookup(cellIndex, cellIds, cellOrder is not null, cells[r], path, rowBase + r + 1, "cell", ColumnNumber(fields, cellF)));
                cooGene.Add(Lookup(geneIndex, geneIds, geneOrder is not null, genes[r], path, rowBase + r + 1, "gene", ColumnNumber(fields, geneF)));
                cooVal.Add(vals[r]);
            }
            rowBase += n;
        }

        int nCells = cellIds.Count;
        var rowPointers = new int[nCells + 1];
        foreach (int c in cooCell) rowPointers[c + 1]++;
        for (int c = 0; c < nCells; c++) rowPointers[c + 1] += rowPointers[c];
        var next = rowPointers[..nCells];
        var idx = new int[cooCell.Count];
        var val = new float[cooCell.Count];
        var source = new long[cooCell.Count];
        for (int k = 0; k < cooCell.Count; k++)
        {
            int p = next[cooCell[k]]++;
            idx[p] = cooGene[k];
            val[p] = cooVal[k];
            source[p] = k + 1;
        }
        for (int c = 0; c < nCells; c++)
        {
            int s = rowPointers[c], len = rowPointers[c + 1] - s;
            if (len > 1)
            {
                var keys = idx.AsSpan(s, len).ToArray();
                var order = new int[len];
                for (int i = 0; i < len; i++) order[i] = s + i;
                Array.Sort(keys, order);
                var v2 = new float[len];
                var s2 = new long[len];
                for (int i = 0; i < len; i++) { v2[i] = val[order[i]]; s2[i] = source[order[i]]; }
                keys.CopyTo(idx, s);
                v2.CopyTo(val, s);
                s2.CopyTo(source, s);
            }
            for (int k = s + 1; k < s + len; k++)
                if (idx[k] == idx[k - 1])
                    throw new ExpressionFormatException(path, null, null,
                        $"row {Math.Max(source[k], source[k - 1])}: duplicate entry for cell '{cellIds[c]}', gene '{geneIds[idx[k]]}' " +
                        $"(first in row {Math.Min(source[k], source[k - 1])}).");
        }
        return new ExpressionMatrix(cellIds, geneIds, rowPointers, idx, val, ReadSymbols(path, meta, geneIds.Count));
    }

    private static int Lookup(Dictionary<string, int> index, List<string> ids, bool fixedOrder, string id, string path, long row, string what, int column)
    {
        if (index.TryGetValue(id, out int i)) return i;
        if (fixedOrder)
            throw new ExpressionFormatException(path, null, column,
                $"row {row}: {what} '{id}' is not in the file's '{(what == "cell" ? CellsKey : GenesKey)}' metadata list.");
        i = ids.Count;
        ids.Add(id);
        index[id] = i;
        return i;
    }

    private static Dictionary<string, int> Index(List<string> ids, string path, string what)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Count; i++)
            if (!index.TryAdd(ids[i], i))
                throw new ExpressionFormatException(path, null, null, $"metadata lists {what} '{ids[i]}' twice.");
        return index;
    }

    private static List<string>? ReadIdList(string path, IReadOnlyDictionary<string, string> meta, string key, string what)
    {
        if (!meta.TryGetValue(key, out var json)) return null;
        try
        {
            var list = JsonSerializer.Deserialize<List<string>>(json);
            if (list is null || list.Any(s => s is null))
                throw new ExpressionFormatException(path, null, null, $"metadata '{key}' is not a JSON array of {what} ids.");
            return list;
        }
        catch (JsonException e)
        {
            throw new ExpressionFormatException(path, null, null, $"metadata '{key}' is not valid JSON ({e.Message}).", e);
        }
    }

    private static string[]? ReadSymbols(string path, IReadOnlyDictionary<string, string> meta, int genes)
    {
        var list = ReadIdList(path, meta, SymbolsKey, "gene symbol");
        if (list is null) return null;
        if (list.Count != genes)
            throw new ExpressionFormatException(path, null, null, $"metadata '{SymbolsKey}' lists {list.Count} symbols for {genes} genes.");
        return list.ToArray();
    }

    private static int ColumnNumber(DataField[] fields, DataField f) => Array.IndexOf(fields, f) + 1;

    // Parquet.Net 6 reports UTF-8 string columns as ReadOnlyMemory<char>.
    private static bool IsText(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

    /// <summary>A column's type in words (never a CLR name such as <c>ReadOnlyMemory`1</c>).</summary>
    private static string TypeName(DataField f)
    {
        var t = f.ClrType;
        if (IsText(f)) return "strings";
        if (t == typeof(bool)) return "booleans";
        if (t == typeof(decimal)) return "decimals";
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(DateOnly)) return "dates or timestamps";
        if (t == typeof(TimeSpan) || t == typeof(TimeOnly)) return "times";
        if (t == typeof(byte[])) return "binary data";
        if (t == typeof(Guid)) return "UUIDs";
        if (t == typeof(Half)) return "16-bit floats";
        int tick = t.Name.IndexOf('`', StringComparison.Ordinal);
        return tick >= 0 ? t.Name[..tick] : t.Name;
    }

    private static bool IsNumeric(Type t) =>
        t == typeof(float) || t == typeof(double) || t == typeof(int) || t == typeof(long) || t == typeof(short) ||
        t == typeof(byte) || t == typeof(sbyte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong);

    private static async Task<string[]> ReadStringsAsync(string path, ParquetRowGroupReader rg, DataField f, int n, long rowBase, int column,
        Place place)
    {
        place.Field = f;
        place.Column = column;
        var values = new string?[n];
        await rg.ReadAsync(f, values.AsMemory(), null, default).ConfigureAwait(false);
        for (int r = 0; r < n; r++)
            if (string.IsNullOrEmpty(values[r]))
                throw new ExpressionFormatException(path, null, column, $"row {rowBase + r + 1}: '{f.Name}' is null or empty.");
        return values!;
    }

    private static Task ReadNumbersAsync(string path, ParquetRowGroupReader rg, DataField f, float[] dst, long rowBase, int column, bool allowNegative,
        Place place)
    {
        place.Field = f;
        place.Column = column;
        var t = f.ClrType;
        if (t == typeof(float)) return ReadTypedAsync<float>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(double)) return ReadTypedAsync<double>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(int)) return ReadTypedAsync<int>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(long)) return ReadTypedAsync<long>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(short)) return ReadTypedAsync<short>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(byte)) return ReadTypedAsync<byte>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(sbyte)) return ReadTypedAsync<sbyte>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(ushort)) return ReadTypedAsync<ushort>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(uint)) return ReadTypedAsync<uint>(path, rg, f, dst, rowBase, column, allowNegative);
        if (t == typeof(ulong)) return ReadTypedAsync<ulong>(path, rg, f, dst, rowBase, column, allowNegative);
        throw new ExpressionFormatException(path, null, column, $"column '{f.Name}' holds {TypeName(f)}; expected numbers.");
    }

    private static async Task ReadTypedAsync<T>(string path, ParquetRowGroupReader rg, DataField f, float[] dst, long rowBase, int column,
        bool allowNegative) where T : struct, INumberBase<T>
    {
        int n = dst.Length;
        if (f.IsNullable)
        {
            var tmp = new T?[n];
            await rg.ReadAsync<T>(f, tmp.AsMemory(), null, default).ConfigureAwait(false);
            for (int r = 0; r < n; r++)
            {
                if (tmp[r] is not { } v)
                    throw new ExpressionFormatException(path, null, column, $"row {rowBase + r + 1}, column '{f.Name}': value is null.");
                dst[r] = float.CreateTruncating(v);
            }
        }
        else if (typeof(T) == typeof(float))
        {
            await rg.ReadAsync<float>(f, dst.AsMemory(), null, default).ConfigureAwait(false);
        }
        else
        {
            var tmp = new T[n];
            await rg.ReadAsync<T>(f, tmp.AsMemory(), null, default).ConfigureAwait(false);
            for (int r = 0; r < n; r++) dst[r] = float.CreateTruncating(tmp[r]);
        }
        for (int r = 0; r < n; r++)
        {
            float v = dst[r];
            if (float.IsFinite(v) && (v >= 0 || allowNegative)) continue;
            string problem = float.IsNaN(v) ? "value is NaN" : float.IsInfinity(v) ? "value is infinite or beyond single precision"
                : $"value {v} is negative; expression values must be non-negative";
            throw new ExpressionFormatException(path, null, column, $"row {rowBase + r + 1}, column '{f.Name}': {problem}.");
        }
    }
}

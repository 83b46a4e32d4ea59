using System.Globalization;
using System.Text;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads a 10x Genomics (Cell Ranger) MatrixMarket folder into a cells x genes <see cref="ExpressionMatrix"/>:
/// v3 (<c>matrix.mtx.gz</c>, <c>features.tsv.gz</c>, <c>barcodes.tsv.gz</c>), v2 (<c>matrix.mtx</c>,
/// <c>genes.tsv</c>, <c>barcodes.tsv</c>), and any mix of gzip and plain files (gzip is recognised by content).
/// </summary>
/// <remarks>
/// The matrix file is genes x cells (<c>%%MatrixMarket matrix coordinate integer|real general</c>, 1-based
/// indices); it is streamed line by line and transposed into compressed rows by cell. Entries may come in any
/// order; a repeated (gene, cell) entry is an error. Memory is about 12 bytes per stored entry while reading
/// (8 when the file is sorted by cell, as Cell Ranger writes it) plus the result; nothing is sized from the
/// header's claims before they are checked against the feature and barcode files. Every malformed input is an
/// <see cref="ExpressionFormatException"/> naming the file, the line, and the problem.
/// </remarks>
public static class TenXReader
{
    /// <summary>Matrix file names, in the order they are looked for.</summary>
    internal static readonly string[] MatrixNames = ["matrix.mtx.gz", "matrix.mtx"];

    /// <summary>Feature (gene) file names: v3 then v2.</summary>
    internal static readonly string[] FeatureNames = ["features.tsv.gz", "features.tsv", "genes.tsv.gz", "genes.tsv"];

    /// <summary>Barcode (cell id) file names.</summary>
    internal static readonly string[] BarcodeNames = ["barcodes.tsv.gz", "barcodes.tsv"];

    private const string GeneExpressionType = "Gene Expression";

    /// <summary>Reads a 10x folder with default options (feature ids as gene ids, gene-expression features only).</summary>
    /// <param name="path">The folder, or the path of its <c>matrix.mtx(.gz)</c>.</param>
    /// <exception cref="ExpressionFormatException">A file is malformed or the files disagree.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    public static ExpressionMatrix Read(string path) => Read(path, new TenXReaderOptions());

    /// <summary>Reads a 10x folder.</summary>
    /// <param name="path">The folder, or the path of its <c>matrix.mtx(.gz)</c>.</param>
    /// <param name="options">Reading options.</param>
    /// <exception cref="ExpressionFormatException">A file is malformed or the files disagree.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    public static ExpressionMatrix Read(string path, TenXReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var folder = File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{path}: no such 10x folder.");
        var matrixPath = File.Exists(path) ? Path.GetFullPath(path) : Locate(folder, MatrixNames, "matrix");
        var featuresPath = Locate(folder, FeatureNames, "features");
        var barcodesPath = Locate(folder, BarcodeNames, "barcodes");

        var features = ReadFeatures(featuresPath, options);
        var barcodes = ReadBarcodes(barcodesPath);
        return ReadMatrix(matrixPath, featuresPath, barcodesPath, features, barcodes);
    }

    /// <summary>Whether a folder holds a 10x matrix file.</summary>
    internal static bool LooksLikeTenXFolder(string folder) =>
        Directory.Exists(folder) && MatrixNames.Any(n => File.Exists(Path.Combine(folder, n)));

    private static string Locate(string folder, string[] names, string what)
    {
        var found = names.Where(n => File.Exists(Path.Combine(folder, n))).ToArray();
        if (found.Length == 0)
            throw new FileNotFoundException($"{folder}: no {what} file; expected one of {string.Join(", ", names)}.");
        // features.tsv and genes.tsv together would be ambiguous, as would a gzip and a plain copy.
        if (found.Length > 1)
            throw new ExpressionFormatException(folder, null, null,
                $"the folder holds more than one {what} file ({string.Join(", ", found)}); keep exactly one.");
        return Path.Combine(folder, found[0]);
    }

    private sealed record FeatureTable(string[] Ids, string[] Symbols, bool HasSymbols, int[] RowMap, int FileRows);

    private static FeatureTable ReadFeatures(string path, TenXReaderOptions options)
    {
        var ids = new List<string>();
        var symbols = new List<string>();
        var types = new List<string?>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        bool hasSymbols = false;
        using (var reader = new Utf8LineReader(path))
        {
            while (reader.TryReadLine(out var line))
            {
                int tab = line.IndexOf((byte)'\t');
                var idSpan = tab < 0 ? line : line[..tab];
                if (Utf8Fields.IsBlank(idSpan))
                    throw new ExpressionFormatException(path, reader.LineNumber, 1, "feature id is empty.");
                var id = Utf8Fields.DecodeStrict(idSpan, path, reader.LineNumber, 1, "feature id");
                if (!firstLine.TryAdd(id, reader.LineNumber))
                    throw new ExpressionFormatException(path, reader.LineNumber, 1,
                        $"duplicate feature id '{id}' (first on line {firstLine[id]}).");
                string symbol = id;
                string? type = null;
                if (tab >= 0)
                {
                    var rest = line[(tab + 1)..];
                    int tab2 = rest.IndexOf((byte)'\t');
                    symbol = Utf8Fields.DecodeStrict(tab2 < 0 ? rest : rest[..tab2], path, reader.LineNumber, tab + 2, "feature name");
                    hasSymbols = true;
                    if (tab2 >= 0)
                    {
                        var typeSpan = rest[(tab2 + 1)..];
                        int tab3 = typeSpan.IndexOf((byte)'\t');
                        type = Utf8Fields.DecodeStrict(tab3 < 0 ? typeSpan : typeSpan[..tab3], path, reader.LineNumber, tab + tab2 + 3, "feature type");
                    }
                }
                ids.Add(id);
                symbols.Add(symbol);
                types.Add(type);
            }
        }

        int fileRows = ids.Count;
        var rowMap = new int[fileRows];
        var keptIds = new List<string>(fileRows);
        var keptSymbols = new List<string>(fileRows);
        for (int r = 0; r < fileRows; r++)
        {
            if (options.GeneExpressionOnly && types[r] is { } t && t != GeneExpressionType)
            {
                rowMap[r] = -1;
                continue;
            }
            rowMap[r] = keptIds.Count;
            keptIds.Add(ids[r]);
            keptSymbols.Add(symbols[r]);
        }
        var geneIds = options.UseGeneSymbols ? MakeUnique(keptSymbols) : keptIds.ToArray();
        return new FeatureTable(geneIds, keptSymbols.ToArray(), hasSymbols, rowMap, fileRows);
    }

    /// <summary>scanpy's <c>var_names_make_unique</c>: later repeats of a name get <c>-1</c>, <c>-2</c>, ...</summary>
    internal static string[] MakeUnique(IReadOnlyList<string> names)
    {
        var result = names.ToArray();
        var taken = new HashSet<string>(names, StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < result.Length; i++)
        {
            var name = names[i];
            if (!seen.TryGetValue(name, out int count)) { seen[name] = 0; continue; }
            string candidate;
            do
            {
                count++;
                candidate = name + "-" + count.ToString(CultureInfo.InvariantCulture);
            } while (taken.Contains(candidate));
            seen[name] = count;
            taken.Add(candidate);
            result[i] = candidate;
        }
        return result;
    }

    private static string[] ReadBarcodes(string path)
    {
        var ids = new List<string>();
        var firstLine = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = new Utf8LineReader(path);
        while (reader.TryReadLine(out var line))
        {
            int tab = line.IndexOf((byte)'\t');
            var idSpan = tab < 0 ? line : line[..tab];
            if (Utf8Fields.IsBlank(idSpan))
                throw new ExpressionFormatException(path, reader.LineNumber, 1, "barcode (cell id) is empty.");
            var id = Utf8Fields.DecodeStrict(idSpan, path, reader.LineNumber, 1, "barcode (cell id)");
            if (!firstLine.TryAdd(id, reader.LineNumber))
                throw new ExpressionFormatException(path, reader.LineNumber, 1,
                    $"duplicate barcode (cell id) '{id}' (first on line {firstLine[id]}).");
            ids.Add(id);
        }
        return ids.ToArray();
    }

    private static ExpressionMatrix ReadMatrix(string path, string featuresPath, string barcodesPath,
        FeatureTable features, string[] barcodes)
    {
        using var reader = new Utf8LineReader(path);
        bool integer = ReadHeader(reader);
        var (rows, cols, claimed, sizeLine) = ReadSizeLine(reader);

        if (rows != features.FileRows || cols != barcodes.Length)
        {
            var parts = new List<string>();
            if (rows != features.FileRows)
                parts.Add($"{Path.GetFileName(featuresPath)} has {features.FileRows} lines but the header says {rows} genes (rows)");
            if (cols != barcodes.Length)
                parts.Add($"{Path.GetFileName(barcodesPath)} has {barcodes.Length} lines but the header says {cols} cells (columns)");
            throw new ExpressionFormatException(path, sizeLine, null, "files disagree on sizes: " + string.Join("; ", parts) + ".");
        }
        if (claimed > rows * cols)
            throw new ExpressionFormatException(path, sizeLine, null,
                $"the header claims {claimed} entries, more than genes x cells = {rows} x {cols}.");

        int nCells = (int)cols;
        var rowMap = features.RowMap;
        // Initial capacity is capped by what the file can hold: at least 6 bytes per uncompressed entry line; for
        // gzip, one entry per compressed byte (real 10x files need ~3), growing beyond that only as entries arrive.
        long bound = reader.IsGzip ? reader.FileLength : reader.FileLength / 6 + 1;
        long capacity = Math.Min(claimed, bound);
        if (capacity > Array.MaxLength)
            capacity = Array.MaxLength;
        var genes = new int[capacity];
        var values = new float[capacity];
        int[]? cells = null; // only needed once the entries turn out not to be sorted by cell, then gene
        var cellCounts = new int[nCells + 1];
        int stored = 0;
        long entries = 0;
        int lastCell = -1, lastGene = -1;
        long lastLine = 0;

        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty || line[0] == (byte)'%' || Utf8Fields.IsBlank(line)) continue;
            long ln = reader.LineNumber;
            if (++entries > claimed)
                throw new ExpressionFormatException(path, ln, null,
                    $"more entries than the {claimed} the header (line {sizeLine}) claims.");

            int pos = 0;
            long row = ParseIndexField(path, ln, line, ref pos, "row (gene) index", rows);
            long col = ParseIndexField(path, ln, line, ref pos, "column (cell) index", cols);
            if (!Utf8Fields.NextToken(line, ref pos, out int vs, out int vl))
                throw new ExpressionFormatException(path, ln, pos + 1, "missing value (expected 'gene cell value').");
            var status = Utf8Number.ParseValue(line.Slice(vs, vl), integer, allowNegative: false, out float value);
            if (status != NumberStatus.Ok)
                throw new ExpressionFormatException(path, ln, vs + 1,
                    Utf8Number.Describe(status, line.Slice(vs, vl), integer ? "integer value" : "value"));
            if (Utf8Fields.NextToken(line, ref pos, out int xs, out _))
                throw new ExpressionFormatException(path, ln, xs + 1, "extra field after 'gene cell value'.");

            int gene = rowMap[row - 1];
            if (gene < 0) continue; // a feature that is not gene expression
            int cell = (int)(col - 1);

            if (cells is null)
            {
                if (cell == lastCell && gene == lastGene)
                    throw new ExpressionFormatException(path, ln, null,
                        $"duplicate entry for gene {row} ('{features.Ids[gene]}'), cell {col} ('{barcodes[cell]}'); first on line {lastLine}.");
                if (cell < lastCell || (cell == lastCell && gene < lastGene))
                    cells = RebuildCellIndex(cellCounts, stored, genes.Length);
            }
            if (stored == genes.Length)
            {
                long grown = Math.Min(Math.Min(claimed, Array.MaxLength), Math.Max(16, (long)genes.Length + genes.Length / 2));
                Array.Resize(ref genes, (int)grown);
                Array.Resize(ref values, (int)grown);
                if (cells is not null) Array.Resize(ref cells, (int)grown);
            }
            genes[stored] = gene;
            values[stored] = value;
            if (cells is not null) cells[stored] = cell;
            stored++;
            cellCounts[cell + 1]++;
            lastCell = cell;
            lastGene = gene;
            lastLine = ln;
        }
        if (entries < claimed)
            throw new ExpressionFormatException(path, reader.LineNumber, null,
                $"the file ends after {entries} entries, but the header (line {sizeLine}) claims {claimed}.");

        var rowPointers = cellCounts;
        for (int c = 0; c < nCells; c++) rowPointers[c + 1] += rowPointers[c];

        int[] columnIndices;
        float[] vals;
        if (cells is null)
        {
            if (genes.Length != stored) { Array.Resize(ref genes, stored); Array.Resize(ref values, stored); }
            columnIndices = genes;
            vals = values;
        }
        else
        {
            columnIndices = new int[stored];
            vals = new float[stored];
            var next = rowPointers[..nCells];
            for (int k = 0; k < stored; k++)
            {
                int p = next[cells[k]]++;
                columnIndices[p] = genes[k];
                vals[p] = values[k];
            }
            // Let the entry arrays go before sorting: the CSR copies are all that is needed now.
            cells = null;
            genes = null!;
            values = null!;
            for (int c = 0; c < nCells; c++)
            {
                int s = rowPointers[c], n = rowPointers[c + 1] - s;
                if (n > 1) Array.Sort(columnIndices, vals, s, n);
                for (int k = s + 1; k < s + n; k++)
                    if (columnIndices[k] == columnIndices[k - 1])
                        throw DuplicateError(path, features, barcodes, columnIndices[k], c);
            }
        }
        return new ExpressionMatrix(barcodes, features.Ids, rowPointers, columnIndices, vals,
            features.HasSymbols ? features.Symbols : null);
    }

    /// <summary>Rebuilds the per-entry cell index of the entries read so far, which were sorted by cell.</summary>
    private static int[] RebuildCellIndex(int[] cellCounts, int stored, int capacity)
    {
        var cells = new int[capacity];
        int k = 0;
        for (int c = 0; c + 1 < cellCounts.Length && k < stored; c++)
            for (int n = cellCounts[c + 1]; n > 0; n--) cells[k++] = c;
        return cells;
    }

    private static long ParseIndexField(string path, long ln, ReadOnlySpan<byte> line, ref int pos, string what, long max)
    {
        if (!Utf8Fields.NextToken(line, ref pos, out int s, out int l))
            throw new ExpressionFormatException(path, ln, pos + 1, $"missing {what} (expected 'gene cell value').");
        var token = line.Slice(s, l);
        var status = Utf8Number.ParseIndex(token, out long v);
        if (status is NumberStatus.Negative or NumberStatus.TooLarge)
            throw new ExpressionFormatException(path, ln, s + 1,
                $"{what} '{Utf8Number.Show(token)}' is out of range 1..{max} (indices are 1-based).");
        if (status != NumberStatus.Ok)
            throw new ExpressionFormatException(path, ln, s + 1, Utf8Number.Describe(status, token, what));
        if (v < 1 || v > max)
            throw new ExpressionFormatException(path, ln, s + 1, $"{what} {v} is out of range 1..{max} (indices are 1-based).");
        return v;
    }

    private static bool ReadHeader(Utf8LineReader reader)
    {
        var path = reader.FilePath;
        const string expected = "'%%MatrixMarket matrix coordinate integer general' (or 'real')";
        if (!reader.TryReadLine(out var line))
            throw new ExpressionFormatException(path, 1, null, $"file is empty; expected the header {expected}.");
        // A valid header has five words; stop splitting at the sixth so a hostile line costs no more than that.
        var tokens = new List<string>(6);
        int pos = 0;
        while (tokens.Count < 6 && Utf8Fields.NextToken(line, ref pos, out int s, out int l))
            tokens.Add(Encoding.UTF8.GetString(l > 64 ? line.Slice(s, 64) : line.Slice(s, l)));
        if (tokens.Count == 0 || !tokens[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
            throw new ExpressionFormatException(path, 1, 1,
                $"not a MatrixMarket file: expected the header {expected}, found '{Utf8Number.Show(line)}'.");
        if (tokens.Count != 5)
            throw new ExpressionFormatException(path, 1, null,
                $"bad MatrixMarket header '{Utf8Number.Show(line)}': expected 5 words, {expected}.");
        if (!tokens[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
            throw new ExpressionFormatException(path, 1, null, $"bad MatrixMarket header: object '{tokens[1]}' is not 'matrix'.");
        if (!tokens[2].Equals("coordinate", StringComparison.OrdinalIgnoreCase))
            throw new ExpressionFormatException(path, 1, null,
                $"bad MatrixMarket header: format '{tokens[2]}' is not supported; 10x matrices are 'coordinate' (sparse).");
        bool integer = tokens[3].Equals("integer", StringComparison.OrdinalIgnoreCase);
        if (!integer && !tokens[3].Equals("real", StringComparison.OrdinalIgnoreCase))
            throw new ExpressionFormatException(path, 1, null,
                $"bad MatrixMarket header: field '{tokens[3]}' is not supported; expected 'integer' or 'real'.");
        if (!tokens[4].Equals("general", StringComparison.OrdinalIgnoreCase))
            throw new ExpressionFormatException(path, 1, null,
                $"bad MatrixMarket header: symmetry '{tokens[4]}' is not supported; expected 'general'.");
        return integer;
    }

    private static (long Rows, long Cols, long Entries, long Line) ReadSizeLine(Utf8LineReader reader)
    {
        var path = reader.FilePath;
        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty || line[0] == (byte)'%' || Utf8Fields.IsBlank(line)) continue;
            long ln = reader.LineNumber;
            var v = new long[3];
            string[] names = ["number of genes (rows)", "number of cells (columns)", "number of entries"];
            int pos = 0;
            for (int i = 0; i < 3; i++)
            {
                if (!Utf8Fields.NextToken(line, ref pos, out int s, out int l))
                    throw new ExpressionFormatException(path, ln, pos + 1,
                        $"invalid size line '{Utf8Number.Show(line)}': missing the {names[i]}; expected 'genes cells entries'.");
                var status = Utf8Number.ParseIndex(line.Slice(s, l), out v[i]);
                if (status is NumberStatus.Negative or NumberStatus.TooLarge)
                    throw new ExpressionFormatException(path, ln, s + 1,
                        $"invalid size line: {names[i]} '{Utf8Number.Show(line.Slice(s, l))}' is out of range (0..{(i < 2 ? int.MaxValue - 1 : long.MaxValue)}).");
                if (status != NumberStatus.Ok)
                    throw new ExpressionFormatException(path, ln, s + 1,
                        "invalid size line: " + Utf8Number.Describe(status, line.Slice(s, l), names[i]));
                if (i < 2 && v[i] > int.MaxValue - 1)
                    throw new ExpressionFormatException(path, ln, s + 1, $"invalid size line: {names[i]} {v[i]} is too large.");
            }
            if (Utf8Fields.NextToken(line, ref pos, out int xs, out _))
                throw new ExpressionFormatException(path, ln, xs + 1,
                    $"invalid size line '{Utf8Number.Show(line)}': expected exactly 'genes cells entries'.");
            return (v[0], v[1], v[2], ln);
        }
        throw new ExpressionFormatException(path, reader.LineNumber + 1, null,
            "the size line ('genes cells entries') is missing after the header and comments.");
    }

    /// <summary>Builds the duplicate-entry error, re-reading the file to name both lines.</summary>
    private static ExpressionFormatException DuplicateError(string path, FeatureTable features, string[] barcodes, int gene, int cell)
    {
        int row = Array.IndexOf(features.RowMap, gene) + 1;
        int col = cell + 1;
        var lines = new List<long>();
        try
        {
            using var reader = new Utf8LineReader(path);
            reader.TryReadLine(out _);
            bool sizeSeen = false;
            while (reader.TryReadLine(out var line) && lines.Count < 2)
            {
                if (line.IsEmpty || line[0] == (byte)'%' || Utf8Fields.IsBlank(line)) continue;
                if (!sizeSeen) { sizeSeen = true; continue; }
                int pos = 0;
                Utf8Fields.NextToken(line, ref pos, out int s1, out int l1);
                Utf8Fields.NextToken(line, ref pos, out int s2, out int l2);
                if (Utf8Number.ParseIndex(line.Slice(s1, l1), out long r) == NumberStatus.Ok && r == row &&
                    Utf8Number.ParseIndex(line.Slice(s2, l2), out long c) == NumberStatus.Ok && c == col)
                    lines.Add(reader.LineNumber);
            }
        }
        catch (IOException)
        {
            // The first pass already read the file; if it cannot be re-read, report without line numbers.
        }
        var where = lines.Count == 2 ? $"; first on line {lines[0]}" : "";
        return new ExpressionFormatException(path, lines.Count == 2 ? lines[1] : null, null,
            $"duplicate entry for gene {row} ('{features.Ids[gene]}'), cell {col} ('{barcodes[cell]}'){where}.");
    }
}

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads a cells x genes delimited text file (CSV, TSV; gzip recognised by content) into an
/// <see cref="ExpressionMatrix"/>. The first line is the header: any name for the cell-id column (for example
/// <c>cell</c>, or empty as pandas writes an unnamed index), then one gene id per column. Each further line is one
/// cell: its id, then one value per gene. Values use the invariant culture (<c>.</c> decimal point, optional
/// exponent); zeros are not stored.
/// </summary>
/// <remarks>
/// The file is streamed line by line with fields parsed in place, so memory is the sparse result plus one line.
/// Quoted fields (RFC 4180) are accepted within a line. Empty, non-numeric, NaN, infinite and (by default)
/// negative values, a line with the wrong number of fields, and duplicate or empty cell or gene ids are
/// <see cref="ExpressionFormatException"/>s naming the file, line and column. Genes-as-rows (R-style) tables must
/// be transposed first.
/// </remarks>
public static class ExpressionTextReader
{
    // Header: 8 MiB holds 500,000 Ensembl-style gene ids. Value fields: 64 bytes is far more than any
    // round-trip float needs (pandas writes at most 24).
    private const int MaxHeaderLength = 8 << 20;
    private const int MaxValueFieldLength = 64;

    /// <summary>Reads a delimited file with the given separator (',' for CSV, '\t' for TSV).</summary>
    public static ExpressionMatrix Read(string path, char separator = ExpressionTextOptions.Defaults.Separator) =>
        Read(path, new ExpressionTextOptions { Separator = separator });

    /// <summary>Reads a delimited file.</summary>
    /// <exception cref="ExpressionFormatException">The file is malformed.</exception>
    public static ExpressionMatrix Read(string path, ExpressionTextOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        byte sep = (byte)options.Separator;
        using var reader = new Utf8LineReader(path) { MaxLineLength = MaxHeaderLength };

        if (!reader.TryReadLine(out var header))
            throw new ExpressionFormatException(path, 1, null, "file is empty; expected a header line 'cell,<gene ids>'.");
        var geneIds = new List<string>();
        var geneColumn = new Dictionary<string, int>(StringComparer.Ordinal);
        var h = new DelimitedLine(header, sep, path, 1);
        h.Next(out _, out _); // cell-id column header: any name
        while (h.Next(out var f, out bool esc))
        {
            var id = h.Text(f, esc, "gene id");
            if (id.Length == 0)
                throw new ExpressionFormatException(path, 1, h.FieldColumn, $"gene id in header field {h.FieldNumber} is empty.");
            if (!geneColumn.TryAdd(id, h.FieldNumber))
                throw new ExpressionFormatException(path, 1, h.FieldColumn,
                    $"duplicate gene id '{id}' in header fields {geneColumn[id]} and {h.FieldNumber}.");
            geneIds.Add(id);
        }
        if (geneIds.Count == 0)
            throw new ExpressionFormatException(path, 1, null,
                $"the header has no gene columns (separator '{Show(options.Separator)}'); expected 'cell{options.Separator}<gene ids>'.");

        int genes = geneIds.Count;
        // A data line holds a cell id and one number per gene: bound it by that, not by what the file claims.
        reader.MaxLineLength = (int)Math.Min(MaxHeaderLength, Utf8LineReader.DefaultMaxLineLength + (long)MaxValueFieldLength * genes);
        var cellIds = new List<string>();
        var cellLine = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowPointers = new List<int> { 0 };
        var indices = new List<int>();
        var values = new List<float>();
        while (reader.TryReadLine(out var line))
        {
            long ln = reader.LineNumber;
            if (line.IsEmpty) continue;
            var d = new DelimitedLine(line, sep, path, ln);
            d.Next(out var idField, out bool idEsc);
            var cellId = d.Text(idField, idEsc, "cell id");
            if (cellId.Length == 0)
                throw new ExpressionFormatException(path, ln, 1, "cell id is empty.");
            if (!cellLine.TryAdd(cellId, ln))
                throw new ExpressionFormatException(path, ln, 1, $"duplicate cell id '{cellId}' (first on line {cellLine[cellId]}).");
            int j = 0;
            while (d.Next(out var field, out _))
            {
                if (j == genes)
                    throw new ExpressionFormatException(path, ln, d.FieldColumn,
                        $"line has more than the header's {genes + 1} fields.");
                var status = Utf8Number.ParseValue(field, integerOnly: false, options.AllowNegativeValues, out float v);
                if (status != NumberStatus.Ok)
                    throw new ExpressionFormatException(path, ln, d.FieldColumn,
                        Utf8Number.Describe(status, field, $"value for gene '{geneIds[j]}'"));
                if (v != 0) { indices.Add(j); values.Add(v); }
                j++;
            }
            if (j != genes)
                throw new ExpressionFormatException(path, ln, null,
                    $"line has {j + 1} fields, but the header has {genes + 1} (cell id + {genes} genes).");
            cellIds.Add(cellId);
            rowPointers.Add(indices.Count);
        }
        return new ExpressionMatrix(cellIds, geneIds, rowPointers.ToArray(), indices.ToArray(), values.ToArray());
    }

    private static string Show(char c) => c == '\t' ? "\\t" : c.ToString();
}

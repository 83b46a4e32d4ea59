using Microsoft.ML;
using Microsoft.ML.Data;
using ScGnn.MLNet;
using ScGnn.MLNet.Data;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Writes a command's expression output in the format its path implies; an <c>.h5ad</c> output has a dense
/// <c>X</c> (every entry of an imputed matrix is filled), carries the input's <c>obs</c> and <c>var</c> (of the kept
/// genes) and records what was done in <c>uns['scgnn']</c>.
/// </summary>
internal static class ExpressionOutput
{
    /// <param name="result">The matrix to write.</param>
    /// <param name="path">Where to write it (for example a staged path of the output).</param>
    /// <param name="format">The output's format, from its name (checked before any work).</param>
    /// <param name="input">The command's input, whose annotations an .h5ad output carries.</param>
    /// <param name="record">What was done, for <c>uns['scgnn']['options']</c>.</param>
    public static void Write(ExpressionMatrix result, string path, ExpressionFileFormat format, ExpressionMatrix input,
        IEnumerable<KeyValuePair<string, string>> record)
    {
        if (format != ExpressionFileFormat.H5ad)
        {
            ExpressionFile.Write(result, path);
            return;
        }
        H5adWriter.Write(Annotate(result, input), path, H5adOptions(record));
    }

    /// <summary>
    /// Writes the <paramref name="column"/> of a transform's output straight from the cursor, whatever the format, so
    /// the output (every entry filled: several GB at a million cells) is never held whole.
    /// </summary>
    /// <param name="data">The transform's output; its cell-id column names the rows.</param>
    /// <param name="column">The known-size float vector column to write.</param>
    /// <param name="path">Where to write it (for example a staged path of the output).</param>
    /// <param name="format">The output's format, from its name (checked before any work).</param>
    /// <param name="input">The command's input, whose annotations an .h5ad output carries.</param>
    /// <param name="record">What was done, for <c>uns['scgnn']['options']</c>.</param>
    public static void Write(IDataView data, string column, string path, ExpressionFileFormat format, ExpressionMatrix input,
        IEnumerable<KeyValuePair<string, string>> record)
    {
        if (format == ExpressionFileFormat.Parquet)
        {
            ExpressionParquetWriter.Write(data, path, new ExpressionParquetOptions { ExpressionColumnName = column, CellIdColumnName = ScGnnDefaults.CellIdColumnName });
            return;
        }
        if (format == ExpressionFileFormat.H5ad)
        {
            // The annotations are matched on an entry-less matrix of the output's ids, as for a materialized output.
            var shell = Annotate(Shell(data, column), input);
            var options = H5adOptions(record);
            options.ExpressionColumnName = column;
            options.CellIdColumnName = ScGnnDefaults.CellIdColumnName;
            options.CellAnnotations = shell.CellAnnotations;
            options.GeneAnnotations = shell.GeneAnnotations;
            H5adWriter.Write(data, path, options);
            return;
        }
        if (format == ExpressionFileFormat.TenX)
        {
            TenXWriter.Write(data, path, new TenXWriterOptions { ExpressionColumnName = column, CellIdColumnName = ScGnnDefaults.CellIdColumnName });
            return;
        }
        ExpressionTextWriter.Write(data, path, new ExpressionTextOptions
        {
            ExpressionColumnName = column, CellIdColumnName = ScGnnDefaults.CellIdColumnName,
            Separator = format == ExpressionFileFormat.Csv ? ',' : '\t',
        });
    }

    private static H5adWriterOptions H5adOptions(IEnumerable<KeyValuePair<string, string>> record)
    {
        var options = new H5adWriterOptions { Dense = true };
        foreach (var (key, value) in record) options.Metadata[key] = value;
        return options;
    }

    // The output's cell and gene ids without its values (one cursor over the cell-id column).
    private static ExpressionMatrix Shell(IDataView data, string column)
    {
        var expr = data.Schema[column];
        var genes = new List<string>();
        VBuffer<ReadOnlyMemory<char>> names = default;
        if (expr.HasSlotNames()) { expr.GetSlotNames(ref names); foreach (var n in names.DenseValues()) genes.Add(n.ToString()); }
        else for (int j = 0; j < ((VectorDataViewType)expr.Type).Size; j++) genes.Add("gene" + j.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var cells = new List<string>();
        var idColumn = data.Schema[ScGnnDefaults.CellIdColumnName];
        using var cursor = data.GetRowCursor([idColumn]);
        var getId = cursor.GetGetter<ReadOnlyMemory<char>>(idColumn);
        ReadOnlyMemory<char> id = default;
        while (cursor.MoveNext()) { getId(ref id); cells.Add(id.ToString()); }
        return new ExpressionMatrix(cells, genes, new int[cells.Count + 1], [], []);
    }

    /// <summary>The input's annotations matched to the output by cell and gene id (10x gene symbols become a var column).</summary>
    private static ExpressionMatrix Annotate(ExpressionMatrix result, ExpressionMatrix input)
    {
        var genes = input.GeneAnnotations;
        if (genes is null && input.GeneSymbols is { } symbols)
            genes = new AnnotationTable(input.GeneCount, [AnnotationColumn.Text("gene_symbols", symbols)]);
        var source = input.WithAnnotations(input.CellAnnotations, genes);
        try
        {
            return result.WithAnnotationsFrom(source);
        }
        catch (ArgumentException)
        {
            // Output columns that are not the input's genes (for example a model's own column): carry obs only.
            return result.WithAnnotationsFrom(source.WithAnnotations(source.CellAnnotations, null));
        }
    }
}

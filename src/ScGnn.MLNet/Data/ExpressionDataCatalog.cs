using Microsoft.ML;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Loading and saving single-cell expression data through <c>mlContext.Data</c>. Loaded data is an
/// <see cref="IDataView"/> with one row per cell: a text <c>CellId</c> column and an <c>Expression</c> column,
/// a known-size sparse <c>Vector&lt;Single&gt;</c> whose slots are genes (gene ids as <c>SlotNames</c>).
/// Savers take the same shape (column names configurable through the options).
/// </summary>
/// <example>
/// <code>
/// var ml = new MLContext(seed: 1);
/// IDataView cells = ml.Data.LoadFrom10x("data/pbmc3k");
/// cells = ml.Data.JoinCellLabels(cells, "data/pbmc3k/labels.tsv");   // adds a CellType text column
/// ml.Data.SaveAsExpressionParquet(cells, "out/pbmc3k.parquet");
/// </code>
/// </example>
public static class ExpressionDataCatalog
{
    /// <summary>Loads a 10x Genomics MatrixMarket folder (v3 or v2, gzip or plain); see <see cref="TenXReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The folder, or its <c>matrix.mtx(.gz)</c>.</param>
    public static IDataView LoadFrom10x(this DataOperationsCatalog catalog, string path) =>
        LoadFrom10x(catalog, path, new TenXReaderOptions());

    /// <summary>Loads a 10x Genomics MatrixMarket folder with options; see <see cref="TenXReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The folder, or its <c>matrix.mtx(.gz)</c>.</param>
    /// <param name="options">Reading options and output column names.</param>
    public static IDataView LoadFrom10x(this DataOperationsCatalog catalog, string path, TenXReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return TenXReader.Read(path, options).ToDataView(options.ExpressionColumnName, options.CellIdColumnName);
    }

    /// <summary>Loads cells x genes delimited text (header <c>cell,&lt;gene ids&gt;</c>); see <see cref="ExpressionTextReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The file (gzip recognised by content).</param>
    /// <param name="separator">Field separator: ',' (CSV, default) or '\t' (TSV).</param>
    public static IDataView LoadFromExpressionText(this DataOperationsCatalog catalog, string path,
        char separator = ExpressionTextOptions.Defaults.Separator) =>
        LoadFromExpressionText(catalog, path, new ExpressionTextOptions { Separator = separator });

    /// <summary>Loads cells x genes delimited text with options; see <see cref="ExpressionTextReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The file (gzip recognised by content).</param>
    /// <param name="options">Separator, value checks and output column names.</param>
    public static IDataView LoadFromExpressionText(this DataOperationsCatalog catalog, string path, ExpressionTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return ExpressionTextReader.Read(path, options).ToDataView(options.ExpressionColumnName, options.CellIdColumnName);
    }

    /// <summary>Loads an expression Parquet file (wide or long layout, detected); see <see cref="ExpressionParquetReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The <c>.parquet</c> file.</param>
    public static IDataView LoadFromExpressionParquet(this DataOperationsCatalog catalog, string path) =>
        LoadFromExpressionParquet(catalog, path, new ExpressionParquetOptions());

    /// <summary>Loads an expression Parquet file with options; see <see cref="ExpressionParquetReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The <c>.parquet</c> file.</param>
    /// <param name="options">Value checks and output column names.</param>
    public static IDataView LoadFromExpressionParquet(this DataOperationsCatalog catalog, string path, ExpressionParquetOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return ExpressionParquetReader.Read(path, options).ToDataView(options.ExpressionColumnName, options.CellIdColumnName);
    }

    /// <summary>
    /// Loads an AnnData <c>.h5ad</c> file (<c>X</c>, CSR/CSC/dense); see <see cref="H5adReader"/>. Besides the
    /// cell-id and expression columns, every <c>obs</c> column is an ML.NET column (categorical and string columns
    /// as text, numbers as <c>Double</c>, booleans as <c>Boolean</c>), so cell types need no side file.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The <c>.h5ad</c> file.</param>
    public static IDataView LoadFromH5ad(this DataOperationsCatalog catalog, string path) =>
        LoadFromH5ad(catalog, path, new H5adReaderOptions());

    /// <summary>Loads an AnnData <c>.h5ad</c> file with options (layer or raw, gene symbols, which <c>obs</c> columns, keys); see <see cref="H5adReader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The <c>.h5ad</c> file.</param>
    /// <param name="options">Which matrix and gene ids, which <c>obs</c> columns (categorical as text or key), value checks, column names.</param>
    /// <exception cref="ExpressionFormatException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">A name in <see cref="H5adReaderOptions.ObsColumns"/> is not an <c>obs</c> column.</exception>
    public static IDataView LoadFromH5ad(this DataOperationsCatalog catalog, string path, H5adReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        var matrix = H5adReader.Read(path, options);
        var obs = matrix.CellAnnotations!;
        var columns = options.ObsColumns is null
            ? obs.Columns.Where(c => c.Name != options.ExpressionColumnName && c.Name != options.CellIdColumnName).ToArray()
            : options.ObsColumns.Select(name => obs.TryGetColumn(name, out var c) ? c
                : throw new ArgumentException($"{path}: obs has no column '{name}'; its columns: {string.Join(", ", obs.Columns.Select(x => x.Name))}.", nameof(options))).ToArray();
        return new AnnotationColumnsDataView(matrix.ToDataView(options.ExpressionColumnName, options.CellIdColumnName), columns, options.CategoricalAsKey);
    }

    /// <summary>Loads a Cell Ranger HDF5 matrix (<c>filtered_feature_bc_matrix.h5</c>, v2 or v3); see <see cref="TenXH5Reader"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The <c>.h5</c> file.</param>
    /// <param name="options">Feature filtering, gene-id choice and column names (as for 10x folders); <c>null</c> for defaults.</param>
    public static IDataView LoadFrom10xH5(this DataOperationsCatalog catalog, string path, TenXReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new TenXReaderOptions();
        return TenXH5Reader.Read(path, options).ToDataView(options.ExpressionColumnName, options.CellIdColumnName);
    }

    /// <summary>Loads any supported format, chosen from the path as <see cref="ExpressionFile.Read"/> does.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">A 10x folder, <c>.csv</c>, <c>.tsv</c>, <c>.parquet</c>, <c>.h5ad</c> or Cell Ranger <c>.h5</c> file.</param>
    public static IDataView LoadFromExpressionFile(this DataOperationsCatalog catalog, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ExpressionFile.Read(path).ToDataView();
    }

    /// <summary>Saves the <c>Expression</c> and <c>CellId</c> columns as a gzip 10x v3 folder; see <see cref="TenXWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="folder">The output folder.</param>
    public static void SaveAs10x(this DataOperationsCatalog catalog, IDataView data, string folder) =>
        SaveAs10x(catalog, data, folder, new TenXWriterOptions());

    /// <summary>Saves as a 10x v3 folder with options, in one pass of the cursor; see <see cref="TenXWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="folder">The output folder.</param>
    /// <param name="options">Compression, feature type and input column names.</param>
    public static void SaveAs10x(this DataOperationsCatalog catalog, IDataView data, string folder, TenXWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        TenXWriter.Write(data, folder, options);
    }

    /// <summary>Saves as cells x genes delimited text; see <see cref="ExpressionTextWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="path">The output file (<c>.gz</c> compresses).</param>
    /// <param name="separator">Field separator: ',' (CSV, default) or '\t' (TSV).</param>
    public static void SaveAsExpressionText(this DataOperationsCatalog catalog, IDataView data, string path,
        char separator = ExpressionTextOptions.Defaults.Separator) =>
        SaveAsExpressionText(catalog, data, path, new ExpressionTextOptions { Separator = separator });

    /// <summary>Saves as cells x genes delimited text with options, streaming blocks of rows from the cursor; see <see cref="ExpressionTextWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="path">The output file (<c>.gz</c> compresses).</param>
    /// <param name="options">Separator, header and input column names.</param>
    public static void SaveAsExpressionText(this DataOperationsCatalog catalog, IDataView data, string path, ExpressionTextOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ExpressionTextWriter.Write(data, path, options);
    }

    /// <summary>Saves as a wide Parquet file; see <see cref="ExpressionParquetWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="path">The output <c>.parquet</c> file.</param>
    public static void SaveAsExpressionParquet(this DataOperationsCatalog catalog, IDataView data, string path) =>
        SaveAsExpressionParquet(catalog, data, path, new ExpressionParquetOptions());

    /// <summary>Saves as a Parquet file with options, streaming one row group at a time; see <see cref="ExpressionParquetWriter"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="path">The output <c>.parquet</c> file.</param>
    /// <param name="options">Layout (wide or long), row-group size and input column names.</param>
    public static void SaveAsExpressionParquet(this DataOperationsCatalog catalog, IDataView data, string path, ExpressionParquetOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ExpressionParquetWriter.Write(data, path, options);
    }

    /// <summary>
    /// Saves as an AnnData <c>.h5ad</c> file (the expression column as CSR <c>X</c> or a layer, cell ids as
    /// <c>obs_names</c>, slot names as <c>var_names</c>). With <see cref="H5adWriterOptions.Dense"/> (what an imputed
    /// column wants) <c>X</c> is a dense array written block by block from the view's cursor, never held whole; see
    /// <see cref="H5adWriter.Write(IDataView, string, H5adWriterOptions)"/>.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column of genes and a text cell-id column.</param>
    /// <param name="path">The output <c>.h5ad</c> file.</param>
    /// <param name="options">Layer, storage, compression, <c>obs</c>/<c>var</c> columns, <c>uns</c> record and input column names; <c>null</c> for defaults.</param>
    public static void SaveAsH5ad(this DataOperationsCatalog catalog, IDataView data, string path, H5adWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        H5adWriter.Write(data, path, options ?? new H5adWriterOptions());
    }

    /// <summary>
    /// Saves one vector column in the format the path implies, as <see cref="ExpressionFile.Write"/> does, and returns
    /// the name of the column written. CSV, TSV, Parquet and 10x folders are written from the cursor as the rows come;
    /// <c>.h5ad</c> (CSR <c>X</c>) reads the column into a matrix first. Without <paramref name="columnName"/> that is the imputer's output column
    /// (<c>Imputed</c>) when the view has one, as <c>model.Transform(cells)</c> does, else <c>Expression</c>.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells; a known-size float vector column (gene ids as slot names) and a <c>CellId</c> text column.</param>
    /// <param name="path"><c>.csv</c>, <c>.tsv</c>, <c>.parquet</c>, <c>.h5ad</c>, or a 10x folder (no extension).</param>
    /// <param name="columnName">The vector column to write; null for the default above.</param>
    /// <returns>The column written.</returns>
    public static string SaveAsExpressionFile(this DataOperationsCatalog catalog, IDataView data, string path, string? columnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        columnName ??= data.Schema.GetColumnOrNull(Imputation.ScGnnTrainer.Defaults.OutputColumnName) is not null
            ? Imputation.ScGnnTrainer.Defaults.OutputColumnName
            : ScGnnDefaults.ExpressionColumnName;
        // Every format but .h5ad's CSR X streams from the cursor.
        switch (ExpressionFile.DetectWriteFormat(path))
        {
            case ExpressionFileFormat.TenX: TenXWriter.Write(data, path, new TenXWriterOptions { ExpressionColumnName = columnName }); break;
            case ExpressionFileFormat.Csv: ExpressionTextWriter.Write(data, path, new ExpressionTextOptions { ExpressionColumnName = columnName }); break;
            case ExpressionFileFormat.Tsv: ExpressionTextWriter.Write(data, path, new ExpressionTextOptions { ExpressionColumnName = columnName, Separator = '\t' }); break;
            case ExpressionFileFormat.Parquet: ExpressionParquetWriter.Write(data, path, new ExpressionParquetOptions { ExpressionColumnName = columnName }); break;
            default: ExpressionFile.Write(ExpressionMatrix.FromDataView(data, columnName), path); break;
        }
        return columnName;
    }

    /// <summary>Reads cell-type labels from a two-column TSV (<c>cell&lt;TAB&gt;label</c>); see <see cref="CellLabels.Read"/>.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="path">The labels file.</param>
    public static CellLabels LoadCellLabels(this DataOperationsCatalog catalog, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return CellLabels.Read(path);
    }

    /// <summary>
    /// Adds a <c>CellType</c> text column to <paramref name="data"/> from a labels TSV, joined by the <c>CellId</c>
    /// column. Every cell must be labelled and every label must name a cell; see
    /// <see cref="CellLabels.JoinTo(IDataView, CellLabelJoinOptions?)"/>.
    /// </summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells, with a text cell-id column.</param>
    /// <param name="labelsPath">The labels file.</param>
    public static IDataView JoinCellLabels(this DataOperationsCatalog catalog, IDataView data, string labelsPath) =>
        JoinCellLabels(catalog, data, labelsPath, new CellLabelJoinOptions());

    /// <summary>Adds a label text column from a labels TSV, joined by cell id, with options.</summary>
    /// <param name="catalog">The data catalog (<c>mlContext.Data</c>).</param>
    /// <param name="data">Rows are cells, with a text cell-id column.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="options">Column names and how unmatched cells and labels are treated.</param>
    public static IDataView JoinCellLabels(this DataOperationsCatalog catalog, IDataView data, string labelsPath, CellLabelJoinOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        return CellLabels.Read(labelsPath).JoinTo(data, options);
    }
}

using System.Globalization;
using PureHDF;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Reads an AnnData data frame (<c>obs</c>, <c>var</c>, <c>raw/var</c>) into its index and an
/// <see cref="AnnotationTable"/>. Understands anndata 0.7 to 0.11: the <c>_index</c> and <c>column-order</c>
/// attributes, <c>categorical</c> groups (codes + categories), anndata 0.7's codes datasets whose
/// <c>categories</c> attribute references <c>__categories/&lt;name&gt;</c>, <c>nullable-integer</c> and
/// <c>nullable-boolean</c> groups (values + mask), string arrays of variable or fixed length, numeric and boolean
/// arrays. Columns of other kinds (for example two-dimensional arrays) are skipped.
/// </summary>
internal static class H5adFrameReader
{
    public static (string[] Index, AnnotationTable Columns) Read(H5Source src, string path)
    {
        var group = src.Group(path, "a data frame");
        var indexName = src.StringAttribute(group, path, "_index")
            ?? (src.Exists(path + "/_index") ? "_index" : src.Exists(path + "/index") ? "index" : null)
            ?? throw src.Error(path, "has no index (no '_index' attribute and no '_index' or 'index' dataset).");
        var indexPath = path + "/" + indexName;
        var indexDs = src.TryDataset(indexPath) ?? throw src.Error(indexPath, "missing; the data frame's '_index' attribute names it as the index.");
        var index = src.IsString(indexDs, indexPath) ? src.ReadStrings(indexDs, indexPath)
            : src.ReadReals(indexDs, indexPath).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var order = src.StringArrayAttribute(group, path, "column-order")
            ?? src.Children(group, path).Where(n => n != indexName && n != "__categories").Order(StringComparer.Ordinal).ToArray();

        var columns = new List<AnnotationColumn>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in order)
        {
            if (name == indexName || string.IsNullOrEmpty(name)) continue;
            if (!seen.Add(name)) throw src.Error(path, $"its 'column-order' attribute lists the column '{name}' twice.");
            var colPath = path + "/" + name;
            var obj = src.TryGet(colPath) ?? throw src.Error(colPath, "missing; the data frame's 'column-order' attribute lists it.");
            var column = obj switch
            {
                IH5Group g => ReadGroupColumn(src, g, colPath, name),
                IH5Dataset d => ReadDatasetColumn(src, d, colPath, name),
                _ => throw src.Error(colPath, "is neither a group nor a dataset; expected a data frame column."),
            };
            if (column is null) continue;
            if (column.Count != index.Length)
                throw src.Error(colPath, $"has {column.Count} rows; the index '{indexPath}' has {index.Length}.");
            columns.Add(column);
        }
        return (index, new AnnotationTable(index.Length, columns));
    }

    private static AnnotationColumn? ReadGroupColumn(H5Source src, IH5Group g, string path, string name)
    {
        var encoding = src.StringAttribute(g, path, "encoding-type");
        switch (encoding)
        {
            case "categorical":
                {
                    var codes = src.Dataset(path + "/codes", "the category codes");
                    var categories = src.Dataset(path + "/categories", "the categories");
                    bool ordered = src.IntegerArrayAttribute(g, path, "ordered") is [not 0, ..];
                    return Categorical(src, name, path + "/codes", codes, path + "/categories", categories, ordered);
                }
            case "nullable-integer" or "nullable-boolean":
                {
                    var values = src.ReadReals(src.Dataset(path + "/values", "the values"), path + "/values");
                    var mask = src.ReadReals(src.Dataset(path + "/mask", "the missing-value mask"), path + "/mask");
                    if (mask.Length != values.Length)
                        throw src.Error(path + "/mask", $"has {mask.Length} entries; values has {values.Length}.");
                    for (int i = 0; i < values.Length; i++) if (mask[i] != 0) values[i] = double.NaN;
                    return AnnotationColumn.Number(name, values);
                }
            case "nullable-string-array":
                {
                    var values = src.ReadStrings(src.Dataset(path + "/values", "the values"), path + "/values");
                    var mask = src.ReadReals(src.Dataset(path + "/mask", "the missing-value mask"), path + "/mask");
                    if (mask.Length != values.Length)
                        throw src.Error(path + "/mask", $"has {mask.Length} entries; values has {values.Length}.");
                    for (int i = 0; i < values.Length; i++) if (mask[i] != 0) values[i] = "";
                    return AnnotationColumn.Text(name, values);
                }
            default:
                return null;
        }
    }

    private static AnnotationColumn? ReadDatasetColumn(H5Source src, IH5Dataset ds, string path, string name)
    {
        var dims = src.Dimensions(ds, path);
        if (dims.Length != 1) return null;
        if (src.ReferenceAttribute(ds, path, "categories") is IH5Dataset categories)
            return Categorical(src, name, path, ds, path + "@categories", categories, ordered: false);
        if (src.IsString(ds, path)) return AnnotationColumn.Text(name, src.ReadStrings(ds, path));
        if (src.IsBoolean(ds, path))
        {
            int n = src.Length(ds, path);
            return AnnotationColumn.Boolean(name, src.ReadIntegers(ds, path, 0, n).Select(v => v != 0).ToArray());
        }
        if (src.IsNumeric(ds, path)) return AnnotationColumn.Number(name, src.ReadReals(ds, path));
        return null;
    }

    private static AnnotationColumn Categorical(H5Source src, string name, string codesPath, IH5Dataset codesDs,
        string categoriesPath, IH5Dataset categoriesDs, bool ordered)
    {
        var categories = src.IsString(categoriesDs, categoriesPath) ? src.ReadStrings(categoriesDs, categoriesPath)
            : src.IsNumeric(categoriesDs, categoriesPath)
                ? src.ReadReals(categoriesDs, categoriesPath).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray()
                : throw src.Error(categoriesPath, "holds neither strings nor numbers.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in categories)
            if (!seen.Add(c)) throw src.Error(categoriesPath, $"repeats the category '{c}'.");
        int n = src.Length(codesDs, codesPath);
        var raw = src.ReadIntegers(codesDs, codesPath, 0, n);
        var codes = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (raw[i] < -1 || raw[i] >= categories.Length)
                throw src.Error(codesPath, $"row {i} has the code {raw[i]}, outside [-1, {categories.Length}) for {categories.Length} categories.");
            codes[i] = (int)raw[i];
        }
        return AnnotationColumn.Categorical(name, categories, codes, ordered);
    }
}

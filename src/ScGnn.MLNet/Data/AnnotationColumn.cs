using System.Globalization;

namespace ScGnn.MLNet.Data;

/// <summary>
/// One named column of per-cell or per-gene annotations (an AnnData <c>obs</c> or <c>var</c> column): text,
/// categorical (codes into categories), numbers or booleans. Immutable; see <see cref="AnnotationTable"/>.
/// </summary>
public sealed class AnnotationColumn
{
    private readonly string[]? _texts;
    private readonly string[]? _categories;
    private readonly int[]? _codes;
    private readonly double[]? _numbers;
    private readonly bool[]? _booleans;

    private AnnotationColumn(string name, AnnotationColumnKind kind, int count, string[]? texts = null,
        string[]? categories = null, int[]? codes = null, bool ordered = false, double[]? numbers = null, bool[]? booleans = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Count = count;
        _texts = texts;
        _categories = categories;
        _codes = codes;
        Ordered = ordered;
        _numbers = numbers;
        _booleans = booleans;
    }

    /// <summary>A text column.</summary>
    public static AnnotationColumn Text(string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (Array.IndexOf(v, null) >= 0) throw new ArgumentException($"Column '{name}' has a null value.", nameof(values));
        return new AnnotationColumn(name, AnnotationColumnKind.Text, v.Length, texts: v);
    }

    /// <summary>A categorical column: <paramref name="codes"/> index <paramref name="categories"/>; -1 is missing.</summary>
    /// <exception cref="ArgumentException">A code is outside [-1, categories), or a category repeats.</exception>
    public static AnnotationColumn Categorical(string name, IReadOnlyList<string> categories, IReadOnlyList<int> codes, bool ordered = false)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(codes);
        var cats = categories.ToArray();
        if (cats.Distinct(StringComparer.Ordinal).Count() != cats.Length)
            throw new ArgumentException($"Column '{name}' repeats a category.", nameof(categories));
        var c = codes.ToArray();
        for (int i = 0; i < c.Length; i++)
            if (c[i] < -1 || c[i] >= cats.Length)
                throw new ArgumentException($"Column '{name}', row {i}: code {c[i]} is outside [-1, {cats.Length}).", nameof(codes));
        return new AnnotationColumn(name, AnnotationColumnKind.Categorical, c.Length, categories: cats, codes: c, ordered: ordered);
    }

    /// <summary>A numeric column (NaN is missing).</summary>
    public static AnnotationColumn Number(string name, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        return new AnnotationColumn(name, AnnotationColumnKind.Number, v.Length, numbers: v);
    }

    /// <summary>A boolean column.</summary>
    public static AnnotationColumn Boolean(string name, IReadOnlyList<bool> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        return new AnnotationColumn(name, AnnotationColumnKind.Boolean, v.Length, booleans: v);
    }

    /// <summary>The column name (the AnnData <c>obs</c>/<c>var</c> key).</summary>
    public string Name { get; }

    /// <summary>How the values are stored.</summary>
    public AnnotationColumnKind Kind { get; }

    /// <summary>Number of rows (cells or genes).</summary>
    public int Count { get; }

    /// <summary>Whether a categorical column's categories are ordered (pandas <c>ordered=True</c>).</summary>
    public bool Ordered { get; }

    /// <summary>The categories of a <see cref="AnnotationColumnKind.Categorical"/> column, else <c>null</c>.</summary>
    public IReadOnlyList<string>? Categories => _categories;

    /// <summary>The codes of a <see cref="AnnotationColumnKind.Categorical"/> column (-1 is missing), else <c>null</c>.</summary>
    public IReadOnlyList<int>? Codes => _codes;

    /// <summary>The values of a <see cref="AnnotationColumnKind.Text"/> column, else <c>null</c>.</summary>
    public IReadOnlyList<string>? Texts => _texts;

    /// <summary>The values of a <see cref="AnnotationColumnKind.Number"/> column, else <c>null</c>.</summary>
    public IReadOnlyList<double>? Numbers => _numbers;

    /// <summary>The values of a <see cref="AnnotationColumnKind.Boolean"/> column, else <c>null</c>.</summary>
    public IReadOnlyList<bool>? Booleans => _booleans;

    /// <summary>
    /// One row as text: the string, the category (<c>""</c> when missing), the number in invariant round-trip form
    /// (<c>""</c> for NaN), or <c>True</c>/<c>False</c>.
    /// </summary>
    public string GetText(int row) => Kind switch
    {
        AnnotationColumnKind.Text => _texts![row],
        AnnotationColumnKind.Categorical => _codes![row] < 0 ? "" : _categories![_codes[row]],
        AnnotationColumnKind.Number => double.IsNaN(_numbers![row]) ? "" : _numbers[row].ToString("R", CultureInfo.InvariantCulture),
        _ => _booleans![row] ? "True" : "False",
    };

    /// <summary>Every row as text (see <see cref="GetText"/>).</summary>
    public string[] ToText()
    {
        var result = new string[Count];
        for (int i = 0; i < result.Length; i++) result[i] = GetText(i);
        return result;
    }

    /// <summary>A new column with the given rows, in the given order (categories kept).</summary>
    public AnnotationColumn SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Kind switch
        {
            AnnotationColumnKind.Text => new AnnotationColumn(Name, Kind, rows.Count, texts: Pick(_texts!, rows)),
            AnnotationColumnKind.Categorical => new AnnotationColumn(Name, Kind, rows.Count, categories: _categories, codes: Pick(_codes!, rows), ordered: Ordered),
            AnnotationColumnKind.Number => new AnnotationColumn(Name, Kind, rows.Count, numbers: Pick(_numbers!, rows)),
            _ => new AnnotationColumn(Name, Kind, rows.Count, booleans: Pick(_booleans!, rows)),
        };
    }

    private static T[] Pick<T>(T[] values, IReadOnlyList<int> rows)
    {
        var result = new T[rows.Count];
        for (int i = 0; i < result.Length; i++) result[i] = values[rows[i]];
        return result;
    }
}

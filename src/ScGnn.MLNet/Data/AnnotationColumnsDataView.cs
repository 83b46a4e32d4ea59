using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Adds per-cell annotation columns (AnnData <c>obs</c>) to a view whose rows are those cells in order: text
/// columns stay text, numbers become <c>Double</c>, booleans <c>Boolean</c>, categorical columns text (the category,
/// empty when missing) or <c>UInt32</c> keys with the categories as <c>KeyValues</c> (0 = missing).
/// </summary>
internal sealed class AnnotationColumnsDataView : IDataView
{
    private readonly IDataView _source;
    private readonly AnnotationColumn[] _columns;
    private readonly bool[] _asKey;

    public AnnotationColumnsDataView(IDataView source, IReadOnlyList<AnnotationColumn> columns, bool categoricalAsKey)
    {
        _source = source;
        _columns = columns.ToArray();
        _asKey = _columns.Select(c => categoricalAsKey && c.Kind == AnnotationColumnKind.Categorical && c.Categories!.Count > 0).ToArray();
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        for (int k = 0; k < _columns.Length; k++)
        {
            var c = _columns[k];
            if (source.Schema.GetColumnOrNull(c.Name) is not null)
                throw new ArgumentException($"obs column '{c.Name}' has the name of a column already in the data; leave it out with ObsColumns.");
            if (_asKey[k])
            {
                var cats = c.Categories!.Select(s => s.AsMemory()).ToArray();
                var annotations = new DataViewSchema.Annotations.Builder();
                annotations.AddKeyValues(cats.Length, TextDataViewType.Instance,
                    (ref VBuffer<ReadOnlyMemory<char>> dst) => dst = new VBuffer<ReadOnlyMemory<char>>(cats.Length, (ReadOnlyMemory<char>[])cats.Clone()));
                builder.AddColumn(c.Name, new KeyDataViewType(typeof(uint), cats.Length), annotations.ToAnnotations());
            }
            else
            {
                builder.AddColumn(c.Name, c.Kind switch
                {
                    AnnotationColumnKind.Number => NumberDataViewType.Double,
                    AnnotationColumnKind.Boolean => BooleanDataViewType.Instance,
                    _ => (DataViewType)TextDataViewType.Instance,
                });
            }
        }
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inner = needed.Where(c => c.Index < _source.Schema.Count).Select(c => _source.Schema[c.Index]).ToArray();
        var active = new bool[_columns.Length];
        foreach (var c in needed) if (c.Index >= _source.Schema.Count) active[c.Index - _source.Schema.Count] = true;
        return new Cursor(this, _source.GetRowCursor(inner), active);
    }

    // Rows are looked up by position, so one cursor serves every consumer.
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(AnnotationColumnsDataView parent, DataViewRowCursor inner, bool[] active) : DataViewRowCursor
    {
        private int Offset => parent._source.Schema.Count;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override DataViewSchema Schema => parent.Schema;

        public override bool MoveNext() => inner.MoveNext();

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index < Offset ? inner.IsColumnActive(parent._source.Schema[column.Index]) : active[column.Index - Offset];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < Offset) return inner.GetGetter<TValue>(parent._source.Schema[column.Index]);
            int k = column.Index - Offset;
            if (!active[k]) throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            var c = parent._columns[k];
            Delegate getter;
            if (parent._asKey[k])
                getter = (ValueGetter<uint>)((ref uint dst) => dst = (uint)(c.Codes![Row()] + 1));
            else if (c.Kind == AnnotationColumnKind.Number)
                getter = (ValueGetter<double>)((ref double dst) => dst = c.Numbers![Row()]);
            else if (c.Kind == AnnotationColumnKind.Boolean)
                getter = (ValueGetter<bool>)((ref bool dst) => dst = c.Booleans![Row()]);
            else
                getter = (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> dst) => dst = c.GetText(Row()).AsMemory());
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; requested {typeof(TValue)}.");
        }

        private int Row() => checked((int)inner.Position);

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

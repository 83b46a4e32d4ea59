using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>
/// Passes every column of a source view through and appends one text column whose value is looked up, per row,
/// from the row's cell id. Cursors read the id column of the source whenever the label is requested.
/// </summary>
internal sealed class LabelColumnDataView : IDataView
{
    private readonly IDataView _source;
    private readonly int _idColumn;
    private readonly int _labelColumn;
    private readonly Dictionary<string, string> _labels;

    public LabelColumnDataView(IDataView source, int idColumn, string labelColumnName, Dictionary<string, string> labels)
    {
        _source = source;
        _idColumn = idColumn;
        _labels = labels;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        builder.AddColumn(labelColumnName, TextDataViewType.Instance);
        Schema = builder.ToSchema();
        _labelColumn = Schema.Count - 1;
    }

    public bool CanShuffle => _source.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var (inner, label) = Inner(columnsNeeded);
        return new Cursor(this, _source.GetRowCursor(inner, rand), label);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        var (inner, label) = Inner(columnsNeeded);
        return _source.GetRowCursorSet(inner, n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c, label)).ToArray();
    }

    private (List<DataViewSchema.Column> Inner, bool Label) Inner(IEnumerable<DataViewSchema.Column> needed)
    {
        var inner = new List<DataViewSchema.Column>();
        bool label = false;
        foreach (var c in needed)
        {
            if (c.Index == _labelColumn) label = true;
            else inner.Add(_source.Schema[c.Index]);
        }
        if (label && inner.All(c => c.Index != _idColumn)) inner.Add(_source.Schema[_idColumn]);
        return (inner, label);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly LabelColumnDataView _parent;
        private readonly DataViewRowCursor _inner;
        private readonly bool _label;

        public Cursor(LabelColumnDataView parent, DataViewRowCursor inner, bool label)
        {
            _parent = parent;
            _inner = inner;
            _label = label;
        }

        public override long Position => _inner.Position;
        public override long Batch => _inner.Batch;
        public override DataViewSchema Schema => _parent.Schema;
        public override bool MoveNext() => _inner.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent._labelColumn ? _label : _inner.IsColumnActive(_parent._source.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _parent._labelColumn)
                return _inner.GetGetter<TValue>(_parent._source.Schema[column.Index]);
            if (!_label)
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            var getId = _inner.GetGetter<ReadOnlyMemory<char>>(_parent._source.Schema[_parent._idColumn]);
            var lookup = _parent._labels.GetAlternateLookup<ReadOnlySpan<char>>();
            ReadOnlyMemory<char> id = default;
            ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> dst) =>
            {
                getId(ref id);
                dst = lookup.TryGetValue(id.Span, out var label) ? label.AsMemory() : ReadOnlyMemory<char>.Empty;
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is text; requested {typeof(TValue)}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

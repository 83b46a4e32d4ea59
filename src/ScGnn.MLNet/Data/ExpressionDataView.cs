using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Data;

/// <summary>A read-only, cursorable view over an <see cref="ExpressionMatrix"/>; rows are cells.</summary>
internal sealed class ExpressionDataView : IDataView
{
    private readonly ExpressionMatrix _matrix;

    internal ExpressionDataView(ExpressionMatrix matrix, string expressionColumnName, string cellIdColumnName)
    {
        _matrix = matrix;
        if (expressionColumnName == cellIdColumnName)
            throw new ArgumentException($"The expression and cell-id columns must have different names ('{cellIdColumnName}').");
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(cellIdColumnName, TextDataViewType.Instance);
        builder.AddColumn(expressionColumnName, new VectorDataViewType(NumberDataViewType.Single, matrix.GeneCount),
            ExpressionSchema.SlotNameAnnotations(matrix.GeneIds));
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _matrix.CellCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new DataViewRowCursor[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ExpressionDataView _parent;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(ExpressionDataView parent, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _parent = parent;
            _active = new bool[parent.Schema.Count];
            foreach (var c in columnsNeeded) _active[c.Index] = true;
        }

        public override long Position => _position;
        public override long Batch => 0;
        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 >= _parent._matrix.CellCount)
            {
                _position = _parent._matrix.CellCount;
                return false;
            }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            var m = _parent._matrix;
            if (column.Index == 0)
            {
                ValueGetter<ReadOnlyMemory<char>> idGetter = (ref ReadOnlyMemory<char> dst) => dst = m.CellIds[checked((int)_position)].AsMemory();
                return idGetter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is text; requested {typeof(TValue)}.");
            }
            ValueGetter<VBuffer<float>> rowGetter = (ref VBuffer<float> dst) =>
            {
                int cell = checked((int)_position);
                var idx = m.RowIndices(cell);
                var val = m.RowValues(cell);
                var editor = VBufferEditor.Create(ref dst, m.GeneCount, val.Length);
                val.CopyTo(editor.Values);
                // A full row (indices strictly increasing, so exactly 0..n-1) is dense and has no indices.
                if (val.Length < m.GeneCount) idx.CopyTo(editor.Indices);
                dst = editor.Commit();
            };
            return rowGetter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is Vector<Single>; requested {typeof(TValue)}.");
        }
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace ScGnn.MLNet.Imputation;

/// <summary>
/// The input view plus one computed dense vector column (the last in the schema). The batch is prepared once, on
/// first use (each row depends on its neighbours); then each cursor computes its rows one block at a time.
/// </summary>
internal sealed class ImputedDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Lazy<ImputationBatch> _batch;
    private readonly int _size;

    internal ImputedDataView(IDataView input, DataViewSchema schema, Func<ImputationBatch> prepare)
    {
        _input = input;
        Schema = schema;
        _batch = new Lazy<ImputationBatch>(prepare, LazyThreadSafetyMode.ExecutionAndPublication);
        _size = ((VectorDataViewType)schema[schema.Count - 1].Type).Size;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        var inputCols = needed.Where(c => c.Index < _input.Schema.Count).Select(c => _input.Schema[c.Index]).ToList();
        bool wantOutput = needed.Any(c => c.Index == Schema.Count - 1);
        return new Cursor(this, _input.GetRowCursor(inputCols), wantOutput);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ImputedDataView _parent;
        private readonly DataViewRowCursor _inner;
        private readonly bool _wantOutput;
        private long _row = -1;
        private int _blockStart = -1;
        private float[] _block = Array.Empty<float>();

        public Cursor(ImputedDataView parent, DataViewRowCursor inner, bool wantOutput)
        {
            _parent = parent;
            _inner = inner;
            _wantOutput = wantOutput;
        }

        public override long Position => _row;
        public override long Batch => 0;
        public override DataViewSchema Schema => _parent.Schema;

        public override bool MoveNext()
        {
            if (!_inner.MoveNext()) return false;
            _row++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _parent.Schema.Count - 1 ? _wantOutput : _inner.IsColumnActive(_inner.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent._input.Schema.Count)
                return _inner.GetGetter<TValue>(_inner.Schema[column.Index]);
            if (!_wantOutput) throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> dst) =>
            {
                var batch = _parent._batch.Value;
                int size = _parent._size;
                int row = checked((int)_row);
                if (row >= batch.Cells) throw new InvalidOperationException($"Row {row} is beyond the {batch.Cells} cells the batch was read with.");
                if (_blockStart < 0 || row < _blockStart || row >= _blockStart + batch.BlockRows)
                {
                    _blockStart = row / batch.BlockRows * batch.BlockRows;
                    _block = batch.OutputRows(_blockStart, Math.Min(batch.BlockRows, batch.Cells - _blockStart));
                }
                var editor = VBufferEditor.Create(ref dst, size);
                _block.AsSpan((row - _blockStart) * size, size).CopyTo(editor.Values);
                dst = editor.Commit();
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is Vector<Single>; requested {typeof(TValue)}.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

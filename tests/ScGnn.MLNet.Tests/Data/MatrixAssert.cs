using ScGnn.MLNet.Data;

namespace ScGnn.MLNet.Tests.Data;

internal static class MatrixAssert
{
    /// <summary>Same ids and bit-identical values (explicit zeros ignored).</summary>
    public static void Equal(ExpressionMatrix expected, ExpressionMatrix actual, bool symbols = false)
    {
        Assert.Equal(expected.CellIds, actual.CellIds);
        Assert.Equal(expected.GeneIds, actual.GeneIds);
        if (symbols) Assert.Equal(expected.GeneSymbols, actual.GeneSymbols);
        Assert.Equal(expected.NonZeroCount, actual.NonZeroCount);
        var e = expected.ToDense();
        var a = actual.ToDense();
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]) || (e[i] == 0 && a[i] == 0),
                $"entry {i / expected.GeneCount},{i % expected.GeneCount}: expected {e[i]:R}, got {a[i]:R}");
    }

    /// <summary>A small matrix with awkward values, empty rows and columns, and ids that need quoting in CSV.</summary>
    public static ExpressionMatrix Awkward()
    {
        string[] cells = ["AAAC-1", "cell,with comma", "q\"uote", "empty-cell", "Ünïcode"];
        string[] genes = ["ENSG1", "ENSG2.1", "gene with space", "zero-gene", "ENSG5"];
        float[] dense =
        [
            1, 0, 2.5f, 0, 0.1f,
            0, 3.4028235e38f, 0, 0, 1e-8f,
            123456.79f, 0, 0, 0, float.Epsilon,
            0, 0, 0, 0, 0,
            7, 1f / 3f, 0.3f, 0, 65504.5f,
        ];
        return ExpressionMatrix.FromDense(dense, cells, genes);
    }

    /// <summary>A small integer count matrix with gene symbols.</summary>
    public static ExpressionMatrix Counts()
    {
        float[] dense =
        [
            1, 0, 2, 0,
            0, 5, 0, 0,
            0, 0, 0, 0,
            3, 0, 0, 100000,
        ];
        var m = ExpressionMatrix.FromDense(dense, ["c1", "c2", "c3", "c4"], ["G1", "G2", "G3", "G4"]);
        return new ExpressionMatrix(m.CellIds, m.GeneIds, m.RowPointers.ToArray(), m.ColumnIndices.ToArray(), m.Values.ToArray(),
            ["Sym1", "Sym2", "Sym1", "Sym4"]);
    }
}

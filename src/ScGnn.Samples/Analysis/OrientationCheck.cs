using System.Text.RegularExpressions;
using ScGnn.MLNet.Data;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>
/// Detects a genes x cells table read as cells x genes (a common layout of published CSVs): the column headers look
/// like cell barcodes, or the row ids look like Ensembl gene ids. Such a file is refused with the hint to pass
/// <c>--transpose</c>, rather than imputed with cells and genes swapped.
/// </summary>
internal static partial class OrientationCheck
{
    /// <summary>The reason the matrix looks transposed, or null.</summary>
    public static string? Suspect(ExpressionMatrix matrix)
    {
        int barcodes = matrix.GeneIds.Count(id => Barcode().IsMatch(id));
        if (matrix.GeneCount > 0 && barcodes * 2 > matrix.GeneCount)
            return $"{Fmt.N(barcodes)} of its {Fmt.N(matrix.GeneCount)} column headers look like cell barcodes (e.g. '{matrix.GeneIds.First(id => Barcode().IsMatch(id))}')";
        int genes = matrix.CellIds.Count(id => EnsemblGene().IsMatch(id));
        if (matrix.CellCount > 0 && genes * 2 > matrix.CellCount)
            return $"{Fmt.N(genes)} of its {Fmt.N(matrix.CellCount)} row ids look like Ensembl gene ids (e.g. '{matrix.CellIds.First(id => EnsemblGene().IsMatch(id))}')";
        return null;
    }

    /// <summary>Genes become cells and cells genes (a CSR transpose; values and sparsity kept).</summary>
    public static ExpressionMatrix Transpose(ExpressionMatrix m)
    {
        var counts = new int[m.GeneCount + 1];
        var cols = m.ColumnIndices;
        foreach (int j in cols) counts[j + 1]++;
        for (int j = 0; j < m.GeneCount; j++) counts[j + 1] += counts[j];
        var rowPointers = (int[])counts.Clone();
        var next = (int[])counts.Clone();
        var columnIndices = new int[cols.Length];
        var values = new float[cols.Length];
        for (int i = 0; i < m.CellCount; i++)
        {
            var idx = m.RowIndices(i);
            var val = m.RowValues(i);
            for (int k = 0; k < idx.Length; k++)
            {
                int at = next[idx[k]]++;
                columnIndices[at] = i;
                values[at] = val[k];
            }
        }
        return new ExpressionMatrix(m.GeneIds, m.CellIds, rowPointers, columnIndices, values);
    }

    // 10x-style barcodes (AAACATACAACCAC-1, optionally with a sample prefix such as "s1_"), 12 bases or more.
    [GeneratedRegex(@"^([A-Za-z0-9]+[_:.#-])?[ACGTN]{12,}([-_.]\d+)?$")]
    private static partial Regex Barcode();

    [GeneratedRegex(@"^ENS[A-Z]*G\d{6,}(\.\d+)?$")]
    private static partial Regex EnsemblGene();
}

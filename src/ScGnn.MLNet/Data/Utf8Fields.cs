using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace ScGnn.MLNet.Data;

/// <summary>Field splitting helpers over UTF-8 lines.</summary>
internal static class Utf8Fields
{
    /// <summary>
    /// Finds the next whitespace-separated (space or tab) token at or after <paramref name="pos"/>. Returns false at
    /// the end of the line; otherwise <paramref name="start"/> and <paramref name="length"/> locate the token and
    /// <paramref name="pos"/> moves past it.
    /// </summary>
    public static bool NextToken(ReadOnlySpan<byte> line, ref int pos, out int start, out int length)
    {
        int i = pos;
        while (i < line.Length && (line[i] == (byte)' ' || line[i] == (byte)'\t')) i++;
        if (i == line.Length) { pos = i; start = i; length = 0; return false; }
        int s = i;
        while (i < line.Length && line[i] != (byte)' ' && line[i] != (byte)'\t') i++;
        start = s;
        length = i - s;
        pos = i;
        return true;
    }

    /// <summary>True when the line has only spaces and tabs.</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
            if (b != (byte)' ' && b != (byte)'\t') return false;
        return true;
    }

    /// <summary>Splits a line on one separator byte (no quoting), returning the field strings.</summary>
    public static List<string> SplitPlain(ReadOnlySpan<byte> line, byte separator)
    {
        var fields = new List<string>();
        while (true)
        {
            int k = line.IndexOf(separator);
            if (k < 0) { fields.Add(Encoding.UTF8.GetString(line)); return fields; }
            fields.Add(Encoding.UTF8.GetString(line[..k]));
            line = line[(k + 1)..];
        }
    }

    /// <summary>
    /// Decodes a field as strict UTF-8. Invalid bytes are an <see cref="ExpressionFormatException"/> naming the line
    /// and the column of the first bad byte, rather than silently becoming U+FFFD (two different Latin-1 ids would
    /// otherwise decode to the same string).
    /// </summary>
    /// <param name="field">The field's bytes.</param>
    /// <param name="path">The file, for the message.</param>
    /// <param name="line">1-based line number.</param>
    /// <param name="column">1-based byte column where the field starts.</param>
    /// <param name="what">What the field is ("gene id"), for the message.</param>
    public static string DecodeStrict(ReadOnlySpan<byte> field, string path, long line, int column, string what)
    {
        if (Utf8.IsValid(field)) return Encoding.UTF8.GetString(field);
        int bad = FirstInvalidByte(field);
        throw new ExpressionFormatException(path, line, column + bad,
            $"{what} is not valid UTF-8 (byte 0x{field[bad].ToString("X2", CultureInfo.InvariantCulture)}); save the file as UTF-8.");
    }

    /// <summary>Offset of the first byte that does not start a valid UTF-8 sequence (the field must be invalid).</summary>
    private static int FirstInvalidByte(ReadOnlySpan<byte> field)
    {
        int i = 0;
        while (i < field.Length)
        {
            if (Rune.DecodeFromUtf8(field[i..], out _, out int consumed) != OperationStatus.Done) return i;
            i += consumed;
        }
        return 0;
    }

    /// <summary>ASCII case-insensitive equality of a UTF-8 token with an ASCII word.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> token, string word)
    {
        if (token.Length != word.Length) return false;
        for (int i = 0; i < token.Length; i++)
        {
            int a = token[i], b = word[i];
            if (a >= 'A' && a <= 'Z') a += 32;
            if (b >= 'A' && b <= 'Z') b += 32;
            if (a != b) return false;
        }
        return true;
    }
}

using System.Text;

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

namespace ScGnn.MLNet.Fuzz;

/// <summary>One input of a fuzz target: the files of one case (name -> bytes), written into a fresh folder.</summary>
/// <param name="Name">Which seed (or bomb) it came from.</param>
/// <param name="Files">File names (in the case folder) and contents.</param>
internal sealed record FuzzInput(string Name, IReadOnlyDictionary<string, byte[]> Files)
{
    /// <summary>Total bytes of all files.</summary>
    public long Size => Files.Values.Sum(f => (long)f.Length);

    /// <summary>A copy with one file replaced.</summary>
    public FuzzInput With(string file, byte[] bytes)
    {
        var files = new Dictionary<string, byte[]>(Files) { [file] = bytes };
        return this with { Files = files };
    }
}

using System.Text;
using ScGnn.MLNet.Data;

namespace ScGnn.Samples.Cli;

/// <summary>
/// Files the app writes itself (model zips, report.md, JSON, cluster tables): written to a hidden temporary file in
/// the target folder and moved over the target only when complete (the library's <see cref="AtomicOutput"/>).
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => AtomicOutput.WriteFile(path, write);

    public static void WriteText(string path, string text) =>
        Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));
}

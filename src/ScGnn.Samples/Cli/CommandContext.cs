using Spectre.Console;

namespace ScGnn.Samples.Cli;

/// <summary>
/// What a command may use: standard output as text lines, the same output as a Spectre console (tables), the
/// progress reporter and the Ctrl+C token.
/// </summary>
internal sealed record CommandContext(TextWriter Out, IAnsiConsole Console, ProgressReporter Progress, CancellationToken Cancellation)
{
    /// <summary>Writes a table (drawn by Spectre.Console) followed by nothing else.</summary>
    public void Write(ConsoleTable table) => table.WriteTo(Console);

    /// <summary>A warning: one line "warning: ..." on standard error, after ending any progress line.</summary>
    public void Warn(string message)
    {
        Progress.EndOpenLine();
        Out.Flush();
        System.Console.Error.WriteLine("warning: " + ErrorText.OneLine(message));
    }
}

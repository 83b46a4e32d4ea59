namespace ScGnn.Samples.Cli;

/// <summary>A failure whose message is already the one line the user should read; exit code 1.</summary>
internal sealed class CommandFailedException : Exception
{
    public CommandFailedException(string message) : base(message) { }

    public CommandFailedException(string message, Exception inner) : base(message, inner) { }
}

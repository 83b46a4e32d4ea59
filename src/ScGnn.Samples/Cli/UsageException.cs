namespace ScGnn.Samples.Cli;

/// <summary>A problem with the command line itself (unknown option, missing value); exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}

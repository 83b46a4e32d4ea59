using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Commands;

/// <summary>What a command may use: standard output, the progress reporter and the Ctrl+C token.</summary>
internal sealed record CommandContext(TextWriter Out, ProgressReporter Progress, CancellationToken Cancellation);

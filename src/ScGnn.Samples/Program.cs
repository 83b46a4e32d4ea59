using System.CommandLine;
using ScGnn.Samples.Cli;
using ScGnn.Samples.Commands;
using Spectre.Console;

namespace ScGnn.Samples;

/// <summary>
/// The <c>scgnn</c> command-line tool (System.CommandLine for parsing and help, Spectre.Console for progress and
/// tables). Exit codes: 0 success, 1 failure, 2 bad command line, 130 interrupted (Ctrl+C), 143 terminated (SIGTERM; no partial output is left). Every failure is one line
/// <c>error: ...</c> on standard error (set SCGNN_DEBUG=1 for the full exception).
/// </summary>
internal static class Program
{
    public const int Success = 0, Failure = 1, BadUsage = 2, Interrupted = 130;

    private const string RootDetails = """
        Run 'scgnn <command> --help' for a command's options; 'scgnn' alone runs the demo on simulated data and
        writes a report to ./scgnn-output.
        Inputs: a 10x folder (matrix.mtx[.gz], features.tsv[.gz] or genes.tsv, barcodes.tsv[.gz]), .mtx[.gz],
        .csv[.gz] / .tsv[.gz] (cells x genes, header 'cell' then gene ids), .parquet, AnnData .h5ad or Cell Ranger .h5.
        Outputs by extension (.h5ad, .csv, .tsv, .parquet; no extension = 10x folder); others are refused before any work.
        Exit codes: 0 success, 1 failure, 2 bad command line, 130 interrupted (Ctrl+C), 143 terminated (SIGTERM; no partial output is left).
        """;

    public static int Main(string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        bool interactive = console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi
            && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
        // Redirected: tables are not cut to the 80 columns Spectre assumes without a terminal.
        if (!interactive) console.Profile.Width = 200;
        var progress = new ProgressReporter(Console.Out, interactive ? console : null);
        using var cancel = new CancellationTokenSource();
        // First Ctrl+C: stop between epochs / iterations and exit cleanly; a second one kills the process.
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested)
            {
                OutputCommit.RemoveAllStaged();
                return;
            }
            e.Cancel = true;
            cancel.Cancel();
        };
        // A termination signal (a scheduler's time limit, kill): end at once, as the default would, but first remove
        // the outputs being written; the user's existing files were never touched.
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => OutputCommit.RemoveAllStaged());
        var context = new CommandContext(Console.Out, console, progress, cancel.Token);
        AppCommand[] commands =
        {
            new DemoCommand(), new ImputeCommand(), new ApplyCommand(), new EvaluateCommand(), new ReportCommand(),
        };
        try
        {
            var line = new Cli.CommandLine(commands, RootDetails, () => context);
            var parsed = line.Parse(args);
            if (parsed.Action is System.CommandLine.Invocation.ParseErrorAction) throw new UsageException(line.Describe(parsed));
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (Exception e)
        {
            progress.EndOpenLine();
            Console.Out.Flush();
            Console.Error.WriteLine("error: " + ErrorText.For(e));
            if (Environment.GetEnvironmentVariable("SCGNN_DEBUG") == "1") Console.Error.WriteLine(e);
            return e is UsageException ? BadUsage : cancel.IsCancellationRequested ? Interrupted : Failure;
        }
    }
}

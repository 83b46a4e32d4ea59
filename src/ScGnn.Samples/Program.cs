using System.Reflection;
using ScGnn.Samples.Cli;
using ScGnn.Samples.Commands;

namespace ScGnn.Samples;

/// <summary>
/// The <c>scgnn</c> command-line tool. Exit codes: 0 success, 1 failure, 2 bad command line, 130 interrupted.
/// Every failure is one line <c>error: ...</c> on standard error (set SCGNN_DEBUG=1 for the full exception).
/// </summary>
internal static class Program
{
    public const int Success = 0, Failure = 1, BadUsage = 2, Interrupted = 130;

    private static readonly Command[] Commands =
    {
        new DemoCommand(), new ImputeCommand(), new ApplyCommand(), new EvaluateCommand(), new ReportCommand(),
    };

    public static int Main(string[] args)
    {
        var progress = ProgressReporter.ForConsole();
        using var cancel = new CancellationTokenSource();
        // First Ctrl+C: stop between epochs / iterations and exit cleanly; a second one kills the process.
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        var context = new CommandContext(Console.Out, progress, cancel.Token);
        try
        {
            return Run(args, context);
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

    private static int Run(string[] args, CommandContext context)
    {
        if (args.Length == 1 && args[0] is "--version" or "-V")
        {
            context.Out.WriteLine("scgnn " + Version());
            return Success;
        }
        if (args.Length >= 1 && args[0] is "--help" or "-h" or "help")
        {
            if (args.Length == 2 && args[0] == "help") return ShowHelp(Find(args[1]), context);
            if (args.Length > 1 && args[0] == "help") throw new UsageException("'help' takes one command name, e.g. 'scgnn help impute'.");
            context.Out.WriteLine(MainHelp());
            return Success;
        }
        // No command, or only options: the demo (the README's main job).
        Command command;
        string[] rest;
        if (args.Length == 0 || args[0].StartsWith('-')) { command = Commands[0]; rest = args; }
        else { command = Find(args[0]); rest = args[1..]; }
        if (CommandLineParser.WantsHelp(rest)) return ShowHelp(command, context);
        var parsed = command.Parse(rest);
        return command.Run(parsed, context);
    }

    private static int ShowHelp(Command command, CommandContext context)
    {
        context.Out.WriteLine(command.Help());
        return Success;
    }

    private static Command Find(string name) =>
        Commands.FirstOrDefault(c => c.Name == name)
        ?? throw new UsageException($"unknown command '{name}'; commands: {string.Join(", ", Commands.Select(c => c.Name))} (see 'scgnn --help').");

    private static string MainHelp()
    {
        var lines = string.Join("\n", Commands.Select(c => $"  {c.Name,-10}{c.Summary}"));
        return $"""
            scgnn {Version()}: SCGNN dropout imputation for single-cell RNA-seq (ML.NET + TorchSharp)

            Usage:
              scgnn                      run the demo on simulated data and write a report to ./scgnn-output
              scgnn <command> [options]

            Commands:
            {lines}

            Run 'scgnn <command> --help' for a command's options.
            Inputs: a 10x folder (matrix.mtx[.gz], features.tsv[.gz] or genes.tsv, barcodes.tsv[.gz]), .mtx[.gz],
            .csv[.gz] / .tsv[.gz] (cells x genes, header 'cell' then gene ids) or .parquet.
            Exit codes: 0 success, 1 failure, 2 bad command line, 130 interrupted.
            """;
    }

    private static string Version()
    {
        var v = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        int plus = v.IndexOf('+');
        return plus > 0 ? v[..plus] : v;
    }
}

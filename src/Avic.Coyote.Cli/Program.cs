using System.Threading;
using Avic.Coyote.Cli.Commands;
using Avic.Coyote.Cli.Options;

namespace Avic.Coyote.Cli;

/// <summary>The `coyote` command line. <see cref="Run"/> is the whole program, so tests can call it in-process.</summary>
public static class Program
{
    /// <summary>The commands, in help order. A new command is one line here (and its class in Commands/).</summary>
    public static readonly IReadOnlyList<CommandInfo> Commands =
    [
        ListCommand.Info,
        TestCommand.Info,
        CheckCommand.Info,
        ReplayCommand.Info,
        MinimizeCommand.Info,
        HuntCommand.Info,
        MergeReportsCommand.Info,
        KernelDiffCommand.Info,
    ];

    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested) return; // a second Ctrl-C ends the process
            e.Cancel = true;
            cancel.Cancel();
        };
        return Run(args, new CliContext(Console.Out, Console.Error, Environment.CurrentDirectory) { Cancellation = cancel.Token });
    }

    public static int Run(string[] args, CliContext context)
    {
        string? command = null;
        try
        {
            if (args.Length == 0)
            {
                WriteUsage(context.Error);
                return ExitCode.UsageError;
            }
            if (args[0] is "-h" or "--help" or "help")
                return Help(args.Length > 1 ? args[1] : null, context);
            if (args[0] is "--version")
            {
                context.Out.WriteLine($"coyote {Testing.ScheduleFile.EngineVersion}");
                return ExitCode.Ok;
            }
            CommandInfo info = Find(args[0]);
            command = info.Name;
            string[] rest = args[1..];
            if (rest.TakeWhile(a => a != "--").Any(a => a is "-h" or "--help")) return Help(info.Name, context);
            ParsedArgs parsed = OptionParser.Parse(info.Name, rest, info.Options, info.MaxPositionals, info.Arguments);
            return info.Run(parsed, context);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"coyote: error: {e.Message}");
            context.Error.WriteLine(e.Command is null ? "Run 'coyote --help' for usage." : $"Run 'coyote help {e.Command}' for usage.");
            return ExitCode.UsageError;
        }
        catch (InputException e)
        {
            context.Error.WriteLine($"coyote: error: {e.Message}");
            return ExitCode.UsageError;
        }
        catch (Exception e)
        {
            // Not the user's fault: a short message; the stack only on request.
            context.Error.WriteLine($"coyote: internal error{(command is null ? "" : $" in '{command}'")}: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("COYOTE_DEBUG") is "1") context.Error.WriteLine(e);
            else context.Error.WriteLine("(set COYOTE_DEBUG=1 to see the stack trace)");
            return ExitCode.InternalError;
        }
    }

    private static CommandInfo Find(string name) =>
        Commands.FirstOrDefault(c => c.Name == name)
        ?? throw new UsageException(name.StartsWith('-')
            ? $"unknown option '{name}' (options go after the command, e.g. coyote test {name})"
            : $"unknown command '{name}' (commands: {string.Join(", ", Commands.Select(c => c.Name))})");

    private static int Help(string? name, CliContext context)
    {
        if (name is null)
        {
            WriteUsage(context.Out);
            return ExitCode.Ok;
        }
        CommandInfo info = Find(name);
        TextWriter o = context.Out;
        o.WriteLine($"usage: coyote {info.Name} {info.Arguments}{(info.Options.Count > 0 ? " [options]" : "")}");
        o.WriteLine();
        o.WriteLine($"  {info.Summary}");
        if (info.Details is not null) o.WriteLine($"  {info.Details}");
        if (info.Options.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("options:");
            int width = info.Options.Max(s => s.Usage.Length);
            foreach (OptionSpec s in info.Options)
                o.WriteLine($"  {s.Usage.PadRight(width)}  {s.Help}" +
                            (s.Max < double.MaxValue ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" [{s.Min:#,0.###} to {s.Max:#,0}]") : ""));
        }
        return ExitCode.Ok;
    }

    private static void WriteUsage(TextWriter w)
    {
        w.WriteLine("usage: coyote COMMAND [arguments] [options]");
        w.WriteLine();
        w.WriteLine("Systematic concurrency testing of the models in Avic.Coyote.Models (or any assembly with [Test] methods).");
        w.WriteLine();
        w.WriteLine("commands:");
        int width = Commands.Max(c => c.Name.Length + 1 + c.Arguments.Length);
        foreach (CommandInfo c in Commands) w.WriteLine($"  {(c.Name + " " + c.Arguments).PadRight(width)}  {c.Summary}");
        w.WriteLine();
        w.WriteLine("Run 'coyote help COMMAND' for its options. Settings default from ./coyote.json; flags override them.");
        w.WriteLine("Exit codes: 0 ok, 1 bug found (check, hunt: expectation not met), 2 usage or input error, 3 internal error, 130 interrupted (Ctrl-C).");
    }
}

using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>`coyote replay SCHEDULE [ASSEMBLY]`: re-executes a recorded schedule and says whether its bug comes back.</summary>
public static class ReplayCommand
{
    private static readonly OptionSpec TraceOut = new("--trace-out", null, OptionKind.String, "write the whole trace to FILE", "FILE");

    public static readonly CommandInfo Info = new("replay", "SCHEDULE [ASSEMBLY]", 2,
        "re-execute a .schedule file and show its trace and bug", [TraceOut, MinimizeCommand.HtmlOption], Run,
        "Exit 1: the recorded bug reproduces (or another bug occurs); 0: the run is clean; 2: the schedule cannot be replayed.");

    /// <summary>How many trace lines the console shows; --trace-out has them all.</summary>
    private const int TailLines = 20;

    public static int Run(ParsedArgs args, CliContext context)
    {
        string path = args.Positional(0) ?? throw new UsageException("replay needs a SCHEDULE file (e.g. coyote-out/Samples.LostUpdate.schedule)", args.Command);
        ScheduleFile schedule = Load(context, path);
        TestCase test = TestSelection.ForSchedule(context, args.Positional(1), schedule, path);

        ReplayResult result = TestingEngine.Replay(test, schedule);
        TextWriter o = context.Out;
        o.WriteLine($"replaying {path}: test {schedule.Test}, {schedule.Decisions.Length} decisions, " +
                    $"recorded with {schedule.Strategy} seed {schedule.Seed} (iteration {schedule.Iteration + 1})");
        if (result.Trace.Count > TailLines) o.WriteLine($"  ... {result.Trace.Count - TailLines} earlier trace lines" + (args.Has(TraceOut.Long) ? "" : " (all of them: --trace-out FILE)"));
        foreach (var line in result.Trace.Skip(Math.Max(0, result.Trace.Count - TailLines))) o.WriteLine(line);
        if (args.GetString(TraceOut.Long) is { } traceOut) WriteTrace(context, traceOut, result);
        if (args.GetString(MinimizeCommand.HtmlOption.Long) is { } html)
        {
            MinimizeCommand.WritePicture(context, html, test, schedule, result.Trace);
            o.WriteLine($"picture written to {html}");
        }

        if (result.Divergence is not null) throw new InputException($"{path}: cannot replay: {result.Divergence}");
        o.WriteLine($"recorded bug: {schedule.Bug?.ToString() ?? "none"}");
        if (result.Bug is null)
        {
            o.WriteLine($"replay: no bug in {result.Steps} steps" + (schedule.Bug is null ? "" : " (the recorded bug did NOT reproduce)"));
            return ExitCode.Ok;
        }
        o.WriteLine($"replay bug:   {result.Bug}");
        if (!result.Reproduces(schedule.Bug))
            o.WriteLine("replay: found a DIFFERENT bug than the one recorded (has the model changed?)");
        else if (Differences(schedule.Bug!, result.Bug) is { Count: > 0 } differences)
            o.WriteLine($"replay: same kind of bug at the same step, but {string.Join("; ", differences)}");
        else
            o.WriteLine("replay: reproduces the recorded bug (same kind, invariant, step, operation and message)");
        return ExitCode.BugFound;
    }

    /// <summary>What the file says about its bug that the replay does not (a hand-edited file, or a model whose message changed).</summary>
    private static List<string> Differences(BugReport recorded, BugReport replayed)
    {
        var d = new List<string>();
        if (recorded.Operation != replayed.Operation)
            d.Add($"the operation differs: recorded '{recorded.Operation ?? "(none)"}', replay '{replayed.Operation ?? "(none)"}'");
        if (recorded.Message != replayed.Message)
            d.Add($"the message differs: recorded '{recorded.Message}', replay '{replayed.Message}'");
        return d;
    }

    internal static ScheduleFile Load(CliContext context, string path)
    {
        string full = context.Resolve(path);
        if (!File.Exists(full)) throw new InputException($"{path}: no such schedule file");
        try { return ScheduleFile.Parse(File.ReadAllText(full), path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot read: {e.Message}");
        }
        catch (ScheduleFormatException e)
        {
            throw new InputException(e.Message);
        }
    }

    private static void WriteTrace(CliContext context, string file, ReplayResult result)
    {
        BugFiles.Commit(context, Path.GetDirectoryName(file) ?? "", [(file, string.Concat(result.Trace.Select(line => line + "\n")))], $"the trace {file}");
        context.Out.WriteLine($"trace written to {file}");
    }
}

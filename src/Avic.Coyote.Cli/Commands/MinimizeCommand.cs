using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Minimization;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>
/// `coyote minimize SCHEDULE [ASSEMBLY]`: shrinks a failing schedule to one with the same bug and
/// the fewest preemptions (then steps) it can find, and writes it with its trace and picture.
/// Also home of the readable-counterexample outputs the other commands add: the HTML picture
/// (`test` for every bug, `replay --html`) and `test --minimize`.
/// </summary>
public static class MinimizeCommand
{
    private const int DefaultMaxReplays = 2000;

    private static readonly OptionSpec MaxReplays = new("--max-replays", null, OptionKind.Int,
        $"replay budget of the search (default {DefaultMaxReplays})", Min: 2, Max: Limits.MaxReplays);
    private static readonly OptionSpec OutDir = new("--outdir", "-o", OptionKind.String,
        "where the .min files go (default: beside the schedule)", "DIR");

    /// <summary>`coyote test --minimize`.</summary>
    public static readonly OptionSpec MinimizeFlag = new("--minimize", null, OptionKind.Flag,
        "also shrink each failing schedule (NAME.min.schedule, .min.trace.txt, .min.html)");

    /// <summary>`coyote replay --html FILE`.</summary>
    public static readonly OptionSpec HtmlOption = new("--html", null, OptionKind.String,
        "write the interleaving as a self-contained HTML picture to FILE", "FILE");

    public static readonly CommandInfo Info = new("minimize", "SCHEDULE [ASSEMBLY]", 2,
        "shrink a failing schedule: same bug, fewest preemptions, then fewest steps", [MaxReplays, OutDir], Run,
        "Writes NAME.min.schedule, NAME.min.trace.txt and NAME.min.html. Exit 0: done; 2: the schedule cannot be used (no bug, or it no longer reproduces).");

    public static int Run(ParsedArgs args, CliContext context)
    {
        string path = args.Positional(0) ?? throw new UsageException("minimize needs a SCHEDULE file (e.g. coyote-out/Samples.LostUpdate.schedule)", args.Command);
        ScheduleFile schedule = ReplayCommand.Load(context, path);
        TestCase test = TestSelection.ForSchedule(context, args.Positional(1), schedule, path);
        string directory = args.GetString(OutDir.Long) ?? Path.GetDirectoryName(path) ?? "";
        context.Out.WriteLine($"minimizing {path}: test {schedule.Test}, bug {schedule.Bug?.ToString() ?? "none"}");
        Minimize(context, test, schedule, Path.Combine(directory, Path.GetFileNameWithoutExtension(path)),
            args.Get<int>(MaxReplays.Long) ?? DefaultMaxReplays, path);
        return ExitCode.Ok;
    }

    /// <summary>For `coyote test`, after a bug's files are written: with --minimize, its shrunk schedule.</summary>
    internal static void WriteBugExtras(CliContext context, string outputDirectory, TestReport report, bool minimize)
    {
        if (!minimize) return;
        string stem = Path.Combine(outputDirectory, BugFiles.FileName(report.Test.Name));
        try { Minimize(context, report.Test, report.Schedule!, stem, DefaultMaxReplays, stem + ".schedule"); }
        catch (InputException e) { context.Out.WriteLine($"  minimized:      not possible: {e.Message}"); }
    }

    /// <summary>Writes the HTML picture of <paramref name="trace"/>, with the schedule's preemptions marked.</summary>
    internal static void WritePicture(CliContext context, string file, TestCase test, ScheduleFile schedule, IReadOnlyList<TraceEntry> trace) =>
        BugFiles.Commit(context, Path.GetDirectoryName(file) ?? "", [(file, BugFiles.PictureText(test, schedule, trace))], $"the picture {file}");

    private static void Minimize(CliContext context, TestCase test, ScheduleFile schedule, string stem, int maxReplays, string source)
    {
        MinimizeResult r;
        try { r = ScheduleMinimizer.Minimize(test, schedule, maxReplays); }
        catch (MinimizationException e) { throw new InputException($"{source}: {e.Message}"); }

        ReplayResult replay = TestingEngine.Replay(test, r.Minimized);
        string figures = $"{r.StepsBefore} -> {r.StepsAfter} steps, {r.PreemptionsBefore} -> {r.PreemptionsAfter} preemptions";
        string note = $"minimized from {source}: {figures} ({r.Replays} replays)";
        string directory = Path.GetDirectoryName(stem) ?? "";
        BugFiles.Set set = BugFiles.Prepare(directory, Path.GetFileName(stem) + ".min", r.Minimized, replay.Trace, test, note);
        BugFiles.Commit(context, directory, set.Files, "the minimized schedule");
        (string schedulePath, string tracePath, string? htmlPath) = set.Names;

        TextWriter o = context.Out;
        o.WriteLine($"  minimized:      {figures} ({r.Replays} replays)");
        o.WriteLine($"  bug:            {r.Bug}");
        o.WriteLine($"  schedule:       {schedulePath}");
        o.WriteLine($"  trace:          {tracePath}");
        o.WriteLine($"  picture:        {htmlPath}");
    }
}

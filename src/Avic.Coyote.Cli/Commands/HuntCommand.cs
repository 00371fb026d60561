using System.Text.RegularExpressions;
using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Settings;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>
/// `coyote hunt`: nightly bug hunting. Runs every selected test for a wall-clock budget as portfolio
/// units on all cores, keeps going after bugs, de-duplicates them, and writes report.json, summary.md,
/// junit.xml and one schedule + trace per distinct bug. `--shard i/N` runs one machine's share.
/// </summary>
public static partial class HuntCommand
{
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromMinutes(2);

    private static readonly OptionSpec Budget = new("--budget", null, OptionKind.String,
        "wall-clock budget of this run (this shard): 90s, 30m, 1h, 1h30m; default 2m", "TIME");
    private static readonly OptionSpec Parallel = new("--parallel", "-p", OptionKind.Int,
        "units run at once, and portfolio workers (units) per test; default: the number of cores", Min: 1, Max: Limits.Parallel);
    private static readonly OptionSpec ShardSpec = new("--shard", null, OptionKind.String,
        "run only shard i of N (1-based; unit k belongs to shard k mod N + 1); every machine must use the same -p", "i/N");
    private static readonly OptionSpec Outdir = new("--outdir", "-o", OptionKind.String,
        "where report.json, summary.md, junit.xml and the schedules go; default: OUTPUTDIR/hunt of coyote.json", "DIR");
    private static readonly OptionSpec Minimize = new("--minimize", null, OptionKind.Flag,
        "after the budget, shrink each distinct failing schedule (fewer preemptions, then fewer steps)");


    public static readonly CommandInfo Info = new("hunt", "[ASSEMBLY]", 1,
        "hunt for bugs for a time budget on all cores; writes report.json, summary.md, junit.xml and schedules",
        [RunOptions.Method, Budget, Parallel, ShardSpec, Outdir, Setting.Seed, Setting.MaxSteps, Setting.StrategyValue,
         Setting.FailOnMaxSteps, Setting.LivenessThreshold, Setting.Tso, Minimize, RunOptions.Config],
        Run,
        "Exit 0: every test met its expectation (pass: no bug; known bug: found; explore: anything); 1: some did not; 2: usage or input error; 130: interrupted (Ctrl-C).");

    public static int Run(ParsedArgs args, CliContext context)
    {
        RunOptions options = RunOptions.From(args, context);
        TimeSpan budget = DefaultBudget;
        if (args.GetString(Budget.Long) is { } b)
            budget = HuntBudget.TryParse(b, out string? error) ?? throw new UsageException(error!, args.Command);
        Shard shard = Shard.All;
        if (args.GetString(ShardSpec.Long) is { } sh)
            shard = Shard.TryParse(sh, out string? error) ?? throw new UsageException(error!, args.Command);
        int parallel = args.Get<int>(Parallel.Long) ?? Environment.ProcessorCount;
        string outdir = args.GetString(Outdir.Long) ?? Path.Combine(options.OutputDirectory, "hunt");
        Configuration config = options.Configuration;

        IReadOnlyList<TestCase> tests = TestSelection.Select(TestSelection.Load(context, args.Positional(0)), options.Filter, args.Command);
        IReadOnlyList<HuntUnit> all = ShardPlan.Units(tests, parallel, config);
        IReadOnlyList<HuntUnit> mine = ShardPlan.Take(all, shard);
        TextWriter o = context.Out;
        o.WriteLine($"coyote hunt: {tests.Count} test{(tests.Count == 1 ? "" : "s")} x {parallel} portfolio workers = {all.Count} units" +
                    (shard == Shard.All ? "" : $"; shard {shard}: {mine.Count} units ({mine.Select(u => u.Test.Name).Distinct().Count()} tests)") +
                    $"; budget {HuntBudget.Format(budget)} on {parallel} thread{(parallel == 1 ? "" : "s")}, seed {config.Seed}, max steps {Numbers.Count(config.MaxSteps)}");
        // Fail before the budget is spent, not after; the previous hunt's files stay until the new report is complete.
        BugFiles.EnsureWritable(context, outdir, "the hunt report");

        DateTime started = DateTime.UtcNow;
        var status = new StatusLine(context, TimeSpan.FromSeconds(30));
        (IReadOnlyList<TestState> states, TimeSpan elapsed) = HuntRunner.Run(mine, config, budget, parallel,
            s => status.Update(StatusText(s), s.Elapsed), context.Cancellation);
        status.Done();

        var run = new HuntRun
        {
            ShardIndex = shard.Index, ShardCount = shard.Count, BudgetSeconds = budget.TotalSeconds, Parallel = parallel,
            Seed = config.Seed, MaxSteps = config.MaxSteps, StrategyValue = config.StrategyValue, Units = mine.Count,
            ElapsedSeconds = Math.Round(elapsed.TotalSeconds, 3), Filter = options.Filter, Assembly = args.Positional(0),
            MemoryModel = config.MemoryModel?.ToString(), FailOnMaxSteps = config.FailOnMaxSteps, LivenessThreshold = config.LivenessThreshold,
            Canceled = context.Cancellation.IsCancellationRequested, StartedUtc = started,
        };
        if (args.Has(Minimize.Long)) o.WriteLine("minimizing the failing schedules...");
        (HuntReport report, IReadOnlyList<(string Path, string Text)> bugFiles) = HuntResults.Build(outdir, run, states, args.Has(Minimize.Long), parallel);
        HuntWriters.WriteAll(context, outdir, report, bugFiles, OldResults(context, outdir));

        long steps = report.Tests.Sum(t => t.Steps);
        o.WriteLine($"ran {Numbers.Seconds(elapsed)}: {Numbers.Count(report.Tests.Sum(t => t.Iterations))} iterations, {Numbers.Count(steps)} steps, " +
                    $"{Numbers.Rate(elapsed.TotalSeconds > 0 ? steps / elapsed.TotalSeconds : 0)} steps/s");
        o.WriteLine();
        HuntWriters.Table(report).Write(o);
        o.WriteLine();
        foreach (HuntTestResult t in report.Tests)
            foreach (HuntBug bug in t.Bugs)
                o.WriteLine($"{t.Name}: {bug.Kind}{(bug.Invariant is null ? "" : " " + bug.Invariant)}{(bug.Operation is null ? "" : $" in '{bug.Operation}'")} x{Numbers.Count(bug.Occurrences)}: " +
                            $"{bug.Message} -> {Path.Combine(outdir, bug.Schedule ?? "-")}");
        o.WriteLine(HuntWriters.Headline(report));
        o.WriteLine($"report: {Path.Combine(outdir, HuntReport.JsonFile)}, {Path.Combine(outdir, HuntReport.MarkdownFile)}, {Path.Combine(outdir, HuntReport.JUnitFile)}");
        return run.Canceled ? ExitCode.Interrupted : report.FailedTests > 0 ? ExitCode.BugFound : ExitCode.Ok;
    }

    private static string StatusText(HuntStatus s) =>
        $"hunt: {s.UnitsDone}/{s.Units} units, {s.TestsDone}/{s.Tests} tests done, {Numbers.Count(s.Iterations)} iterations, " +
        $"{Numbers.Rate(s.StepsPerSecond)} steps/s, {s.Bugs} bug{(s.Bugs == 1 ? "" : "s")}, {HuntBudget.Format(TimeSpan.FromSeconds(Math.Ceiling(s.Left.TotalSeconds)))} left";

    /// <summary>The report and bug files of an earlier hunt in <paramref name="outdir"/> (only those), which the new
    /// report replaces as one set, so old schedules never pass for new ones.</summary>
    internal static IReadOnlyList<string> OldResults(CliContext context, string outdir)
    {
        string dir = context.Resolve(outdir);
        if (!Directory.Exists(dir)) return [];
        try
        {
            return Directory.EnumerateFiles(dir)
                .Where(file => Path.GetFileName(file) is var name && (name is HuntReport.JsonFile or HuntReport.MarkdownFile or HuntReport.JUnitFile || BugFile().IsMatch(name)))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{outdir}: cannot list the previous hunt's files: {e.Message}");
        }
    }

    [GeneratedRegex(@"\.\d+\.(schedule|trace\.txt)$")]
    private static partial Regex BugFile();
}

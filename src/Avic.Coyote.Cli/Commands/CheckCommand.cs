using System.Globalization;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Cli.Output;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Commands;

/// <summary>
/// `coyote check`: runs each test (for each seed of a range) and holds it to its declared expectation.
/// `coyote test` exits 1 whenever a bug is found, which the bundled bug variants are meant to give;
/// `check` exits 0 exactly when every test gives what it declares, so CI runs this one.
/// </summary>
public static class CheckCommand
{
    internal static readonly OptionSpec Seeds = new("--seeds", null, OptionKind.String,
        "run every test once per seed in A..B (inclusive) and print one row per test: iterations and time to the first bug, median and worst, and the seeds that found none; default: just the configured seed", "A..B");

    public static readonly CommandInfo Info = new("check", "[ASSEMBLY]", 1,
        "run the tests and check each gives its declared verdict; writes check.md and check.json",
        [.. RunOptions.Specs, Seeds, Engines.EngineOption.Spec], Run,
        "Exit 0: every test met its expectation; 1: some did not; 2: usage or input error; 130: interrupted (Ctrl-C).");

    private const int MaxSeeds = 100_000;

    public sealed record Row(TestReport Report, ulong Seed, string? ScheduleFile);

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (Engines.EngineOption.IsMicrosoftCoyote(args, context)) return Engines.MicrosoftCoyoteCommands.Check(args, context);
        RunOptions options = RunOptions.From(args, context);
        (ulong first, ulong last) = ParseSeeds(args.GetString(Seeds.Long), options.Configuration.Seed, args.Command);
        IReadOnlyList<TestCase> tests = TestSelection.Select(TestSelection.Load(context, args.Positional(0)), options.Filter, args.Command);

        var rows = new List<Row>();
        var notRun = new List<TestCase>();
        foreach (TestCase test in tests)
        {
            if (context.Cancellation.IsCancellationRequested)
            {
                notRun.Add(test);
                continue;
            }
            for (ulong seed = first; ; seed++)
            {
                TestReport report = TestingEngine.Run(test, options.Configuration with { Seed = seed }, Progress.To(context), context.Cancellation);
                string? schedule = report.Schedule is null ? null
                    : BugFiles.Write(context, options.OutputDirectory, report, first == last ? null : $".seed{seed}").Schedule;
                rows.Add(new Row(report, seed, schedule));
                if (seed == last || context.Cancellation.IsCancellationRequested) break;
            }
        }
        bool interrupted = context.Cancellation.IsCancellationRequested;

        // Several seeds: one row per test (median and worst over the seeds) on stdout; the per-seed
        // rows still go to check.md and check.json.
        bool severalSeeds = first != last;
        TextTable runs = Table(rows, severalSeeds);
        IReadOnlyList<CheckAggregate>? aggregates = severalSeeds ? Aggregate(rows) : null;
        TextTable table = aggregates is null ? runs : CheckAggregate.Table(aggregates);
        table.Write(context.Out);
        int failed = rows.Count(r => Progress.Verdict(r.Report) == RunVerdict.Fail);
        int cut = rows.Count(r => r.Report.Canceled);
        string verdict = $"{rows.Count - failed - cut} of {rows.Count} runs as expected" + (failed > 0 ? $", {failed} NOT as expected" : "") +
                         (cut > 0 ? $", {cut} interrupted before a verdict" : "");
        if (interrupted) verdict = $"INTERRUPTED (Ctrl-C): {verdict}" + (Progress.NotRun(notRun) is { } left ? $"; {left}" : "");
        CheckReport.Write(context, options, table, rows, verdict, severalSeeds ? new CheckReport.SeedRange(first, last, aggregates!, runs) : null,
            interrupted ? notRun : null);
        context.Out.WriteLine(verdict);
        context.Out.WriteLine($"report: {Path.Combine(options.OutputDirectory, CheckReport.MarkdownFile)}, {Path.Combine(options.OutputDirectory, CheckReport.JsonFile)}");
        return interrupted ? ExitCode.Interrupted : failed == 0 ? ExitCode.Ok : ExitCode.BugFound;
    }

    /// <summary>The rows of each test (in the order the tests ran) as one aggregate.</summary>
    private static List<CheckAggregate> Aggregate(List<Row> rows) =>
        rows.GroupBy(r => r.Report.Test)
            .Select(g => new CheckAggregate(g.Key, g.Select(r => SeedRun.Of(r.Report, r.Seed)).ToList()))
            .ToList();

    private static TextTable Table(List<Row> rows, bool showSeed)
    {
        var table = new TextTable("test", "expected", "found", "iterations to first bug", "time", "ok");
        foreach (Row row in rows)
        {
            TestReport r = row.Report;
            table.Add(
                r.Test.Name + (showSeed ? $" (seed {row.Seed})" : ""),
                r.Test.ExpectationText,
                Progress.Found(r),
                r.Bug is null ? $"- (none in {Numbers.Count(r.Iterations)})" : Numbers.Count(r.BugIteration + 1),
                Numbers.Seconds(r.Elapsed),
                Progress.Verdict(r).Text());
        }
        return table;
    }

    /// <summary>"A..B" (or a single "A") as an inclusive range; null means just <paramref name="seed"/>.</summary>
    internal static (ulong First, ulong Last) ParseSeeds(string? text, ulong seed, string command)
    {
        if (text is null) return (seed, seed);
        string[] parts = text.Split("..");
        if (parts.Length is 1 or 2 &&
            ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong a) &&
            ulong.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong b) && a <= b)
        {
            if (b - a >= MaxSeeds) throw new UsageException($"--seeds {text} is more than {Numbers.Count(MaxSeeds)} seeds", command);
            return (a, b);
        }
        throw new UsageException($"--seeds needs a range A..B of non-negative integers with A <= B, got '{text}'", command);
    }
}

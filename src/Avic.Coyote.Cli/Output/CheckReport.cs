using System.Text.Json;
using Avic.Coyote.Cli.Commands;
using Avic.Coyote.Cli.Options;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Output;

/// <summary>`coyote check`'s table as check.md (for people and issues) and check.json (for tools).</summary>
public static class CheckReport
{
    public const string MarkdownFile = "check.md";
    public const string JsonFile = "check.json";

    /// <summary>A run over seeds <paramref name="First"/>..<paramref name="Last"/>: the per-test aggregates and the per-seed table.</summary>
    public sealed record SeedRange(ulong First, ulong Last, IReadOnlyList<CheckAggregate> Aggregates, TextTable Runs);

    /// <summary>Writes <paramref name="table"/> (the aggregated one when <paramref name="seeds"/> is set, then the per-seed runs).</summary>
    public static void Write(CliContext context, RunOptions options, TextTable table, IReadOnlyList<CheckCommand.Row> rows, string verdict,
        SeedRange? seeds = null, IReadOnlyList<TestCase>? notRun = null)
    {
        Configuration c = options.Configuration;
        var md = new StringWriter { NewLine = "\n" };
        md.WriteLine("# coyote check" + (notRun is null ? "" : " (INTERRUPTED)"));
        md.WriteLine();
        md.WriteLine($"strategy {Configuration.DescribeStrategy(c.Strategy, c.StrategyValue)}, up to {Numbers.Count(c.Iterations)} iterations of up to {Numbers.Count(c.MaxSteps)} steps" +
                     (c.MemoryModel is { } mm ? $", memory model {mm}" : "") +
                     (seeds is null ? $", seed {c.Seed}" : $", seeds {seeds.First}..{seeds.Last}"));
        md.WriteLine();
        if (seeds is not null)
        {
            md.WriteLine("Per test over the seeds: iterations and wall time to the first bug, median and worst " +
                         "(a seed that found no bug counts as \"not found\", larger than any figure); for a test no seed " +
                         "found a bug in, the wall time of the runs and the iterations explored.");
            md.WriteLine();
        }
        table.WriteMarkdown(md);
        md.WriteLine();
        md.WriteLine(verdict);
        if (seeds is not null)
        {
            md.WriteLine();
            md.WriteLine("## Runs");
            md.WriteLine();
            seeds.Runs.WriteMarkdown(md);
        }
        string dir = options.OutputDirectory;
        BugFiles.Commit(context, dir,
            [(Path.Combine(dir, MarkdownFile), md.ToString()), (Path.Combine(dir, JsonFile), System.Text.Encoding.UTF8.GetString(Json(c, rows, seeds, notRun)))],
            "the check report");
    }

    private static byte[] Json(Configuration c, IReadOnlyList<CheckCommand.Row> rows, SeedRange? seeds, IReadOnlyList<TestCase>? notRun)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("configuration");
            w.WriteNumber("iterations", c.Iterations);
            w.WriteNumber("maxSteps", c.MaxSteps);
            w.WriteString("strategy", c.Strategy);
            w.WriteNumber("strategyValue", c.StrategyValue);
            w.WriteNumber("timeoutSeconds", c.TimeoutSeconds);
            w.WriteBoolean("failOnMaxSteps", c.FailOnMaxSteps);
            w.WriteNumber("livenessThreshold", c.LivenessThreshold);
            if (c.MemoryModel is { } mm) w.WriteString("memoryModel", mm.ToString());
            w.WriteEndObject();
            // An interrupted check passes nothing it did not finish: cut runs and unrun tests are counted apart.
            w.WriteBoolean("interrupted", notRun is not null);
            w.WriteNumber("passed", rows.Count(r => Progress.Verdict(r.Report) == RunVerdict.Ok));
            w.WriteNumber("failed", rows.Count(r => Progress.Verdict(r.Report) == RunVerdict.Fail));
            w.WriteNumber("interruptedRuns", rows.Count(r => r.Report.Canceled));
            w.WriteStartArray("notRun");
            foreach (TestCase t in notRun ?? []) w.WriteStringValue(t.Name);
            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (CheckCommand.Row row in rows)
            {
                TestReport r = row.Report;
                w.WriteStartObject();
                w.WriteString("test", r.Test.Name);
                w.WriteNumber("seed", row.Seed);
                w.WriteString("expected", r.Test.ExpectationText);
                if (r.Bug is { } bug)
                {
                    w.WriteString("found", bug.Kind.ToString());
                    if (bug.Invariant is not null) w.WriteString("invariant", bug.Invariant);
                    w.WriteString("bug", bug.ToString());
                    w.WriteNumber("iterationsToFirstBug", r.BugIteration + 1);
                }
                else
                {
                    w.WriteString("found", "none");
                }
                w.WriteNumber("iterations", r.Iterations);
                w.WriteNumber("totalSteps", r.TotalSteps);
                w.WriteNumber("maxStepsHits", r.MaxStepsHits);
                w.WriteNumber("seconds", Math.Round(r.Elapsed.TotalSeconds, 3));
                if (row.ScheduleFile is not null) w.WriteString("schedule", row.ScheduleFile);
                w.WriteBoolean("ok", Progress.Verdict(r) == RunVerdict.Ok);
                w.WriteString("verdict", Progress.Verdict(r).Text());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (seeds is not null) WriteAggregates(w, seeds);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteAggregates(Utf8JsonWriter w, SeedRange seeds)
    {
        w.WriteStartObject("seeds");
        w.WriteNumber("first", seeds.First);
        w.WriteNumber("last", seeds.Last);
        w.WriteEndObject();
        // One entry per test; null median/worst: "not found" (some seed found no bug, and it decides the figure).
        w.WriteStartArray("aggregates");
        foreach (CheckAggregate a in seeds.Aggregates)
        {
            w.WriteStartObject();
            w.WriteString("test", a.Test.Name);
            w.WriteString("expected", a.Test.ExpectationText);
            w.WriteNumber("seeds", a.Runs.Count);
            w.WriteString("found", a.FoundText);
            w.WriteNumber("bugFoundSeeds", a.Runs.Count - a.NotFoundSeeds.Count);
            w.WriteStartArray("notFoundSeeds");
            foreach (ulong seed in a.NotFoundSeeds) w.WriteNumberValue(seed);
            w.WriteEndArray();
            MedianWorst(w, "iterationsToFirstBug", a.IterationsToFirstBug, 1);
            MedianWorst(w, "secondsToFirstBug", a.SecondsToFirstBug, 6);
            (double runMedian, double runWorst) = a.RunSeconds;
            MedianWorst(w, "runSeconds", (runMedian, runWorst), 6);
            w.WriteNumber("iterationsExplored", a.IterationsExplored);
            w.WriteNumber("ok", a.OkCount);
            w.WriteNumber("failed", a.Runs.Count - a.OkCount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void MedianWorst(Utf8JsonWriter w, string name, (double? Median, double? Worst) v, int decimals)
    {
        w.WriteStartObject(name);
        if (v.Median is { } m) w.WriteNumber("median", Math.Round(m, decimals)); else w.WriteNull("median");
        if (v.Worst is { } x) w.WriteNumber("worst", Math.Round(x, decimals)); else w.WriteNull("worst");
        w.WriteEndObject();
    }
}

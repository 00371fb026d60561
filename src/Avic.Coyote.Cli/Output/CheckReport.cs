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

    public static void Write(CliContext context, RunOptions options, TextTable table, IReadOnlyList<CheckCommand.Row> rows, string verdict)
    {
        string dir = context.Resolve(options.OutputDirectory);
        try
        {
            Directory.CreateDirectory(dir);
            using (var md = new StreamWriter(Path.Combine(dir, MarkdownFile)))
            {
                Configuration c = options.Configuration;
                md.WriteLine("# coyote check");
                md.WriteLine();
                md.WriteLine($"strategy {c.Strategy} (value {c.StrategyValue}), up to {Numbers.Count(c.Iterations)} iterations of up to {Numbers.Count(c.MaxSteps)} steps" +
                             (c.MemoryModel is { } mm ? $", memory model {mm}" : ""));
                md.WriteLine();
                table.WriteMarkdown(md);
                md.WriteLine();
                md.WriteLine(verdict);
            }
            File.WriteAllBytes(Path.Combine(dir, JsonFile), Json(options.Configuration, rows));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{options.OutputDirectory}: cannot write the check report: {e.Message}");
        }
    }

    private static byte[] Json(Configuration c, IReadOnlyList<CheckCommand.Row> rows)
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
            w.WriteNumber("passed", rows.Count(r => r.Report.MeetsExpectation));
            w.WriteNumber("failed", rows.Count(r => !r.Report.MeetsExpectation));
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
                w.WriteBoolean("ok", r.MeetsExpectation);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }
}

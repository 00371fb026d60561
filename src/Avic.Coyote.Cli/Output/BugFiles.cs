using Avic.Coyote.Reports;
using System.Text;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Output;

/// <summary>The files written for a bug: NAME.schedule (replayable) and NAME.trace.txt (readable).</summary>
public static class BugFiles
{
    public sealed record Written(string Schedule, string Trace);

    /// <summary>
    /// Writes the report's schedule and trace into <paramref name="outputDirectory"/>. Returned paths
    /// are as the user would type them (relative to the working directory when the outdir is).
    /// </summary>
    public static Written Write(CliContext context, string outputDirectory, TestReport report, string? suffix = null)
    {
        ScheduleFile schedule = report.Schedule ?? throw new ArgumentException("the report has no failing schedule", nameof(report));
        string stem = FileName(report.Test.Name) + (suffix ?? "");
        string schedulePath = Path.Combine(outputDirectory, stem + ".schedule");
        string tracePath = Path.Combine(outputDirectory, stem + ".trace.txt");
        try
        {
            Directory.CreateDirectory(context.Resolve(outputDirectory));
            File.WriteAllText(context.Resolve(schedulePath), schedule.ToJson());
            File.WriteAllText(context.Resolve(tracePath), TraceText(report));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{outputDirectory}: cannot write the bug files: {e.Message}");
        }
        return new Written(schedulePath, tracePath);
    }

    /// <summary>The trace file: a header naming test, strategy, seed and bug, then one line per trace entry.</summary>
    public static string TraceText(TestReport report) => TraceTextWriter.Render(report.Schedule!, report.Trace);

    /// <summary>A test name made safe as a file name on Linux, macOS and Windows.</summary>
    public static string FileName(string testName)
    {
        var name = new StringBuilder(testName.Length);
        foreach (char c in testName)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        string result = name.ToString().Trim('.');
        return result.Length == 0 ? "test" : result;
    }
}

using System.Text;
using Avic.Coyote.Minimization;
using Avic.Coyote.Reports;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Output;

/// <summary>
/// The files written for a bug: NAME.schedule (replayable), NAME.trace.txt (readable) and, for `test`,
/// NAME.html (the picture). They are one set: written through <see cref="AtomicFiles"/>, so the folder
/// holds the old set or the new one, never a mix.
/// </summary>
public static class BugFiles
{
    /// <summary>Paths as the user would type them (relative to the working directory when the outdir is).</summary>
    public sealed record Written(string Schedule, string Trace, string? Picture = null);

    /// <summary>A set of files ready to write: what they will be called and what they hold.</summary>
    public sealed record Set(Written Names, IReadOnlyList<(string Path, string Text)> Files);

    /// <summary>Writes the report's schedule and trace (and, with <paramref name="picture"/>, its HTML picture) into <paramref name="outputDirectory"/>.</summary>
    public static Written Write(CliContext context, string outputDirectory, TestReport report, string? suffix = null, bool picture = false)
    {
        ScheduleFile schedule = report.Schedule ?? throw new ArgumentException("the report has no failing schedule", nameof(report));
        Set set = Prepare(outputDirectory, FileName(report.Test.Name) + (suffix ?? ""), schedule, report.Trace ?? [], picture ? report.Test : null);
        Commit(context, outputDirectory, set.Files, "the bug files");
        return set.Names;
    }

    /// <summary>
    /// The set for <paramref name="schedule"/> under <paramref name="stem"/> in <paramref name="directory"/>; a picture
    /// when <paramref name="pictureOf"/> is given (it needs the test to mark the preemptions).
    /// </summary>
    public static Set Prepare(string directory, string stem, ScheduleFile schedule, IReadOnlyList<TraceEntry> trace,
        TestCase? pictureOf, string? note = null)
    {
        string schedulePath = Path.Combine(directory, stem + ".schedule");
        string tracePath = Path.Combine(directory, stem + ".trace.txt");
        string? picturePath = pictureOf is null ? null : Path.Combine(directory, stem + ".html");
        var files = new List<(string, string)>
        {
            (schedulePath, schedule.ToJson()),
            (tracePath, note is null ? TraceTextWriter.Render(schedule, trace) : TraceTextWriter.Render(schedule, trace, note)),
        };
        if (pictureOf is not null) files.Add((picturePath!, PictureText(pictureOf, schedule, trace, note)));
        return new Set(new Written(schedulePath, tracePath, picturePath), files);
    }

    /// <summary>The HTML picture of <paramref name="trace"/>, with the schedule's preemptions marked.</summary>
    public static string PictureText(TestCase test, ScheduleFile schedule, IReadOnlyList<TraceEntry> trace, string? note = null) =>
        HtmlTraceWriter.Render(trace, TraceHeader.From(schedule, TestingEngine.Replay(test, schedule), Preemptions.Steps(test, schedule), note));

    /// <summary>
    /// Writes <paramref name="files"/> (paths relative to the working directory) as one set, after deleting
    /// <paramref name="obsolete"/>; a write error becomes one line naming <paramref name="shownDirectory"/> and <paramref name="what"/>.
    /// </summary>
    public static void Commit(CliContext context, string shownDirectory, IReadOnlyList<(string Path, string Text)> files, string what,
        IEnumerable<string>? obsolete = null)
    {
        try
        {
            foreach (string dir in files.Select(f => Path.GetDirectoryName(context.Resolve(f.Path))!).Distinct()) Directory.CreateDirectory(dir);
            AtomicFiles.WriteSet(files.Select(f => (context.Resolve(f.Path), f.Text)).ToList(), obsolete?.Select(context.Resolve));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{(shownDirectory.Length == 0 ? "." : shownDirectory)}: cannot write {what} (nothing was changed): {e.Message}");
        }
    }

    /// <summary>Fails now, with one line, when <paramref name="shownDirectory"/> cannot take <paramref name="what"/>: before a long run, not after it.</summary>
    public static void EnsureWritable(CliContext context, string shownDirectory, string what)
    {
        try { AtomicFiles.CheckWritable(context.Resolve(shownDirectory)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{shownDirectory}: cannot write {what} there: {e.Message} (checked before running, so no time was spent)");
        }
    }

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

using Avic.Coyote.Testing;

namespace Avic.Coyote.Cli.Output;

/// <summary>One run against its test's expectation.</summary>
public enum RunVerdict
{
    Ok,
    Fail,
    Interrupted,
}

/// <summary>The once-a-second progress line of long runs, on stderr so stdout stays the summary.</summary>
public static class Progress
{
    public static Action<TestReport> To(CliContext context) => report =>
        context.Error.WriteLine($"  {report.Test.Name}: {Numbers.Count(report.Iterations)} iterations, " +
                                $"{Numbers.Rate(report.StepsPerSecond)} steps/s, {Numbers.Seconds(report.Elapsed)}" +
                                (report.Coverage is { } done ? $", {done}" : ""));

    /// <summary>
    /// The verdict of one run against its test's expectation; <see cref="RunVerdict.Interrupted"/> when Ctrl-C
    /// stopped it before a bug (then it proves nothing either way).
    /// </summary>
    public static RunVerdict Verdict(TestReport report) => report.Canceled ? RunVerdict.Interrupted : report.MeetsExpectation ? RunVerdict.Ok : RunVerdict.Fail;

    /// <summary>"ok", "FAIL" or "interrupted", as tables and check.json show a verdict.</summary>
    public static string Text(this RunVerdict verdict) => verdict switch
    {
        RunVerdict.Ok => "ok",
        RunVerdict.Fail => "FAIL",
        _ => "interrupted",
    };

    /// <summary>"not run: A, B, C" for the tests Ctrl-C left out; null when there are none.</summary>
    public static string? NotRun(IReadOnlyList<TestCase> tests) =>
        tests.Count == 0 ? null : $"{tests.Count} test{(tests.Count == 1 ? "" : "s")} not run: {string.Join(", ", tests.Select(t => t.Name))}";

    /// <summary>What a run found, in one word or phrase: the bug kind, or "none".</summary>
    public static string Found(TestReport report) =>
        report.Bug is { } bug ? bug.Kind.ToString()
        : report.MaxStepsHits > 0 ? $"none ({Numbers.Count(report.MaxStepsHits)} hit max steps)"
        : "none";
}

/// <summary>
/// The status of a long run (e.g. `coyote hunt`) on stderr: one line rewritten in place with '\r' when
/// stderr is a terminal; otherwise (CI logs, redirected output) a plain line every
/// <paramref name="plainEvery"/>, so logs show progress without a line a second.
/// </summary>
public sealed class StatusLine(CliContext context, TimeSpan plainEvery)
{
    private readonly TimeSpan every = plainEvery;
    // Only the real console can be a terminal; tests pass their own writers.
    private readonly bool live = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
    private TimeSpan nextPlain = plainEvery;
    private int shown;

    public bool IsLive => live;

    /// <summary>Shows <paramref name="text"/> (live) or prints it when a plain line is due at <paramref name="elapsed"/>.</summary>
    public void Update(string text, TimeSpan elapsed)
    {
        if (live)
        {
            int width = Width();
            if (text.Length > width) text = text[..width];
            context.Error.Write("\r" + text.PadRight(shown));
            shown = text.Length;
            context.Error.Flush();
        }
        else if (elapsed >= nextPlain)
        {
            context.Error.WriteLine(text);
            nextPlain = elapsed + every;
        }
    }

    /// <summary>Clears the live line, so the summary starts on a clean line.</summary>
    public void Done()
    {
        if (!live || shown == 0) return;
        context.Error.Write("\r" + new string(' ', shown) + "\r");
        context.Error.Flush();
        shown = 0;
    }

    private static int Width()
    {
        // A pseudo-terminal with no size set reports 0 (or nonsense): assume a common width then.
        try { return Console.WindowWidth is var w and >= 40 ? w - 1 : 119; }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException) { return 119; }
    }
}

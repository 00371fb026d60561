using System.Threading;
using System.Text.Json;
using System.Xml;

namespace Avic.Coyote.Tests.Cli;

/// <summary>
/// Ctrl-C is a real SIGINT to a real coyote process: it must exit 130, say "interrupted" in every report,
/// and list the tests it never ran as not run, never as passed.
/// </summary>
public class InterruptTests : IDisposable
{
    private readonly CliRunner dir = new();

    public void Dispose() => dir.Dispose();

    // Every "Fixed" toy passes, so with a billion iterations each would run for hours: only Ctrl-C ends the run.
    private static readonly string[] Endless = [CliRunner.ToysAssembly, "-m", "Fixed", "-i", "1000000000"];

    [Fact]
    public void AnInterruptedTestExits130AndListsTheTestsItDidNotRun()
    {
        using var child = new ChildProcess(dir.Dir, ["test", .. Endless]);
        child.WaitFor("coyote test:");
        Thread.Sleep(500);
        child.Interrupt();

        Assert.Equal(130, child.Exit());
        Assert.Contains("(INTERRUPTED by Ctrl-C)", child.Out);
        Assert.Contains("-> interrupted, no verdict", child.Out);
        Assert.DoesNotContain("-> as expected", child.Out);
        Assert.Contains("INTERRUPTED (Ctrl-C): ", child.Out);
        Assert.Contains("1 interrupted before a verdict", child.Out);
        Assert.Matches(@"\d+ tests not run: Toys\.", child.Out);
    }

    [Fact]
    public void AnInterruptedCheckExits130AndItsReportsSayInterrupted()
    {
        using var child = new ChildProcess(dir.Dir, ["check", .. Endless]);
        child.WaitFor("iterations,"); // the once-a-second progress line: the first test is running
        child.Interrupt();

        Assert.Equal(130, child.Exit());
        Assert.Contains("INTERRUPTED (Ctrl-C): 0 of 1 runs as expected, 1 interrupted before a verdict", child.Out);
        Assert.Contains("not run: Toys.", child.Out);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(dir.Path_("coyote-out/check.json")));
        Assert.True(json.RootElement.GetProperty("interrupted").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        Assert.True(json.RootElement.GetProperty("notRun").GetArrayLength() >= 3);
        JsonElement row = Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal("interrupted", row.GetProperty("verdict").GetString());
        Assert.False(row.GetProperty("ok").GetBoolean());
        Assert.StartsWith("# coyote check (INTERRUPTED)", File.ReadAllText(dir.Path_("coyote-out/check.md")));
    }

    [Fact]
    public void AnInterruptedHuntExits130AndNoTestWithoutTimeIsOk()
    {
        // One thread: the first unit gets its slice of ten minutes; the rest wait and never start.
        using var child = new ChildProcess(dir.Dir, "hunt", CliRunner.ToysAssembly, "-m", "Fixed", "-p", "1", "--budget", "10m", "-o", "h");
        child.WaitFor("coyote hunt:");
        Thread.Sleep(1000);
        child.Interrupt();

        Assert.Equal(130, child.Exit());
        Assert.Contains("INTERRUPTED (Ctrl-C): ", child.Out);
        Assert.Contains("NOT RUN: not run: the hunt was interrupted", child.Out);
        Assert.DoesNotContain("ok: no bug found", child.Out);
        Assert.Contains("INTERRUPTED by Ctrl-C", File.ReadAllText(dir.Path_("h/summary.md")));
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(dir.Path_("h/report.json")));
        Assert.True(report.RootElement.GetProperty("runs")[0].GetProperty("canceled").GetBoolean());
        string[] verdicts = report.RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("verdict").GetString()!).ToArray();
        Assert.DoesNotContain("ok", verdicts);
        Assert.Contains("not run", verdicts);
        var junit = new XmlDocument();
        junit.Load(dir.Path_("h/junit.xml"));
        Assert.Equal(verdicts.Length, junit.SelectNodes("//testcase/skipped")!.Count);
    }
}

using Avic.Coyote.Cli;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Minimization;

/// <summary>The CLI side: `test --minimize`, `minimize`, `replay --html`, run in-process on the bundled Samples.LostUpdate.</summary>
public sealed class MinimizeCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("coyote-min-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private (int Code, string Out, string Err) Coyote(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, new CliContext(output, error, dir));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Test_with_minimize_writes_the_picture_and_the_shrunk_schedule()
    {
        var (code, output, _) = Coyote("test", "-m", "Samples.LostUpdate", "--minimize", "-o", "out", "--seed", "42", "--strategy", "random");

        Assert.Equal(ExitCode.BugFound, code);
        Assert.Matches(@"minimized:\s+\d+ -> \d+ steps, \d+ -> 1 preemptions", output);
        foreach (string file in new[] { ".schedule", ".trace.txt", ".html", ".min.schedule", ".min.trace.txt", ".min.html" })
            Assert.True(File.Exists(Path.Combine(dir, "out", "Samples.LostUpdate" + file)), file);
        ScheduleFile min = ScheduleFile.Load(Path.Combine(dir, "out", "Samples.LostUpdate.min.schedule"));
        Assert.EndsWith(" (minimized)", min.Strategy);
        Assert.Contains("# minimized from out/Samples.LostUpdate.schedule", File.ReadAllText(Path.Combine(dir, "out", "Samples.LostUpdate.min.trace.txt")));
    }

    [Fact]
    public void Minimize_then_replay_with_html_reproduces_the_bug()
    {
        Coyote("test", "-m", "Samples.LostUpdate", "-o", "out", "--seed", "7", "--strategy", "random");
        Assert.False(File.Exists(Path.Combine(dir, "out", "Samples.LostUpdate.min.schedule"))); // only with --minimize
        Assert.True(File.Exists(Path.Combine(dir, "out", "Samples.LostUpdate.html")));          // every bug gets its picture

        var (code, output, error) = Coyote("minimize", "out/Samples.LostUpdate.schedule", "-o", "small");
        Assert.True(code == ExitCode.Ok, error);
        Assert.Contains("-> 1 preemptions", output);

        (code, output, _) = Coyote("replay", "small/Samples.LostUpdate.min.schedule", "--html", "small/r.html");
        Assert.Equal(ExitCode.BugFound, code);
        Assert.Contains("reproduces the recorded bug", output);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(Path.Combine(dir, "small", "r.html")));
    }

    [Fact]
    public void Unusable_schedules_give_one_line_and_exit_2()
    {
        var (code, _, error) = Coyote("minimize", "missing.schedule");
        Assert.Equal(ExitCode.UsageError, code);
        Assert.Equal("coyote: error: missing.schedule: no such schedule file", error.Trim());

        Coyote("test", "-m", "Samples.LostUpdate", "-o", "out", "--seed", "1", "--strategy", "random");
        ScheduleFile s = ScheduleFile.Load(Path.Combine(dir, "out", "Samples.LostUpdate.schedule"));
        File.WriteAllText(Path.Combine(dir, "nobug.schedule"), (s with { Bug = null }).ToJson());
        (code, _, error) = Coyote("minimize", "nobug.schedule");
        Assert.Equal(ExitCode.UsageError, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("records no bug", error);
    }
}

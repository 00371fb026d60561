using Avic.Coyote.Cli;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Cli;

/// <summary>A bug dfs finds replays through the CLI: the Doorbell model's tick follows the search (TickLanding.BySearch:
/// scheduled under dfs, drawn under PCT), and a schedule records the strategy it was found with, so `replay` and
/// `minimize` re-run it with the landing it was found with.</summary>
public sealed class ExhaustiveReplayTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public void ADfsBugOnTheDoorbellModelReplaysAndMinimizesWithTheScheduledTick()
    {
        CliRunner.Result r = cli.Run("test", "-m", "Doorbell.MB4", "-s", "dfs", "-i", "2000", "--minimize", "-o", "out");
        Assert.True(r.Exit == ExitCode.BugFound, r.Out + r.Err);
        ScheduleFile found = ScheduleFile.Load(cli.Path_("out/Doorbell.MB4.schedule"));
        Assert.Equal("dfs", found.Strategy);
        Assert.Contains(found.Operations, op => op.StartsWith("tick:", StringComparison.Ordinal)); // the scheduled tick
        Assert.DoesNotContain("sched", found.Operations);                                        // not the drawn one

        foreach (string schedule in new[] { "out/Doorbell.MB4.schedule", "out/Doorbell.MB4.min.schedule" })
        {
            r = cli.Run("replay", schedule);
            Assert.True(r.Exit == ExitCode.BugFound, schedule + ": " + r.Out + r.Err);
            Assert.Contains("reproduces the recorded bug", r.Out);
        }
    }

    [Fact]
    public void APctBugOnTheDoorbellModelKeepsTheDrawnTick()
    {
        CliRunner.Result r = cli.Run("test", "-m", "Doorbell.MB4", "--seed", "1", "-o", "out");
        Assert.True(r.Exit == ExitCode.BugFound, r.Out + r.Err);
        ScheduleFile found = ScheduleFile.Load(cli.Path_("out/Doorbell.MB4.schedule"));
        Assert.Contains("sched", found.Operations);
        Assert.DoesNotContain(found.Operations, op => op.StartsWith("tick:", StringComparison.Ordinal));

        r = cli.Run("replay", "out/Doorbell.MB4.schedule");
        Assert.Contains("reproduces the recorded bug", r.Out);
    }
}

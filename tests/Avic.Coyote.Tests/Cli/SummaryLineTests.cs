namespace Avic.Coyote.Tests.Cli;

/// <summary>The summary's iterations line says why the run stopped, from the report's fields.</summary>
public class SummaryLineTests
{
    [Fact]
    public void ABoundedSearchThatRanOutOfSchedulesIsNotCalledATimeBudgetStop()
    {
        using var cli = new CliRunner();

        // With no preemption allowed there are few schedules; the search ends long before a million iterations.
        CliRunner.Result bounded = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "dfs-bounded-full", "-sv", "0", "-i", "1000000");

        Assert.Contains("(the search ran out of schedules within its bounds)", bounded.Out);
        Assert.DoesNotContain("time budget", bounded.Out);

        CliRunner.Result parallel = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "dfs-bounded-full", "-sv", "0", "-i", "1000000", "-p", "2");
        Assert.Contains("(the search ran out of schedules within its bounds)", parallel.Out);
    }

    [Fact]
    public void AnUnboundedSearchThatEndedSaysEveryScheduleWasExplored()
    {
        using var cli = new CliRunner();

        CliRunner.Result full = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "dfs", "-i", "1000000");

        Assert.Contains("(every schedule explored)", full.Out);
    }

    [Fact]
    public void AnExhaustiveSearchCutByTheStepBoundSaysHowToMakeItAProof()
    {
        using var cli = new CliRunner();

        CliRunner.Result cut = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "dfs", "-i", "1000000", "-ms", "3");
        CliRunner.Result whole = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "dfs", "-i", "1000000");

        Assert.Contains("(raise --max-steps for a proof)", cut.Out);
        Assert.DoesNotContain("raise --max-steps", whole.Out);
    }

    [Fact]
    public void AnIterationBudgetThatRanOutSaysNeither()
    {
        using var cli = new CliRunner();

        CliRunner.Result r = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-s", "random", "-i", "5");

        Assert.Contains("iterations:     5\n", r.Out.Replace("\r", ""));
    }
}

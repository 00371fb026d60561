using System.Text.Json;
using Avic.Coyote.Cli.Output;

namespace Avic.Coyote.Tests.Cli;

public class CommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    [Fact]
    public void TestOfTheLostUpdateSampleExits1AndWritesScheduleAndTrace()
    {
        CliRunner.Result r = cli.Run("test", "-m", "Samples.LostUpdate");

        Assert.Equal(1, r.Exit);
        Assert.Contains("bug:            AssertionFailure", r.Out);
        Assert.Contains("-> as expected", r.Out);
        Assert.DoesNotContain("LostUpdateFixed", r.Out); // an exact name selects just that test
        string schedule = File.ReadAllText(cli.Path_("coyote-out/Samples.LostUpdate.schedule"));
        Assert.Contains("\"test\": \"Samples.LostUpdate\"", schedule);
        string[] trace = File.ReadAllLines(cli.Path_("coyote-out/Samples.LostUpdate.trace.txt"));
        Assert.StartsWith("# test Samples.LostUpdate | strategy prioritization (value 6) | seed 1", trace[0]);
        Assert.Contains("lost update", trace[1]);
        Assert.Contains(trace, l => l.Contains("READ_ONCE(counter)"));
    }

    [Fact]
    public void ReplayOfTheWrittenScheduleReproducesTheBugAndExits1()
    {
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate").Exit);

        CliRunner.Result r = cli.Run("replay", "coyote-out/Samples.LostUpdate.schedule", "--trace-out", "t.txt");

        Assert.Equal(1, r.Exit);
        Assert.Contains("reproduces the recorded bug", r.Out);
        Assert.Contains("*** BUG: AssertionFailure", File.ReadAllText(cli.Path_("t.txt")));
    }

    [Fact]
    public void TestOfTheFixedSampleExits0()
    {
        CliRunner.Result r = cli.Run("test", "-m", "Samples.LostUpdateFixed", "-i", "300");

        Assert.Equal(0, r.Exit);
        Assert.Contains("iterations:     300", r.Out);
        Assert.Contains("bug:            none found", r.Out);
        Assert.False(Directory.Exists(cli.Path_("coyote-out")));
    }

    [Fact]
    public void CoyoteJsonSetsDefaultsAndFlagsOverrideThem()
    {
        cli.Write("coyote.json", "{ \"iterations\": 7, \"outputDirectory\": \"out\", \"strategy\": \"random\" }");

        Assert.Contains("iterations:     7", cli.Run("test", "-m", "Samples.LostUpdateFixed").Out);
        Assert.Contains("iterations:     9", cli.Run("test", "-m", "Samples.LostUpdateFixed", "-i", "9").Out);
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate").Exit);
        Assert.True(File.Exists(cli.Path_("out/Samples.LostUpdate.schedule")));
    }

    [Fact]
    public void ListShowsEachTestWithItsExpectation()
    {
        CliRunner.Result r = cli.Run("list");

        Assert.Equal(0, r.Exit);
        Assert.Matches(@"Samples\.LostUpdate +bug: AssertionFailure \(LOST-UPDATE\) +two workers", r.Out);
        Assert.Matches(@"Samples\.LostUpdateFixed +pass ", r.Out);
    }

    [Fact]
    public void ListOfAnotherAssemblyShowsItsTests()
    {
        CliRunner.Result r = cli.Run("list", CliRunner.ToysAssembly);

        Assert.Equal(0, r.Exit);
        Assert.Contains("Toys.AbbaDeadlock", r.Out);
        Assert.DoesNotContain("Samples.LostUpdate", r.Out);
    }

    [Fact]
    public void ReplayOfAScheduleForAnUnknownTestExits2()
    {
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate").Exit);
        string path = cli.Path_("coyote-out/Samples.LostUpdate.schedule");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"test\": \"Samples.LostUpdate\"", "\"test\": \"Samples.Gone\""));

        CliRunner.Result r = cli.Run("replay", "coyote-out/Samples.LostUpdate.schedule");

        Assert.Equal(2, r.Exit);
        Assert.Contains("the schedule is for test 'Samples.Gone'", r.FirstErrorLine);
    }

    [Fact]
    public void ReplayOfAScheduleForAnotherTestsModelExits2WithTheDivergence()
    {
        // The racy sample's decisions replayed against the fixed sample: a changed model.
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate").Exit);
        string path = cli.Path_("coyote-out/Samples.LostUpdate.schedule");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"test\": \"Samples.LostUpdate\"", "\"test\": \"Samples.LostUpdateFixed\""));

        CliRunner.Result r = cli.Run("replay", "coyote-out/Samples.LostUpdate.schedule");

        Assert.Equal(2, r.Exit);
        Assert.Matches("cannot replay: .*step [0-9]+", r.FirstErrorLine);
    }

    [Fact]
    public void ReplayOfAToyScheduleNeedsItsAssembly()
    {
        Assert.Equal(1, cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.AbbaDeadlock").Exit);

        Assert.Equal(2, cli.Run("replay", "coyote-out/Toys.AbbaDeadlock.schedule").Exit);
        Assert.Equal(1, cli.Run("replay", "coyote-out/Toys.AbbaDeadlock.schedule", CliRunner.ToysAssembly).Exit);
    }

    [Fact]
    public void CheckPassesWhenEveryTestMeetsItsExpectationAndWritesReports()
    {
        CliRunner.Result r = cli.Run("check", CliRunner.ToysAssembly, "-m", "toys.lostupd", "-i", "500", "--seeds", "1..2");

        Assert.Equal(0, r.Exit);
        Assert.Contains("4 of 4 runs as expected", r.Out);
        // Several seeds: one aggregated row per test on stdout, the per-seed rows in check.md.
        Assert.Matches(@"Toys\.LostUpdate +bug: AssertionFailure \(LOST-UPDATE\) +AssertionFailure 2/2 +0 +\d+.* 2/2 ok", r.Out);
        Assert.Contains("| Toys.LostUpdateFixed (seed 2) | pass | none |", File.ReadAllText(cli.Path_("coyote-out/check.md")));
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(cli.Path_("coyote-out/check.json")));
        Assert.Equal(4, json.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt32());
        Assert.True(File.Exists(cli.Path_("coyote-out/Toys.LostUpdate.seed1.schedule")));
    }

    [Fact]
    public void CheckFailsWhenAnExpectedBugIsNotFound()
    {
        // PCT without change points never preempts a worker, so the lost update cannot happen.
        CliRunner.Result r = cli.Run("check", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-s", "prioritization", "-sv", "0", "-i", "20");

        Assert.Equal(1, r.Exit);
        Assert.Matches(@"Toys\.LostUpdate +bug: AssertionFailure \(LOST-UPDATE\) +none .*FAIL", r.Out);
        Assert.Contains("1 NOT as expected", r.Out);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void TheSameSeedWritesTheSameScheduleBytes(string strategy)
    {
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate", "-s", strategy, "--seed", "11", "-o", "a").Exit);
        Assert.Equal(1, cli.Run("test", "-m", "Samples.LostUpdate", "-s", strategy, "--seed", "11", "-o", "b").Exit);

        Assert.Equal(File.ReadAllBytes(cli.Path_("a/Samples.LostUpdate.schedule")), File.ReadAllBytes(cli.Path_("b/Samples.LostUpdate.schedule")));
        Assert.Equal(File.ReadAllBytes(cli.Path_("a/Samples.LostUpdate.trace.txt")), File.ReadAllBytes(cli.Path_("b/Samples.LostUpdate.trace.txt")));
    }

    [Fact]
    public void TsoFlagRunsUnderStoreBuffers()
    {
        CliRunner.Result r = cli.Run("test", "-m", "Samples.LostUpdateFixed", "--tso", "-i", "50");

        Assert.Equal(0, r.Exit);
        Assert.Contains("memory model X86Tso", r.Out);
    }

    [Fact]
    public void TestNamesAreSafeFileNames()
    {
        Assert.Equal("Area.Variant_x_y_", BugFiles.FileName("Area.Variant x/y?"));
        Assert.Equal("test", BugFiles.FileName(".."));
    }
}

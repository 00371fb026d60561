using System.Xml;
using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Tests.Cli;

namespace Avic.Coyote.Tests.Hunt;

/// <summary>`coyote hunt`, `merge-reports` and `test -s portfolio` end to end, in-process, on the toys of this assembly.</summary>
public class HuntCommandTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private CliRunner.Result Hunt(params string[] extra) =>
        cli.Run(["hunt", CliRunner.ToysAssembly, "-m", "Fixed", "-p", "1", "--budget", "1s", .. extra]);

    private HuntReport Load(string dir) => HuntReport.Load(cli.Path_(Path.Combine(dir, "report.json")), dir);

    [Fact]
    public void TwoMergedShardsCoverTheSameTestsAsOneUnshardedRun()
    {
        CliRunner.Result all = Hunt("-o", "all");
        CliRunner.Result one = Hunt("--shard", "1/2", "-o", "s1");
        CliRunner.Result two = Hunt("--shard", "2/2", "-o", "s2");
        Assert.True(all.Exit == 0, all.Out + all.Err);
        Assert.Equal(0, one.Exit);
        Assert.Equal(0, two.Exit);

        CliRunner.Result merged = cli.Run("merge-reports", "s1", "s2", "-o", "merged");
        Assert.Contains("s1/report.json is given twice", cli.Run("merge-reports", "s1", "s2", "s1/report.json").FirstErrorLine);

        Assert.True(merged.Exit == 0, merged.Out + merged.Err);
        string[] unsharded = Load("all").Tests.Select(t => t.Name).ToArray();
        Assert.True(unsharded.Length >= 4);
        Assert.Equal(unsharded, Load("merged").Tests.Select(t => t.Name));
        // With one worker per test, each shard got different tests: the union is what matters.
        Assert.Empty(Load("s1").Tests.Select(t => t.Name).Intersect(Load("s2").Tests.Select(t => t.Name)));
        Assert.Equal(Load("s1").Tests.Sum(t => t.Iterations) + Load("s2").Tests.Sum(t => t.Iterations), Load("merged").Tests.Sum(t => t.Iterations));
        var xml = new XmlDocument();
        xml.Load(cli.Path_("merged/junit.xml"));
        Assert.Equal(unsharded.Length, xml.SelectNodes("//testcase")!.Count);
        Assert.True(File.Exists(cli.Path_("merged/summary.md")));
    }

    [Fact]
    public void AKnownBugIsFoundWrittenOnceAndReplays()
    {
        CliRunner.Result r = cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-p", "2", "--budget", "1s", "-o", "h");

        Assert.True(r.Exit == 0, r.Out + r.Err);
        HuntTestResult t = Assert.Single(Load("h").Tests);
        Assert.True(t.Ok);
        HuntBug bug = Assert.Single(t.Bugs);
        Assert.Equal("Toys.LostUpdate.1.schedule", bug.Schedule);
        Assert.True(File.Exists(cli.Path_("h/Toys.LostUpdate.1.trace.txt")));
        Assert.Equal(1, cli.Run("replay", "h/Toys.LostUpdate.1.schedule", CliRunner.ToysAssembly).Exit);
    }

    [Theory]
    [InlineData(new[] { "hunt", "--budget", "5" }, "--budget needs a duration such as 90s, 30m, 1h")]
    [InlineData(new[] { "hunt", "--budget", "0s" }, "--budget must be more than 0")]
    [InlineData(new[] { "hunt", "--shard", "3/2" }, "--shard needs i/N with 1 <= i <= N")]
    [InlineData(new[] { "hunt", "--shard", "x" }, "--shard needs i/N")]
    [InlineData(new[] { "hunt", "-p", "0" }, "option -p needs an integer from 1 to 1,024")]
    [InlineData(new[] { "merge-reports" }, "merge-reports needs at least one hunt folder")]
    [InlineData(new[] { "merge-reports", "nowhere" }, "nowhere: no such file")]
    public void UsageMistakesExit2WithOneLine(string[] args, string expected)
    {
        CliRunner.Result r = cli.Run(args);

        Assert.Equal(2, r.Exit);
        Assert.StartsWith("coyote: error: ", r.FirstErrorLine);
        Assert.Contains(expected, r.FirstErrorLine);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void ABadReportIsNamedWithLineAndColumn()
    {
        Directory.CreateDirectory(cli.Path_("bad"));
        cli.Write("bad/report.json", "{\n  \"format\": \"avic-coyote-hunt/1\",\n  \"runs\": [,]\n}");

        CliRunner.Result r = cli.Run("merge-reports", "bad");

        Assert.Equal(2, r.Exit);
        Assert.StartsWith($"coyote: error: {Path.Combine("bad", "report.json")}:3:", r.FirstErrorLine);
    }

    [Fact]
    public void AnUnwritableOutputFolderFailsBeforeTheBudgetIsSpent()
    {
        cli.Write("file", "a file, not a folder");

        CliRunner.Result r = cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Fixed", "-p", "1", "--budget", "1h", "-o", "file/hunt");

        Assert.Equal(2, r.Exit);
        Assert.StartsWith($"coyote: error: {Path.Combine("file", "hunt")}: cannot write the hunt report there: ", r.FirstErrorLine);
        Assert.Contains("(checked before running, so no time was spent)", r.FirstErrorLine);
        Assert.DoesNotContain("ran ", r.Out);
    }

    [Fact]
    public void ANewHuntReplacesThePreviousResultsAsOneSetAndLeavesOtherFilesAlone()
    {
        Assert.Equal(0, cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-p", "1", "--budget", "1s", "-o", "h").Exit);
        Assert.True(File.Exists(cli.Path_("h/Toys.LostUpdate.1.schedule")));
        cli.Write("h/notes.txt", "mine");

        // The second hunt finds no bug: the old schedule goes with the old report (a full disk keeps both: AtomicOutputTests).
        CliRunner.Result r = cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-p", "1", "--budget", "1s", "-o", "h");

        Assert.True(r.Exit == 0, r.Out + r.Err);
        Assert.False(File.Exists(cli.Path_("h/Toys.LostUpdate.1.schedule")));
        Assert.Equal("mine", File.ReadAllText(cli.Path_("h/notes.txt")));
        Assert.Equal("Toys.LostUpdateFixed", Assert.Single(Load("h").Tests).Name);
        Assert.DoesNotContain(Directory.EnumerateFiles(cli.Path_("h")), f => Path.GetFileName(f).Contains(".tmp-"));
    }

    [Fact]
    public void ShardsRunWithDifferentFiltersAreNotMerged()
    {
        Assert.Equal(0, Hunt("--shard", "1/2", "-o", "s1").Exit);
        Assert.Equal(0, cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-p", "1", "--budget", "1s", "--shard", "2/2", "-o", "s2").Exit);

        CliRunner.Result r = cli.Run("merge-reports", "s1", "s2", "-o", "merged");

        Assert.Equal(2, r.Exit);
        Assert.Equal($"coyote: error: {Path.Combine("s2", "report.json")}: shard 2/2 was run with -m filter 'Toys.LostUpdateFixed' but " +
                     $"{Path.Combine("s1", "report.json")} with 'Fixed': these are not shards of one hunt (run every shard with the same flags), so they are not merged",
            r.FirstErrorLine);
        Assert.False(Directory.Exists(cli.Path_("merged")));
    }

    [Theory]
    [InlineData("\"seed\": 1,", "\"seed\": \"one\",", "field 'runs[0].seed' must be an integer")]
    [InlineData("\"kind\": \"AssertionFailure\"", "\"kind\": \"Oops\"", "field 'tests[0].bugs[0].kind' must be one of")]
    [InlineData("\"canceled\": false", "\"canceled\": 3", "field 'runs[0].canceled' must be true or false")]
    public void AWrongFieldTypeIsNamedInTheReportsTerms(string find, string replace, string expected)
    {
        Assert.Equal(0, cli.Run("hunt", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "-p", "1", "--budget", "1s", "-o", "h").Exit);
        string json = File.ReadAllText(cli.Path_("h/report.json"));
        Assert.Contains(find, json);
        cli.Write("h/report.json", json.Replace(find, replace, StringComparison.Ordinal));

        CliRunner.Result r = cli.Run("merge-reports", "h", "-o", "m");

        Assert.Equal(2, r.Exit);
        Assert.Contains(expected, r.FirstErrorLine);
        Assert.DoesNotContain("System.", r.Err);
        Assert.DoesNotContain("Avic.", r.Err);
    }

    [Fact]
    public void PortfolioTestPrintsEachWorkerAndTheTotal()
    {
        CliRunner.Result r = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-s", "portfolio", "-p", "3", "-i", "50");

        Assert.Equal(0, r.Exit);
        Assert.Contains("worker #0 prioritization(6) seed 1: 50 iterations", r.Out);
        Assert.Contains("worker #1 random seed 2: 50 iterations", r.Out);
        Assert.Contains("worker #2 fair-prioritization(6) seed 3: 50 iterations", r.Out);
        Assert.Contains("total:          150 iterations", r.Out);
    }

    [Fact]
    public void PortfolioTestWritesTheFirstBugsScheduleAsForAnyBug()
    {
        CliRunner.Result r = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdate", "--strategy", "portfolio", "-p", "2");

        Assert.Equal(1, r.Exit);
        Assert.Contains("first bug, by worker #", r.Out);
        Assert.Equal(1, cli.Run("replay", "coyote-out/Toys.LostUpdate.schedule", CliRunner.ToysAssembly).Exit);
    }
}

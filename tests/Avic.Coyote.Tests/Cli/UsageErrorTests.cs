namespace Avic.Coyote.Tests.Cli;

/// <summary>Every user mistake: exit 2, one `coyote: error:` line, no stack trace.</summary>
public class UsageErrorTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private void AssertUserError(CliRunner.Result r, string expected)
    {
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("coyote: error: ", r.FirstErrorLine);
        Assert.Contains(expected, r.FirstErrorLine);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "test", "--frob" }, "unknown option '--frob' for 'test'")]
    [InlineData(new[] { "test", "-i", "abc" }, "option -i needs an integer from 1 to 1,000,000,000, got 'abc'")]
    [InlineData(new[] { "test", "-i", "0" }, "option -i needs an integer from 1 to 1,000,000,000, got '0'")]
    [InlineData(new[] { "test", "-i", "2000000000" }, "option -i needs an integer from 1 to 1,000,000,000, got '2000000000'")]
    [InlineData(new[] { "test", "-sv", "2147483647" }, "option -sv needs an integer from 0 to 10,000, got '2147483647'")]
    [InlineData(new[] { "test", "-ms", "100000000" }, "option -ms needs an integer from 1 to 10,000,000, got '100000000'")]
    [InlineData(new[] { "check", "--liveness-threshold", "20000000" }, "option --liveness-threshold needs an integer from 0 to 10,000,000")]
    [InlineData(new[] { "test", "-t", "Infinity" }, "option -t needs a number from 0 to 604,800, got 'Infinity'")]
    [InlineData(new[] { "test", "-t", "NaN" }, "option -t needs a number from 0 to 604,800, got 'NaN'")]
    [InlineData(new[] { "test", "-t", "1e9" }, "option -t needs a number from 0 to 604,800, got '1e9'")]
    [InlineData(new[] { "test", "-t", "700000" }, "option -t needs a number from 0 to 604,800, got '700000'")]
    [InlineData(new[] { "test", "-s", "portfolio", "-p", "5000" }, "option -p needs an integer from 1 to 1,024, got '5000'")]
    [InlineData(new[] { "hunt", "-p", "0" }, "option -p needs an integer from 1 to 1,024, got '0'")]
    [InlineData(new[] { "minimize", "x.schedule", "--max-replays", "9999999" }, "option --max-replays needs an integer from 2 to 1,000,000")]
    [InlineData(new[] { "check", "--seeds", "1..1000000" }, "--seeds 1..1000000 is more than 100,000 seeds")]
    [InlineData(new[] { "check", "-s", "portfolio" }, "strategy 'portfolio' works with `coyote test` only")]
    [InlineData(new[] { "test", "--config", "." }, ".: is a folder, not a settings file (--config needs a JSON file)")]
    [InlineData(new[] { "test", "--iterations" }, "option --iterations needs a value")]
    [InlineData(new[] { "test", "--seed", "-3" }, "option --seed needs a non-negative integer")]
    [InlineData(new[] { "test", "-s", "bogus" }, "unknown strategy 'bogus'; known: random, prioritization, fair-prioritization, dfs, dfs-proof, dfs-sleepsets, dfs-full, dfs-bounded, dfs-bounded-full, dfs-stateful, portfolio (test only)")]
    [InlineData(new[] { "test", "-m", "NoSuchTest" }, "no test matches 'NoSuchTest' (try `coyote list`)")]
    [InlineData(new[] { "check", "--seeds", "5..2" }, "--seeds needs a range A..B")]
    [InlineData(new[] { "list", "a.dll", "b.dll" }, "unexpected argument 'b.dll'")]
    [InlineData(new[] { "list", "missing.dll" }, "missing.dll: no such file")]
    [InlineData(new[] { "test", "--config", "nope.json" }, "nope.json: no such settings file")]
    [InlineData(new[] { "replay" }, "replay needs a SCHEDULE file")]
    [InlineData(new[] { "replay", "missing.schedule" }, "missing.schedule: no such schedule file")]
    public void BadInvocationExits2WithOneLine(string[] args, string expected) => AssertUserError(cli.Run(args), expected);

    [Fact]
    public void UsageErrorsPointToTheCommandsHelp()
    {
        CliRunner.Result r = cli.Run("test", "-i", "abc");

        Assert.Equal("Run 'coyote help test' for usage.", r.Err.Split('\n')[1].TrimEnd());
    }

    [Fact]
    public void NotANetAssemblyIsAnInputError()
    {
        cli.Write("junk.dll", "not a PE file");

        AssertUserError(cli.Run("list", "junk.dll"), "junk.dll: not a .NET assembly");
    }

    [Fact]
    public void MalformedCoyoteJsonGivesLineAndColumn()
    {
        cli.Write("coyote.json", "{\n  \"iterations\": 10\n  \"seed\": 1\n}\n");

        AssertUserError(cli.Run("test", "-m", "Samples.LostUpdateFixed"), "coyote.json:3:3: not valid JSON");
    }

    [Theory]
    [InlineData("{ \"iteratons\": 10 }", "coyote.json:1:3: unknown key 'iteratons'")]
    [InlineData("{ \"iterations\": \"10\" }", "key 'iterations' must be an integer from 1 to 1,000,000,000")]
    [InlineData("{ \"strategyValue\": 2147483647 }", "key 'strategyValue' must be an integer from 0 to 10,000")]
    [InlineData("{ \"timeoutSeconds\": 1e300 }", "key 'timeoutSeconds' must be a number from 0 to 604,800 (0: no limit)")]
    [InlineData("{ \"strategy\": \"dfz\" }", "key 'strategy' must be one of")]
    [InlineData("{ \"failOnMaxSteps\": 1 }", "key 'failOnMaxSteps' must be true or false")]
    [InlineData("{ \"seed\": 1, \"seed\": 2 }", "key 'seed' appears twice")]
    [InlineData("[1]", "coyote.json:1:1: expected a JSON object")]
    public void BadCoyoteJsonNamesTheKey(string json, string expected)
    {
        cli.Write("coyote.json", json);

        AssertUserError(cli.Run("test"), expected);
    }

    [Fact]
    public void ACoyoteJsonThatIsAFolderIsAnErrorNotIgnored()
    {
        Directory.CreateDirectory(cli.Path_("coyote.json"));

        AssertUserError(cli.Run("test", "-m", "Samples.LostUpdateFixed"), "coyote.json: is a folder, not a settings file (remove it, or pass --config FILE)");
    }

    [Fact]
    public void PortfolioIsAStrategyOfCoyoteJsonToo()
    {
        cli.Write("coyote.json", "{ \"strategy\": \"portfolio\", \"iterations\": 5 }");

        CliRunner.Result r = cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-p", "2");

        Assert.True(r.Exit == 0, r.Out + r.Err);
        Assert.Contains("portfolio of 2 workers", r.Out);
        AssertUserError(cli.Run("check", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed"), "strategy 'portfolio' works with `coyote test` only");
    }

    [Fact]
    public void MalformedScheduleGivesLineAndColumn()
    {
        cli.Write("bad.schedule", "{\n  \"format\": \"avic-coyote-schedule/1\",\n  \"test\" \"x\"\n}\n");

        AssertUserError(cli.Run("replay", "bad.schedule"), "bad.schedule:3:10: not valid JSON");
    }

    [Fact]
    public void HelpAndVersionExit0()
    {
        Assert.Equal(0, cli.Run("--help").Exit);
        CliRunner.Result help = cli.Run("help", "test");
        Assert.Equal(0, help.Exit);
        Assert.Contains("-i|--iterations N", help.Out);
        Assert.Contains("--strategy-value", help.Out);
        Assert.Equal(0, cli.Run("replay", "--help").Exit);
        Assert.Equal(2, cli.Run().Exit);
        Assert.Equal(2, cli.Run("help", "nope").Exit);
    }
}

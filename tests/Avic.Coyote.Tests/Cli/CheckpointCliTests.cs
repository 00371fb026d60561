namespace Avic.Coyote.Tests.Cli;

/// <summary>`coyote test --checkpoint / --resume` end to end (in process): a proof in pieces prints what it resumed and
/// the totals of the whole search, which are those of the uninterrupted run; every misuse is exit 2 with one
/// `coyote: error:` line and no stack trace.</summary>
public class CheckpointCliTests : IDisposable
{
    private readonly CliRunner cli = new();

    public void Dispose() => cli.Dispose();

    private CliRunner.Result Test(params string[] args) =>
        cli.Run(["test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-s", "dfs-proof", .. args]);

    private static void AssertUserError(CliRunner.Result r, string expected)
    {
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("coyote: error: ", r.FirstErrorLine);
        Assert.Contains(expected, r.FirstErrorLine);
        Assert.DoesNotContain("   at ", r.Err);
    }

    private static string Line(string output, string label) =>
        output.Split('\n').Single(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal));

    [Fact]
    public void AProofInPiecesEndsWithTheTotalsOfTheUninterruptedOne()
    {
        CliRunner.Result whole = Test();
        Assert.Equal(0, whole.Exit);
        string executions = Line(whole.Out, "iterations:").Split(':')[1].Trim().Split(' ')[0];
        string steps = Line(whole.Out, "steps:").Split(':')[1].Trim().Split(' ')[0];

        CliRunner.Result first = Test("-i", "1", "--checkpoint", "p.ckpt");
        Assert.Equal(0, first.Exit);
        Assert.Contains("p.ckpt (the search's state, for --resume; written 1 time", first.Out);
        Assert.Contains("-> no verdict yet (the search goes on with --resume)", Line(first.Out, "expected:"));
        CliRunner.Result r = first;
        int pieces = 1;
        while (!r.Out.Contains("every schedule explored"))
        {
            r = Test("-i", "1", "--resume", "p.ckpt");
            Assert.Equal(0, r.Exit);
            pieces++;
            Assert.Contains($"executions done before", Line(r.Out, "resumed:"));
        }
        Assert.True(pieces > 2, r.Out);
        Assert.StartsWith($"whole search:   {executions} executions", Line(r.Out, "whole search:").Trim());
        Assert.Contains($", {steps} steps, ", Line(r.Out, "whole search:"));
        Assert.Equal(Line(whole.Out, "coverage:"), Line(r.Out, "coverage:"));
        Assert.EndsWith("-> as expected", Line(r.Out, "expected:").TrimEnd());
        AssertUserError(Test("--resume", "p.ckpt"), "the search is finished, nothing to resume");
    }

    /// <summary>Each piece a process of its own, the first stopped by a real SIGINT: operation ids and footprint keys
    /// mean the same objects in another process, so the pieces end with the uninterrupted run's totals.</summary>
    [Fact]
    public void AProofStoppedByCtrlCGoesOnInAnotherProcess()
    {
        var whole = Testing.TestingEngine.Run(Testing.TestCatalog.FromAssembly(typeof(Models.Doorbell.DoorbellVariants).Assembly)
            .Single(t => t.Name == "Memslot.Merged.2vcpu"), new Testing.Configuration { Strategy = "dfs-proof", Iterations = 1_000_000 });
        using (var first = new ChildProcess(cli.Dir, "test", "-m", "Memslot.Merged.2vcpu", "-s", "dfs-proof", "-i", "1000000", "--checkpoint", "m.ckpt"))
        {
            first.WaitFor("Memslot.Merged.2vcpu: "); // the progress line: the search is under way
            first.Interrupt();
            Assert.Equal(130, first.Exit());
            Assert.Contains("(INTERRUPTED by Ctrl-C)", first.Out);
            Assert.Contains("m.ckpt (the search's state, for --resume", first.Out);
        }
        using var second = new ChildProcess(cli.Dir, "test", "-m", "Memslot.Merged.2vcpu", "-s", "dfs-proof", "-i", "1000000", "--resume", "m.ckpt");
        Assert.Equal(0, second.Exit());
        Assert.Contains("(every schedule explored)", second.Out);
        Assert.Matches(@"resumed: +from .*m\.ckpt: [1-9][0-9,]* executions done before", second.Out);
        string n(long x) => x.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"whole search:   {n(whole.Iterations)} executions ({n(whole.PrunedIterations)} cut short), {n(whole.TotalSteps)} steps", second.Out);
        Assert.Contains(whole.Coverage!, second.Out);
    }

    [Fact]
    public void MisusesAreUserErrors()
    {
        Assert.Equal(0, Test("-i", "1", "--checkpoint", "a.ckpt").Exit);
        AssertUserError(Test("--checkpoint", "a.ckpt"), "a.ckpt exists: go on with its search with --resume");
        AssertUserError(Test("--resume", "missing.ckpt"), "missing.ckpt: no such checkpoint");
        AssertUserError(cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-s", "random", "--resume", "a.ckpt"),
            "strategy random cannot checkpoint its search; dfs, dfs-proof, dfs-bounded can");
        AssertUserError(cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.LostUpdateFixed", "-s", "dfs", "--resume", "a.ckpt"),
            "cannot resume: it is a checkpoint of strategy dfs-proof, not dfs");
        AssertUserError(cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.AbbaDeadlockFixed", "-s", "dfs-proof", "--resume", "a.ckpt"),
            "cannot resume: it is a checkpoint of test 'Toys.LostUpdateFixed', not 'Toys.AbbaDeadlockFixed'");
        AssertUserError(cli.Run("test", CliRunner.ToysAssembly, "-m", "Toys.", "-s", "dfs-proof", "--checkpoint", "b.ckpt"),
            "--checkpoint and --resume save the search of one test");
        AssertUserError(cli.Run("test", CliRunner.ToysAssembly, "-s", "portfolio", "--checkpoint", "b.ckpt"), "not of -s portfolio");
        AssertUserError(Test("--checkpoint-every", "5"), "--checkpoint-every works with --checkpoint or --resume");
        cli.Write("cut.ckpt", File.ReadAllText(cli.Path_("a.ckpt"))[..200]);
        AssertUserError(Test("--resume", "cut.ckpt"), "not a whole checkpoint (truncated or edited)");
    }
}

using Avic.Coyote.Cli;
using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using static Avic.Coyote.Tests.Hunt.HuntReportFixtures;

namespace Avic.Coyote.Tests.Hunt;

public class ReportMergerTests
{
    private static HuntReport Merge(params HuntReport[] reports) =>
        ReportMerger.Merge(reports.Select((r, i) => (r, $"/shard-{i + 1}", $"shard-{i + 1}/report.json")).ToList()).Report;

    [Fact]
    public void MergingSumsFiguresAndUnitesTheTestSets()
    {
        HuntReport one = Report(Run(1, 2), Test("A", Expectation.Pass, iterations: 10), Test("C", Expectation.Pass, iterations: 1));
        HuntReport two = Report(Run(2, 2), Test("A", Expectation.Pass, iterations: 7), Test("B", Expectation.Pass, iterations: 3));

        HuntReport m = Merge(one, two);

        Assert.Equal(["A", "B", "C"], m.Tests.Select(t => t.Name));
        HuntTestResult a = m.Tests[0];
        Assert.Equal(17, a.Iterations);
        Assert.Equal(170, a.Steps);
        Assert.Equal(2, a.Units);
        Assert.Equal(2, a.Runs.Count);
        Assert.Equal(2, m.Runs.Count);
        Assert.Empty(m.MissingShards);
        Assert.Equal(0, m.FailedTests);
    }

    [Fact]
    public void AKnownBugFoundOnlyByShard2MakesTheMergedVerdictOk()
    {
        HuntReport one = Report(Run(1, 2), Test("K", Expectation.AssertionFailure, "INV-1"));
        HuntReport two = Report(Run(2, 2), Test("K", Expectation.AssertionFailure, "INV-1", 10, Bug(BugKind.AssertionFailure, "INV-1 broken", invariant: "INV-1")));
        Assert.False(one.Tests[0].Ok); // alone, shard 1 did not find it

        HuntTestResult k = Assert.Single(Merge(one, two).Tests);

        Assert.True(k.Ok, k.Reason);
        Assert.Equal("expected bug found", k.Reason);
    }

    [Fact]
    public void TheVerdictIsRecomputedNotCopied()
    {
        HuntTestResult lying = Test("P", Expectation.Pass, null, 10, Bug(BugKind.Deadlock, "stuck"));
        lying.Verdict = "ok"; // a shard file claiming ok for a pass variant with a bug
        HuntReport one = Report(Run(1, 1), lying);

        HuntTestResult p = Assert.Single(Merge(one).Tests);

        Assert.False(p.Ok);
        Assert.StartsWith("unexpected bug: Deadlock", p.Reason);
    }

    [Fact]
    public void TheSameBugFromTwoShardsIsOneBugWithSummedOccurrences()
    {
        HuntReport one = Report(Run(1, 2), Test("K", Expectation.AssertionFailure, "LOST-UPDATE", 10,
            Bug(BugKind.AssertionFailure, "lost update: counter is 1", "w0", 3, "K.1.schedule", "LOST-UPDATE")));
        HuntReport two = Report(Run(2, 2), Test("K", Expectation.AssertionFailure, "LOST-UPDATE", 10,
            Bug(BugKind.AssertionFailure, "lost update: counter is 2", "w1", 4, "K.1.schedule", "LOST-UPDATE"),
            Bug(BugKind.Deadlock, "stuck", "w1", 1, "K.2.schedule")));

        (HuntReport m, Dictionary<HuntBug, string> dirs) = ReportMerger.Merge([(one, "/s1", "s1"), (two, "/s2", "s2")]);

        HuntTestResult k = Assert.Single(m.Tests);
        Assert.Equal(2, k.Bugs.Count);
        HuntBug lost = k.Bugs.Single(b => b.Kind == BugKind.AssertionFailure);
        Assert.Equal(7, lost.Occurrences);
        Assert.Equal("/s1", dirs[lost]);               // the first shard's copy is kept
        Assert.Equal("/s2", dirs[k.Bugs.Single(b => b.Kind == BugKind.Deadlock)]);
        Assert.True(k.Ok);                             // the declared bug was found; the deadlock is listed, not failed on
        Assert.Equal("expected bug found; also 1 other distinct bug (Deadlock)", k.Reason);
    }

    [Fact]
    public void MissingShardsAreReported()
    {
        HuntReport m = Merge(Report(Run(1, 3)), Report(Run(3, 3)));
        Assert.Equal([2], m.MissingShards);
    }

    [Fact]
    public void ConflictingExpectationsAreAnInputError()
    {
        var e = Assert.Throws<InputException>(() => Merge(
            Report(Run(1, 2), Test("T", Expectation.Pass)), Report(Run(2, 2), Test("T", Expectation.Deadlock))));
        Assert.Contains("test 'T' expects bug: Deadlock here but pass in shard-1/report.json", e.Message);
    }

    [Fact]
    public void AReportSurvivesAJsonRoundTrip()
    {
        HuntReport r = Report(Run(2, 4), Test("K", Expectation.AssertionFailure, "INV-1", 10, Bug(BugKind.AssertionFailure, "INV-1 broken", invariant: "INV-1", schedule: "K.1.schedule")));

        HuntReport back = HuntReport.Parse(r.ToJson(), "report.json");

        Assert.Equal(r.ToJson(), back.ToJson());
        Assert.Equal("2/4", back.Runs[0].Shard);
        Assert.True(back.Tests[0].Ok);
    }

    [Theory]
    [InlineData("{ \"format\": \"avic-coyote-hunt/1\", \"runs\": [], \"tests\": [ }", "r.json:1:")]
    [InlineData("{\n  \"format\": \"avic-coyote-hunt/1\",\n  \"runs\": [],\n  \"tests\": [ { \"name\": 5 } ]\n}", "r.json:4:")]
    [InlineData("{ \"runs\": [], \"tests\": [] }", "not a valid hunt report: missing field 'format'")]
    [InlineData("{ \"format\": \"something-else\", \"runs\": [], \"tests\": [] }", "field 'format' is 'something-else'")]
    [InlineData("null", "holds 'null'")]
    public void BadReportsAreInputErrorsNamingTheFile(string json, string expected)
    {
        var e = Assert.Throws<InputException>(() => HuntReport.Parse(json, "r.json"));
        Assert.StartsWith("r.json", e.Message);
        Assert.Contains(expected, e.Message);
    }
}

using Avic.Coyote.Cli.Hunt;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Hunt;

public class BugDeduplicationTests
{
    [Fact]
    public void TheSameBugAtOtherStepsValuesAndSymmetricOperationsIsOneBug()
    {
        var a = new BugReport(BugKind.AssertionFailure, "lost update: counter is 1 after 2 increments", 9, "worker1", "LOST-UPDATE");
        var b = new BugReport(BugKind.AssertionFailure, "lost update: counter is 2 after 3 increments", 41, "worker2", "LOST-UPDATE");

        Assert.Equal(BugKey.Of("T", a), BugKey.Of("T", b));
        Assert.Equal("AssertionFailure LOST-UPDATE @ worker", BugKey.Of("T", a).Signature);
    }

    [Fact]
    public void TwoBugsOfOneInvariantWithDifferentNumbersInTheirMessagesAreOneKey()
    {
        // The old text keys split these: the minus sign of dest=-1 survived the number normalisation.
        var a = new BugReport(BugKind.AssertionFailure, "INV-A7: WARN fires: dest=-1 but index 0", 30, "vcpu0", "INV-A7");
        var b = new BugReport(BugKind.AssertionFailure, "INV-A7: WARN fires: dest=0 but index 1, 0xFEE00", 52, "vcpu1", "INV-A7");

        Assert.Equal(BugKey.Of("T", a), BugKey.Of("T", b));
    }

    [Fact]
    public void TheMessageNeverDecidesOnlyTheTypedFieldsDo()
    {
        var bug = new BugReport(BugKind.AssertionFailure, "INV-A4 violated", 9, "vcpu0", "INV-A4");
        BugKey key = BugKey.Of("T", bug);

        Assert.Equal(key, BugKey.Of("T", bug with { Message = "INV-A5: something else entirely" }));
        Assert.NotEqual(key, BugKey.Of("T", bug with { Kind = BugKind.Deadlock }));
        Assert.NotEqual(key, BugKey.Of("T", bug with { Invariant = "INV-A5" }));
        Assert.NotEqual(key, BugKey.Of("T", bug with { Invariant = null }));
        Assert.NotEqual(key, BugKey.Of("T", bug with { Operation = "hotplug" }));
        Assert.NotEqual(key, BugKey.Of("U", bug));
    }

    [Fact]
    public void AnOperationsRoleIsItsNameWithoutTheTrailingIndex()
    {
        Assert.Equal("vcpu", BugKey.Role("vcpu12"));
        Assert.Equal("deleter", BugKey.Role("deleter"));
        Assert.Equal("-", BugKey.Role(null));
        Assert.Equal("42", BugKey.Role("42")); // all digits: kept whole
    }

    /// <summary>Three unlocked increments: the final count is 1 or 2 in many schedules, one bug either way.</summary>
    private static TestCase Racy(Expectation expect) => TestCase.From("racy", async rt =>
    {
        var counter = new SharedVar<int>("counter");
        var workers = new Operation[3];
        for (int i = 0; i < workers.Length; i++)
            workers[i] = rt.Spawn($"w{i}", async () =>
            {
                int v = await counter.Read();
                await counter.Write(v + 1);
            });
        foreach (Operation w in workers) await rt.WhenCompleted(w);
        rt.Assert(counter.Peek() == workers.Length, "LOST-UPDATE", $"lost update: counter is {counter.Peek()}");
    }, expect);

    [Fact]
    public void AHuntKeepsGoingAfterBugsAndKeepsOneCopyOfEach()
    {
        TestCase test = Racy(Expectation.AssertionFailure);
        IReadOnlyList<HuntUnit> units = ShardPlan.Units([test], workers: 2, new Configuration { Seed = 1 });

        (IReadOnlyList<TestState> states, _) = HuntRunner.Run(units, new Configuration { Seed = 1 }, TimeSpan.FromSeconds(1), parallel: 2);

        TestState s = Assert.Single(states);
        Assert.Equal(2, s.Runs.Count);
        // "counter is 1" and "counter is 2" are the same bug; it came up in many runs (a new seed after each).
        FoundBug bug = Assert.Single(s.Bugs.Values);
        Assert.True(bug.Occurrences > 1);
        // Every run but possibly the last of each unit (cut by the slice) ended in the bug and moved on to the next seed.
        int runs = s.Runs.Sum(r => r.Seeds);
        Assert.InRange(bug.Occurrences, runs - s.Runs.Count, runs);
        Assert.True(TestingEngine.Replay(test, bug.First.Schedule!).Reproduces(bug.First.Bug));
    }
}

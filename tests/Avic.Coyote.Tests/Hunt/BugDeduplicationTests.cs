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
        var a = new BugReport(BugKind.AssertionFailure, "lost update: counter is 1 after 2 increments", 9, "worker1");
        var b = new BugReport(BugKind.AssertionFailure, "lost update: counter is 2 after 3 increments", 41, "worker2");

        Assert.Equal(BugKey.Of("T", a), BugKey.Of("T", b));
        Assert.Equal("AssertionFailure @ worker#: lost update: counter is # after # increments", BugKey.Of("T", a).Signature);
    }

    [Fact]
    public void InvariantIdsAndNamesKeepTheirDigits() =>
        Assert.Equal("INV-A4(a) and INV-B1-NS on x2APIC vcpu# at step #", BugKey.Normalize("INV-A4(a) and INV-B1-NS on x2APIC vcpu12 at step 45"));

    [Fact]
    public void HexAddressesAreNormalisedToo() =>
        Assert.Equal(BugKey.Of("T", new BugReport(BugKind.AssertionFailure, "an SPTE maps gfn 0xFEE00", 5, null)),
                     BugKey.Of("T", new BugReport(BugKind.AssertionFailure, "an SPTE maps gfn 0xfee01", 7, null)));

    [Fact]
    public void DifferentKindsMessagesOperationsOrTestsAreDifferentBugs()
    {
        var assertion = new BugReport(BugKind.AssertionFailure, "INV-A4 violated", 9, "vcpu0");
        BugKey key = BugKey.Of("T", assertion);

        Assert.NotEqual(key, BugKey.Of("T", assertion with { Kind = BugKind.Deadlock }));
        Assert.NotEqual(key, BugKey.Of("T", assertion with { Message = "INV-A5 violated" }));
        Assert.NotEqual(key, BugKey.Of("T", assertion with { Operation = "hotplug" }));
        Assert.NotEqual(key, BugKey.Of("U", assertion));
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
        rt.Assert(counter.Peek() == workers.Length, $"lost update: counter is {counter.Peek()}");
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

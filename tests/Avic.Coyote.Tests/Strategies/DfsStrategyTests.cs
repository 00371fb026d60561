using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// The exhaustive strategy on toys whose number of interleavings is known by hand: two operations
/// A and B, each a start step plus <c>n</c> writes. Without reduction every interleaving of the
/// 2(n+1) steps is explored: C(2n+2, n+1). With sleep sets exactly one execution per equivalence
/// class completes: 1 when A and B write different variables, C(2n, n) when they write the same one
/// (only the order of the conflicting writes matters).
/// </summary>
public class DfsStrategyTests
{
    private static TestCase TwoWriters(int writes, bool sameVariable) => TestCase.From($"writers{writes}{sameVariable}", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        rt.Spawn("A", async () => { for (int i = 0; i < writes; i++) await x.Write(i); });
        rt.Spawn("B", async () => { for (int i = 0; i < writes; i++) await (sameVariable ? x : y).Write(i); });
        return Task.CompletedTask;
    });

    private static TestReport Explore(TestCase test, string strategy, int maxSteps = 200) =>
        TestingEngine.Run(test, new Configuration { Strategy = strategy, Iterations = 1_000_000, MaxSteps = maxSteps });

    private static int Binomial(int n, int k)
    {
        long r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return (int)r;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void ExploresEveryInterleavingWithoutReduction(int writes, bool same)
    {
        TestReport r = Explore(TwoWriters(writes, same), "dfs-full");
        Assert.True(r.Exhausted);
        Assert.Equal(Binomial(2 * writes + 2, writes + 1), r.Iterations);
        Assert.Equal(0, r.PrunedIterations);
        Assert.StartsWith("complete", r.Coverage);
    }

    [Theory]
    [InlineData(1, false, 1)]
    [InlineData(3, false, 1)]
    [InlineData(1, true, 2)]
    [InlineData(2, true, 6)]
    [InlineData(3, true, 20)]
    [InlineData(4, true, 70)]
    public void SleepSetsExploreOneExecutionPerEquivalenceClass(int writes, bool same, int classes)
    {
        TestReport r = Explore(TwoWriters(writes, same), "dfs");
        Assert.True(r.Exhausted);
        Assert.Equal(classes, r.Iterations - r.PrunedIterations);
        Assert.Contains($"all {classes} schedules", r.Coverage);
    }

    [Fact]
    public void PreemptionBoundZeroRunsOnlyNonPreemptiveSchedulesAndSaysIncomplete()
    {
        // After main, A and B each start and write once: without preemptions one runs to completion,
        // then the other (2 schedules); every interleaving would be C(4,2) = 6.
        TestReport r = TestingEngine.Run(TwoWriters(1, true), new Configuration { Strategy = "dfs-bounded", StrategyValue = 0, Iterations = 1000, MaxSteps = 200 });
        Assert.Equal(2, r.Iterations);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete: explored every schedule with at most 0 preemptions", r.Coverage);
    }

    [Fact]
    public void PreemptionBoundFindsTheLostUpdateWithOnePreemptionButNotWithNone()
    {
        Assert.Null(TestingEngine.Run(Counter(false), new Configuration { Strategy = "dfs-bounded", StrategyValue = 0, Iterations = 1000 }).Bug);
        TestReport one = TestingEngine.Run(Counter(false), new Configuration { Strategy = "dfs-bounded", StrategyValue = 1, Iterations = 1000 });
        Assert.Equal(BugKind.AssertionFailure, one.Bug?.Kind);
        Assert.True(TestingEngine.Replay(Counter(false), one.Schedule!).Reproduces(one.Bug));
    }

    [Fact]
    public void ALargeEnoughPreemptionBoundIsTheFullSearch()
    {
        TestReport bounded = TestingEngine.Run(TwoWriters(2, true), new Configuration { Strategy = "dfs-bounded", StrategyValue = 100, Iterations = 100_000, MaxSteps = 200 });
        Assert.True(bounded.Exhausted);
        Assert.Equal(Binomial(6, 3), bounded.Iterations);
    }

    [Fact]
    public void NeverClaimsCompleteWhenTheStepBoundCutTheSearch()
    {
        TestReport r = Explore(TwoWriters(3, true), "dfs", maxSteps: 5);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete", r.Coverage);
        Assert.True(r.MaxStepsHits > 0);
    }

    [Fact]
    public void StopsAtTheIterationBudgetAndSaysIncomplete()
    {
        TestReport r = TestingEngine.Run(TwoWriters(3, true), new Configuration { Strategy = "dfs-full", Iterations = 10, MaxSteps = 200 });
        Assert.Equal(10, r.Iterations);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete", r.Coverage);
    }

    // The lost update and the ABBA deadlock (and their fixes) are the engine's toys (tests/…/Toys).
    private static TestCase Counter(bool locked) => ToyCatalog.Get(locked ? "Toys.LostUpdateFixed" : "Toys.LostUpdate");

    private static TestCase Abba(bool sameOrder) => ToyCatalog.Get(sameOrder ? "Toys.AbbaDeadlockFixed" : "Toys.AbbaDeadlock");

    /// <summary>Nondeterministic values are branched on as well: the bug needs choice 2 of 3 and a bad interleaving.</summary>
    private static TestCase ChoiceAndRace() => TestCase.From("choice", rt =>
    {
        var x = new SharedVar<int>("x");
        rt.Spawn("a", async () => { if (rt.RandomInteger(3) == 2) await x.Write(1); });
        rt.Spawn("b", async () => { int v = await x.Read(); rt.Assert(v == 0, "saw the write"); });
        return Task.CompletedTask;
    });

    public static TheoryData<string> Toys() => ["Toys.LostUpdate", "Toys.LostUpdateFixed", "Toys.AbbaDeadlock", "Toys.AbbaDeadlockFixed", "choice"];

    private static TestCase Toy(string name) => name == "choice" ? ChoiceAndRace() : ToyCatalog.Get(name);

    [Theory]
    [MemberData(nameof(Toys))]
    public void ReductionFindsExactlyTheBugsTheFullSearchFinds(string name)
    {
        TestReport full = Explore(Toy(name), "dfs-full");
        TestReport reduced = Explore(Toy(name), "dfs");
        Assert.Equal(full.Bug?.Kind, reduced.Bug?.Kind);
        Assert.True(reduced.Iterations <= full.Iterations);
        if (full.Bug is null) Assert.True(full.Exhausted && reduced.Exhausted);
    }

    [Fact]
    public void FindsTheKnownBugsOfTheToys()
    {
        Assert.Equal(BugKind.AssertionFailure, Explore(Counter(false), "dfs").Bug?.Kind);
        Assert.Equal(BugKind.Deadlock, Explore(Abba(false), "dfs").Bug?.Kind);
        Assert.Equal(BugKind.AssertionFailure, Explore(ChoiceAndRace(), "dfs").Bug?.Kind);
        Assert.Null(Explore(Counter(true), "dfs").Bug);
        Assert.Null(Explore(Abba(true), "dfs").Bug);
    }

    [Fact]
    public void ABugFoundByDfsReplays()
    {
        TestCase test = Abba(false);
        TestReport r = Explore(test, "dfs");
        Assert.NotNull(r.Schedule);
        Assert.True(TestingEngine.Replay(test, r.Schedule!).Reproduces(r.Bug));
    }
}

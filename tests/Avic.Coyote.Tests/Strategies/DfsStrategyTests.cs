using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// The exhaustive strategy on toys whose number of interleavings is known by hand: two operations
/// A and B, each a start step plus <c>n</c> writes. Without reduction every interleaving of the
/// 2(n+1) steps is explored: C(2n+2, n+1). With reduction exactly one execution per equivalence
/// class completes: 1 when A and B write different variables, C(2n, n) when they write the same one
/// (only the order of the conflicting writes matters); optimal DPOR (dfs) also starts no other.
/// More toys with hand-counted classes are checked against the full search, classified.
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

    /// <summary>The two reductions: optimal DPOR (the default) and DPOR with sleep sets.</summary>
    public static TheoryData<string> Reductions() => ["dfs", "dfs-optimal", "dfs-sleepsets"];

    [Theory]
    [InlineData(1, false, 1)]
    [InlineData(3, false, 1)]
    [InlineData(1, true, 2)]
    [InlineData(2, true, 6)]
    [InlineData(3, true, 20)]
    [InlineData(4, true, 70)]
    public void SleepSetsExploreOneExecutionPerEquivalenceClass(int writes, bool same, int classes)
    {
        TestReport r = Explore(TwoWriters(writes, same), "dfs-sleepsets");
        Assert.True(r.Exhausted);
        Assert.Equal(classes, r.Iterations - r.PrunedIterations);
        Assert.Contains($"all {classes} schedules", r.Coverage);
    }

    [Theory]
    [InlineData(1, false, 1)]
    [InlineData(3, false, 1)]
    [InlineData(1, true, 2)]
    [InlineData(2, true, 6)]
    [InlineData(3, true, 20)]
    [InlineData(4, true, 70)]
    public void OptimalDporRunsExactlyOneExecutionPerEquivalenceClass(int writes, bool same, int classes)
    {
        TestReport r = Explore(TwoWriters(writes, same), "dfs-optimal");
        Assert.True(r.Exhausted);
        Assert.Equal(classes, r.Iterations);
        Assert.Equal(0, r.PrunedIterations);
        Assert.Contains($"all {classes} schedules", r.Coverage);
    }

    /// <summary>
    /// Toys whose classes are counted by hand (each operation's start step touches nothing shared):
    /// <list type="bullet">
    /// <item>n operations each write x once: n! orders of the writes.</item>
    /// <item>one writer and n readers of x: each read is before or after the write, 2^n; reads commute.</item>
    /// <item>n operations each lock m, write their own variable, unlock: n! lock orders
    /// (a release never races with the next acquire, the acquires race).</item>
    /// <item>Abdulla et al.'s example where sleep sets alone start and abandon executions: p writes x;
    /// q reads y then x; r writes y. Classes: the order of (q's read of y, r's write) times that of
    /// (p's write, q's read of x): 4.</item>
    /// </list>
    /// </summary>
    internal static TestCase Counted(string shape, int n) => TestCase.From($"{shape}{n}", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        var m = new Mutex("m");
        switch (shape)
        {
            case "writers":
                for (int i = 0; i < n; i++) { int v = i; rt.Spawn($"w{i}", async () => await x.Write(v)); }
                break;
            case "readers":
                rt.Spawn("w", async () => await x.Write(1));
                for (int i = 0; i < n; i++) rt.Spawn($"r{i}", async () => await x.Read());
                break;
            case "lockers":
                for (int i = 0; i < n; i++)
                {
                    var own = new SharedVar<int>($"v{i}");
                    rt.Spawn($"l{i}", async () => { await m.Lock(); await own.Write(1); await m.Unlock(); });
                }
                break;
            case "pqr":
                rt.Spawn("p", async () => await x.Write(1));
                rt.Spawn("q", async () => { await y.Read(); await x.Read(); });
                rt.Spawn("r", async () => await y.Write(1));
                break;
        }
        return Task.CompletedTask;
    });

    private static int Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    public static TheoryData<string, int, int> CountedToys()
    {
        var data = new TheoryData<string, int, int>();
        for (int n = 2; n <= 4; n++)
        {
            data.Add("writers", n, Factorial(n));
            data.Add("readers", n, 1 << n);
            data.Add("lockers", n, Factorial(n));
        }
        data.Add("pqr", 0, 4);
        return data;
    }

    [Theory]
    [MemberData(nameof(CountedToys))]
    public void OptimalDporFindsTheHandCountedClasses(string shape, int n, int classes)
    {
        TestReport r = Explore(Counted(shape, n), "dfs-optimal");
        Assert.True(r.Exhausted, r.Coverage);
        Assert.Equal(classes, r.Iterations);
        Assert.Equal(0, r.PrunedIterations);
    }

    /// <summary>The full search, classified, is the ground truth: optimal DPOR runs each of its classes exactly once.</summary>
    [Theory]
    [MemberData(nameof(CountedToys))]
    public void OptimalDporRunsEveryClassOfTheFullSearchOnce(string shape, int n, int classes)
    {
        var full = new DfsClassRecorder(new Configuration { Strategy = "dfs-full", MaxSteps = 200 }.CreateStrategy());
        TestingEngine.Run(Counted(shape, n), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: full);
        var optimal = new DfsClassRecorder(new Configuration { Strategy = "dfs-optimal", MaxSteps = 200 }.CreateStrategy());
        TestingEngine.Run(Counted(shape, n), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: optimal);
        Assert.Equal(classes, full.Classes.Count);
        Assert.Equal(0, optimal.Repeats);
        Assert.Equal(full.Classes.OrderBy(c => c), optimal.Classes.OrderBy(c => c));
    }

    /// <summary>
    /// Why DPOR with sleep sets (the old dfs) is kept only for comparison: it backtracks only at the last
    /// race of each step, and when that choice point already sleeps the racing operation the class is lost.
    /// One writer and two readers have 4 classes; it runs 3 (it never reads r1 before the write and r0 after).
    /// </summary>
    [Theory]
    [InlineData("readers", 2, 4)]
    [InlineData("readers", 3, 8)]
    public void SleepSetsAloneMissClassesThatOptimalDporRuns(string shape, int n, int classes)
    {
        var sleepSets = new DfsClassRecorder(new Configuration { Strategy = "dfs-sleepsets", MaxSteps = 200 }.CreateStrategy());
        TestReport r = TestingEngine.Run(Counted(shape, n), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: sleepSets);
        Assert.True(sleepSets.Classes.Count < classes);
        Assert.Equal(classes, Explore(Counted(shape, n), "dfs-optimal").Iterations);
    }

    /// <summary>One writer, two readers; the bug needs the first reader before the write and the second after it.</summary>
    private static TestCase SplitReaders() => TestCase.From("splitreaders", rt =>
    {
        var x = new SharedVar<int>("x");
        int v0 = -1, v1 = -1;
        rt.Spawn("w", async () => await x.Write(1));
        rt.Spawn("r0", async () => { v0 = await x.Read(); rt.Assert(!(v0 == 0 && v1 == 1), "split"); });
        rt.Spawn("r1", async () => { v1 = await x.Read(); rt.Assert(!(v0 == 0 && v1 == 1), "split"); });
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData("dfs-full")]
    [InlineData("dfs-optimal")]
    [InlineData("dfs-sleepsets")]
    public void FindsTheSplitReaders(string strategy)
    {
        Assert.Equal(BugKind.AssertionFailure, Explore(SplitReaders(), strategy).Bug?.Kind);
    }

    [Theory]
    [InlineData("writers", 3)]
    [InlineData("writers", 4)]
    [InlineData("lockers", 3)]
    [InlineData("lockers", 4)]
    [InlineData("readers", 4)]
    public void SleepSetsAloneAbandonAnExecutionThatOptimalDporNeverStarts(string shape, int n)
    {
        Assert.True(Explore(Counted(shape, n), "dfs-sleepsets").PrunedIterations > 0);
        Assert.Equal(0, Explore(Counted(shape, n), "dfs-optimal").PrunedIterations);
    }

    /// <summary>
    /// dfs-bounded is optimal DPOR with a preemption bound, and the two do not compose into "every schedule with at most
    /// K preemptions": after main, A and B each start and write once; the non-preemptive schedules are A;B and B;A, but
    /// the reduction reaches B-before-A only by reversing the race of the writes after A's start (a step that touches
    /// nothing, so it commutes with B and covers the reversal there), which preempts A. It runs 1 execution, and says
    /// the bound cut the search.
    /// </summary>
    [Fact]
    public void PreemptionBoundZeroRunsNoPreemptiveScheduleAndSaysIncomplete()
    {
        TestReport r = TestingEngine.Run(TwoWriters(1, true), new Configuration { Strategy = "dfs-bounded", StrategyValue = 0, Iterations = 1000, MaxSteps = 200 });
        Assert.Equal(1, r.Iterations);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete: explored the classes optimal DPOR reaches with at most 0 preemptions", r.Coverage);
    }

    /// <summary>dfs-bounded-full (no reduction) keeps the guarantee: every schedule with at most K preemptions.</summary>
    [Fact]
    public void ThePlainBoundedSearchRunsEveryNonPreemptiveSchedule()
    {
        TestReport r = TestingEngine.Run(TwoWriters(1, true), new Configuration { Strategy = "dfs-bounded-full", StrategyValue = 0, Iterations = 1000, MaxSteps = 200 });
        Assert.Equal(2, r.Iterations);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete: explored every schedule with at most 0 preemptions", r.Coverage);
        TestReport all = TestingEngine.Run(TwoWriters(2, true), new Configuration { Strategy = "dfs-bounded-full", StrategyValue = 100, Iterations = 100_000, MaxSteps = 200 });
        Assert.True(all.Exhausted);
        Assert.Equal(Binomial(6, 3), all.Iterations);
    }

    /// <summary>The walk takes one filter, so sleep sets and a bound cannot be combined; the only way to give a bound is
    /// the strategy value, which the sleep-set entry does not take.</summary>
    [Fact]
    public void NoBoundWithSleepSets()
    {
        Assert.Null(StrategyRegistry.DfsSleepSets.Parameter);
        Assert.NotNull(StrategyRegistry.DfsBoundedFull.Parameter);
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
        // dfs-bounded is optimal DPOR with a bound: with one that cuts nothing it runs dfs's classes, C(4, 2).
        TestReport bounded = TestingEngine.Run(TwoWriters(2, true), new Configuration { Strategy = "dfs-bounded", StrategyValue = 100, Iterations = 100_000, MaxSteps = 200 });
        Assert.True(bounded.Exhausted);
        Assert.Equal(Binomial(4, 2), bounded.Iterations);
    }

    [Fact]
    public void NeverClaimsCompleteWhenTheStepBoundCutTheSearch()
    {
        TestReport r = Explore(TwoWriters(3, true), "dfs", maxSteps: 5);
        Assert.False(r.Exhausted);
        Assert.StartsWith("incomplete", r.Coverage);
        Assert.True(r.MaxStepsHits > 0);
        foreach (string walk in new[] { "dfs", "dfs-sleepsets", "dfs-full" })
        {
            r = Explore(TwoWriters(3, true), walk, maxSteps: 5);
            Assert.False(r.Exhausted);
            Assert.StartsWith("incomplete: the tree was explored, but", r.Coverage);
            Assert.True(r.MaxStepsHits > 0);
            Assert.DoesNotContain("--", r.Coverage); // what the search covered, not advice about CLI options
        }
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

    public static TheoryData<string, string> ToysAndReductions()
    {
        var data = new TheoryData<string, string>();
        foreach (string toy in Toys()) foreach (string reduction in Reductions()) data.Add(toy, reduction);
        return data;
    }

    [Theory]
    [MemberData(nameof(ToysAndReductions))]
    public void ReductionFindsExactlyTheBugsTheFullSearchFinds(string name, string reduction)
    {
        TestReport full = Explore(Toy(name), "dfs-full");
        TestReport reduced = Explore(Toy(name), reduction);
        Assert.Equal(full.Bug?.Kind, reduced.Bug?.Kind);
        Assert.True(reduced.Iterations <= full.Iterations);
        if (full.Bug is null) Assert.True(full.Exhausted && reduced.Exhausted);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void FindsTheKnownBugsOfTheToys(string reduction)
    {
        Assert.Equal(BugKind.AssertionFailure, Explore(Counter(false), reduction).Bug?.Kind);
        Assert.Equal(BugKind.Deadlock, Explore(Abba(false), reduction).Bug?.Kind);
        Assert.Equal(BugKind.AssertionFailure, Explore(ChoiceAndRace(), reduction).Bug?.Kind);
        Assert.Null(Explore(Counter(true), reduction).Bug);
        Assert.Null(Explore(Abba(true), reduction).Bug);
    }

    [Theory]
    [MemberData(nameof(Reductions))]
    public void ABugFoundByDfsReplays(string reduction)
    {
        TestCase test = Abba(false);
        TestReport r = Explore(test, reduction);
        Assert.NotNull(r.Schedule);
        Assert.True(TestingEngine.Replay(test, r.Schedule!).Reproduces(r.Bug));
    }
}

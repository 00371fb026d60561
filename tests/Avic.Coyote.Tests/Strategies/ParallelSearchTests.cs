using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive.Parallel;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// The parallel exhaustive search gives the sequential search's result for any number of workers: the
/// same executions counted (classes, for the reductions), the same coverage line, and the same first bug
/// with the same schedule. Split depths are small so that the toys, only a few steps deep, do split.
/// </summary>
public class ParallelSearchTests
{
    public static TheoryData<string> Strategies() => ["dfs-sleepsets", "dfs-full", "dfs-bounded-full"];

    private static Configuration Config(string strategy, int iterations = 1_000_000) =>
        new() { Strategy = strategy, StrategyValue = 1, Iterations = iterations, MaxSteps = 200 };

    /// <summary>The hand-counted toys of <see cref="DfsStrategyTests"/> (writers: n!, lockers: n!, pqr: 4 classes).</summary>
    private static TestCase Counted(string shape, int n) => DfsStrategyTests.Counted(shape, n);

    /// <summary>n increments of a shared counter without a lock: a lost update fails the final check.</summary>
    private static TestCase Increments(int n, bool locked) => TestCase.From($"increments{n}{locked}", async rt =>
    {
        var x = new SharedVar<int>("x");
        var m = new Mutex("m");
        var ops = new List<Operation>();
        for (int i = 0; i < n; i++)
            ops.Add(rt.Spawn($"inc{i}", async () =>
            {
                if (locked) await m.Lock();
                int v = await x.Read();
                await x.Write(v + 1);
                if (locked) await m.Unlock();
            }));
        foreach (Operation op in ops) await ((ControlledRuntime)rt).WhenCompleted(op);
        rt.Assert(x.Peek() == n, $"x = {x.Peek()}, expected {n}");
    });

    /// <summary>The main operation draws one of three values first; only with the last one does the writer
    /// write, and the reader fails when it reads after it. Depth-first search meets the bug in the last subtree
    /// of the first choice, after two bug-free ones.</summary>
    private static TestCase LateBug() => TestCase.From("latebug", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        int k = rt.RandomInteger(3);
        rt.Spawn("a", async () => { await y.Write(1); if (k == 2) await x.Write(1); });
        rt.Spawn("b", async () => { await y.Read(); int v = await x.Read(); rt.Assert(v == 0, "b read the write"); });
        return Task.CompletedTask;
    });

    /// <summary>Three bug-free copies of the locked increments, one per value drawn first.</summary>
    private static TestCase ThreeIncrements() => TestCase.From("threeincrements", async rt =>
    {
        rt.RandomInteger(3);
        await Increments(3, locked: true).Entry(rt);
    });

    /// <summary>A spinner reads a flag until a setter sets it: every execution where the setter comes late
    /// reaches the step bound.</summary>
    private static TestCase SpinUntilSet() => TestCase.From("spinuntilset", rt =>
    {
        var flag = new SharedVar<int>("flag");
        rt.Spawn("setter", async () => await flag.Write(1));
        rt.Spawn("spinner", async () => { while (await flag.Read() == 0) { } });
        return Task.CompletedTask;
    });

    private static void AssertSameResult(TestReport sequential, TestReport parallel, int workers, bool split)
    {
        string where = $"{workers} workers";
        // The tree was split: several subtrees went to the workers (a bug in the first one stops the search there).
        var subtrees = System.Text.RegularExpressions.Regex.Match(parallel.Coverage!, @"(\d+) subtrees");
        Assert.True(subtrees.Success && int.Parse(subtrees.Groups[1].Value) > (split ? 1 : 0), $"{where}: not split ({parallel.Coverage})");
        Assert.Equal(sequential.Iterations, parallel.Iterations);
        Assert.Equal(sequential.PrunedIterations, parallel.PrunedIterations);
        Assert.Equal(sequential.MaxStepsHits, parallel.MaxStepsHits);
        Assert.Equal(sequential.Exhausted, parallel.Exhausted);
        Assert.Equal(sequential.Coverage, parallel.Coverage![..parallel.Coverage!.IndexOf(" [parallel", StringComparison.Ordinal)]);
        Assert.Equal(sequential.Bug?.ToString(), parallel.Bug?.ToString());
        Assert.Equal(sequential.BugIteration, parallel.BugIteration);
        if (sequential.Schedule is null) Assert.Null(parallel.Schedule);
        else Assert.True(sequential.Schedule.ToJson() == parallel.Schedule!.ToJson(), $"{where}: the schedule differs");
    }

    private static void Compare(TestCase test, Configuration config, int splitDepth, bool split = true)
    {
        TestReport sequential = TestingEngine.Run(test, config);
        foreach (int workers in new[] { 1, 2, 4 })
            AssertSameResult(sequential, ParallelExhaustiveSearch.Run(test, config, workers, splitDepth: splitDepth), workers, split);
    }

    public static TheoryData<string, int, int, string> HandCounted()
    {
        var data = new TheoryData<string, int, int, string>();
        foreach ((string shape, int n, int classes) in new[] { ("writers", 4, 24), ("lockers", 3, 6), ("pqr", 0, 4) })
            foreach (string s in new[] { "dfs-sleepsets", "dfs-full" })
                data.Add(shape, n, classes, s);
        return data;
    }

    [Theory]
    [MemberData(nameof(HandCounted))]
    public void HandCountedToysGiveTheSameClassesForAnyNumberOfWorkers(string shape, int n, int classes, string strategy)
    {
        TestCase test = Counted(shape, n);
        foreach (int depth in new[] { 1, 2, 3 })
            foreach (int workers in new[] { 1, 2, 4 })
            {
                TestReport r = ParallelExhaustiveSearch.Run(test, Config(strategy), workers, splitDepth: depth);
                Assert.True(r.Exhausted, r.Coverage);
                if (strategy == "dfs-sleepsets") Assert.Equal(classes, r.Iterations - r.PrunedIterations);
            }
        Compare(test, Config(strategy), 2);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void TheFirstBugIsTheSequentialSearchsForAnyNumberOfWorkers(string strategy)
    {
        Compare(LateBug(), Config(strategy), 1);
        Compare(Increments(3, locked: false), Config(strategy), 1, split: false);
        Compare(ToyCatalog.Get("Toys.AbbaDeadlock"), Config(strategy), 1, split: false);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void BugFreeToysAreCompleteWithTheSameCountsForAnyNumberOfWorkers(string strategy)
    {
        Compare(Increments(3, locked: true), Config(strategy), 4);
        Compare(ToyCatalog.Get("Toys.AbbaDeadlockFixed"), Config(strategy), 2);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void AnIterationBudgetStopsAtTheSameExecutionForAnyNumberOfWorkers(string strategy)
    {
        TestReport all = TestingEngine.Run(ThreeIncrements(), Config(strategy));
        Compare(ThreeIncrements(), Config(strategy, iterations: all.Iterations * 2 / 3 + 1), 1);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void StepBoundHitsAreCountedTheSameForAnyNumberOfWorkers(string strategy)
    {
        Configuration config = Config(strategy) with { MaxSteps = 12 };
        Assert.True(TestingEngine.Run(SpinUntilSet(), config).MaxStepsHits > 0, "the toy must reach the step bound");
        Compare(SpinUntilSet(), config, 1);
    }

    [Fact]
    public void AStrategyThatDoesNotSplitIsRefusedNamingTheOnesThatDo()
    {
        var e = Assert.Throws<ArgumentException>(() => ParallelExhaustiveSearch.Run(Increments(2, locked: true), Config("dfs"), 2));
        Assert.Equal("strategy 'dfs' cannot split its tree across workers (one of: dfs-sleepsets, dfs-full, dfs-bounded-full)", e.Message);
    }
}

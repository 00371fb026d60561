using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Symmetry reduction in optimal DPOR (<see cref="Symmetry"/>): interchangeable operations open (take their first step
/// that touches something) in declaration order, so the search runs one representative per permutation; and the
/// preemption-bounded search built on the same reduction.
/// </summary>
public class OptimalDporSymmetryTests
{
    /// <summary>n threads, each takes a lock, writes its own variable (or, <paramref name="shared"/>, increments a shared
    /// counter non-atomically, outside the lock: the lost update) and unlocks. Threads are interchangeable.</summary>
    private static TestCase Lockers(int n, bool declare, bool shared = false) => TestCase.From($"lockers{n}{declare}{shared}", rt =>
    {
        var m = new Mutex("m");
        var counter = new SharedVar<int>("counter");
        var threads = new List<Operation>();
        int done = 0;
        for (int i = 0; i < n; i++)
        {
            var own = new SharedVar<int>($"v{i}");
            threads.Add(rt.Spawn($"t{i}", async () =>
            {
                await m.Lock();
                await own.Write(1);
                await m.Unlock();
                if (!shared) return;
                int v = await counter.Read();
                await counter.Write(v + 1);
                if (++done == n) rt.Assert(await counter.Read() == n, "lost update");
            }));
        }
        if (declare) Symmetry.Declare(rt, threads);
        return Task.CompletedTask;
    });

    private static TestReport Explore(TestCase test, string strategy = "dfs-proof", int value = 0) =>
        TestingEngine.Run(test, new Configuration { Strategy = strategy, StrategyValue = value, Iterations = 1_000_000, MaxSteps = 500 });

    private static int Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void InterchangeableLockersNeedOneClassInsteadOfOnePerLockOrder(int n)
    {
        TestReport plain = Explore(Lockers(n, declare: false));
        TestReport symmetric = Explore(Lockers(n, declare: true));
        Assert.True(plain.Exhausted && symmetric.Exhausted, symmetric.Coverage);
        Assert.Equal(Factorial(n), plain.Iterations);
        Assert.True(1 == symmetric.Iterations, symmetric.Coverage);
        Assert.Contains($"symmetry: {n} interchangeable operations", symmetric.Coverage);
    }

    [Fact]
    public void ASymmetricBugIsStillFoundAndReplays()
    {
        TestCase test = Lockers(3, declare: true, shared: true);
        TestReport r = Explore(test);
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
        Assert.True(TestingEngine.Replay(test, r.Schedule!).Reproduces(r.Bug));
    }

    [Fact]
    public void SymmetryCutsNoClassOfTheSearchWithoutAccessesBeforeTheOpening()
    {
        // Without the declaration the lost update has more classes; with it, every bug-free class left is a
        // class of the plain search (the reduction only removes, it never invents an execution).
        var plain = new DfsClassRecorder(new Configuration { Strategy = "dfs-proof", MaxSteps = 500 }.CreateStrategy());
        var sym = new DfsClassRecorder(new Configuration { Strategy = "dfs-proof", MaxSteps = 500 }.CreateStrategy());
        TestingEngine.Run(Lockers(3, declare: false), new Configuration { Iterations = 1_000_000, MaxSteps = 500 }, strategy: plain);
        TestingEngine.Run(Lockers(3, declare: true), new Configuration { Iterations = 1_000_000, MaxSteps = 500 }, strategy: sym);
        Assert.Subset(plain.Classes, sym.Classes);
        Assert.Single(sym.Classes);
    }

    [Fact]
    public void OtherStrategiesIgnoreTheDeclaration()
    {
        TestReport full = Explore(Lockers(3, declare: true), "dfs-full");
        Assert.True(full.Exhausted);
        Assert.Equal(Explore(Lockers(3, declare: false), "dfs-full").Iterations, full.Iterations);
    }

    [Fact]
    public void ALargeEnoughPreemptionBoundGivesTheSameClassesAsDfs()
    {
        TestReport dfs = Explore(Lockers(3, declare: false, shared: false));
        TestReport bounded = Explore(Lockers(3, declare: false, shared: false), "dfs-bounded", 100);
        Assert.True(bounded.Exhausted, bounded.Coverage);
        Assert.Equal(dfs.Iterations, bounded.Iterations);
    }

    [Fact]
    public void ABoundedSearchRunsNoExecutionWithMorePreemptionsAndNeverClaimsAProofWhenItCut()
    {
        TestReport zero = Explore(Lockers(3, declare: false, shared: true), "dfs-bounded", 0);
        Assert.Null(zero.Bug); // the lost update needs a preemption between the read and the write
        Assert.False(zero.Exhausted);
        Assert.StartsWith("incomplete: explored the classes optimal DPOR reaches with at most 0 preemptions", zero.Coverage);
        TestReport one = Explore(Lockers(3, declare: false, shared: true), "dfs-bounded", 1);
        Assert.Equal(BugKind.AssertionFailure, one.Bug?.Kind);
    }

    [Fact]
    public void TheProgressEstimateStaysAFractionAndEndsNearTheWholeTree()
    {
        var search = new OptimalDporStrategy(500);
        TestCase test = Lockers(4, declare: false);
        var runtime = new ControlledRuntime();
        var estimates = new List<double>();
        for (int i = 0; search.PrepareIteration(i); i++)
        {
            ExecutionOutcome outcome = runtime.RunExecution(test.Entry, search, 500, MemoryModel.SequentialConsistency, 0, tracing: false);
            search.OnIterationEnd(runtime.Step, outcome); // the estimate counts the executions finished
            estimates.Add(search.EstimatedDone);
        }
        Assert.True(search.IsExhausted);
        Assert.All(estimates, e => Assert.InRange(e, 0.0, 1.0));
        Assert.True(estimates[^1] > 0.9 && estimates[0] < 0.5, string.Join(" ", estimates));
    }
}

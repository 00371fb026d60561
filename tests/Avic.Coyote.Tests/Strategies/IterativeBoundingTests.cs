using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// `-s dfs` (<see cref="IterativeBounding"/>): passes of optimal DPOR with at most 0, 1, 2, 3, 5 preemptions, each for at
/// most a budget of executions, then the unbounded pass (`-s dfs-proof`). The passes run exactly the bounded searches'
/// executions (up to their budget), the last pass is the proof, a pass that skipped nothing ends the search, and a bug
/// behind a deep subtree is found in an early pass.
/// </summary>
public class IterativeBoundingTests
{
    private static TestReport Explore(TestCase test, string strategy, int value = 0, int iterations = 1_000_000) =>
        TestingEngine.Run(test, new Configuration { Strategy = strategy, StrategyValue = value, Iterations = iterations, MaxSteps = 500 });

    /// <summary>Two threads; each writes x, then y_1..y_n in turn (the other's writes of the same y race with them).
    /// With <paramref name="check"/>, b asserts at its end that a's first write came before b's first step — a bug when b
    /// runs first, which depth-first order reaches only after every reversal of the y races below the first choice.</summary>
    private static TestCase Writers(int n, bool check) => TestCase.From($"writers{n}{check}", rt =>
    {
        var x = new SharedVar<int>("x");
        var ys = Enumerable.Range(1, n).Select(i => new SharedVar<int>($"y{i}")).ToArray();
        bool aFirst = false;
        rt.Spawn("a", async () =>
        {
            await x.Write(1);
            foreach (var y in ys) await y.Write(1);
        });
        rt.Spawn("b", async () =>
        {
            aFirst = await x.Read() == 1;
            foreach (var y in ys) await y.Write(2);
            if (check) rt.Assert(aFirst, "b ran before a's first write");
        });
        return Task.CompletedTask;
    });

    [Fact]
    public void ThePassesAreTheBoundedSearchesAndTheLastPassIsTheProof()
    {
        TestCase test = Writers(4, check: false);
        TestReport proof = Explore(test, "dfs-proof");
        int bounded = 0;
        foreach (int k in IterativeBounding.Bounds)
        {
            TestReport pass = Explore(test, "dfs-bounded", k);
            Assert.True(pass.Bug is null && !pass.Exhausted, pass.Coverage); // each bound skips something here
            bounded += pass.Iterations;
        }
        TestReport dfs = Explore(test, "dfs");
        Assert.True(proof.Exhausted && dfs.Exhausted, dfs.Coverage);
        Assert.Equal(bounded + proof.Iterations, dfs.Iterations);
        Assert.StartsWith($"complete: all {proof.Iterations - proof.PrunedIterations} schedules", dfs.Coverage);
        Assert.Contains($"passes with at most {IterativeBounding.Bounds[0]}–{IterativeBounding.Bounds[^1]} preemptions ran {bounded} executions", dfs.Coverage);
    }

    [Fact]
    public void ABoundedPassStopsAtItsBudget()
    {
        const int budget = 3;
        TestCase test = Writers(4, check: false);
        TestReport proof = Explore(test, "dfs-proof");
        int bounded = 0, stopped = 0;
        foreach (int k in IterativeBounding.Bounds)
        {
            TestReport pass = Explore(test, "dfs-bounded", k);
            bounded += Math.Min(pass.Iterations, budget);
            if (pass.Iterations >= budget) stopped++; // a pass that reaches its budget gives way
        }
        Assert.True(stopped > 0, "every pass fits the budget: the test shows nothing");
        var dfs = new IterativeBounding(500, passBudget: budget);
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1_000_000, MaxSteps = 500 }, strategy: dfs);
        Assert.True(report.Exhausted, report.Coverage);
        Assert.Equal(bounded + proof.Iterations, report.Iterations);
        Assert.Contains($"ran {bounded} executions, {stopped} of them stopped at their budget of {budget}", report.Coverage);
    }

    [Fact]
    public void APassThatSkippedNothingEndsTheSearch()
    {
        // One thread: no schedule has a preemption, so the pass with at most 0 covers the tree.
        TestCase test = TestCase.From("alone", async rt =>
        {
            var x = new SharedVar<int>("x");
            await x.Write(1);
            await x.Write(2);
        });
        TestReport dfs = Explore(test, "dfs");
        Assert.True(dfs.Exhausted, dfs.Coverage);
        Assert.Equal(1, dfs.Iterations);
        Assert.StartsWith("complete: all 1 schedules", dfs.Coverage);
    }

    [Fact]
    public void ABugBehindADeepSubtreeIsFoundInAnEarlyPass()
    {
        TestCase test = Writers(6, check: true);
        TestReport proof = Explore(test, "dfs-proof");
        TestReport dfs = Explore(test, "dfs");
        Assert.NotNull(proof.Bug);
        Assert.NotNull(dfs.Bug);
        // Measured: dfs 9 executions (the pass with at most 1 preemption: b between main's spawns and a's write), dfs-proof 65.
        Assert.True(dfs.Coverage.Contains("in the pass with at most 1 preemptions"), $"dfs: {dfs.Coverage}; dfs-proof: {proof.Coverage}");
        Assert.True(dfs.Iterations * 5 < proof.Iterations, $"dfs: {dfs.Coverage}; dfs-proof: {proof.Coverage}");
        Assert.True(TestingEngine.Replay(test, dfs.Schedule!).Reproduces(dfs.Bug));
    }
}

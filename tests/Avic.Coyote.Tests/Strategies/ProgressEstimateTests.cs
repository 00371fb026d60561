using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// dfs's progress estimate (<see cref="OptimalDporStrategy.EstimatedDone"/>): executions finished over executions
/// finished plus an estimate of what is left on the current path. Exact on a balanced tree, 1 exactly when nothing is
/// left, below 1 before, and the same in a search run in checkpointed pieces as in one run.
/// </summary>
public class ProgressEstimateTests
{
    private const int MaxSteps = 500;

    /// <summary>One operation drawing three values of 3 each: a balanced tree of 27 executions.</summary>
    private static TestCase ThreeDraws() => TestCase.From("three-draws", rt =>
    {
        var x = new SharedVar<int>("x");
        rt.Spawn("a", async () =>
        {
            int v = rt.RandomInteger(3);
            await x.Write(v);
            v = rt.RandomInteger(3);
            await x.Write(v);
            await x.Write(rt.RandomInteger(3));
        });
        return Task.CompletedTask;
    });

    /// <summary>Three threads under one lock, each then writing a shared variable (c after a draw): unbalanced, with
    /// wakeup branches that appear while sibling subtrees are explored.</summary>
    private static TestCase Mixed() => TestCase.From("mixed", rt =>
    {
        var m = new Mutex("m");
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        rt.Spawn("a", async () => { await m.Lock(); await x.Write(1); await m.Unlock(); await y.Write(1); });
        rt.Spawn("b", async () => { await m.Lock(); await x.Write(2); await m.Unlock(); await y.Write(2); });
        rt.Spawn("c", async () => { int v = rt.RandomInteger(2); await y.Write(v); await m.Lock(); await x.Write(3); await m.Unlock(); });
        return Task.CompletedTask;
    });

    private static ExecutionRunner Runner(TestCase test) => new(test, MaxSteps, MemoryModel.SequentialConsistency, 0, exhaustiveSearch: true);

    /// <summary>The estimate after each execution of a whole search (read where the progress line reads it).</summary>
    private static List<double> Trajectory(TestCase test, out OptimalDporStrategy search)
    {
        ExecutionRunner runner = Runner(test);
        search = new OptimalDporStrategy(MaxSteps, name: "dfs-proof");
        var estimates = new List<double>();
        for (int i = 0; runner.TryRun(search, i, out _); i++) estimates.Add(search.EstimatedDone);
        return estimates;
    }

    [Fact]
    public void OnABalancedTreeTheEstimateIsTheExactFractionAfterEveryExecution()
    {
        List<double> estimates = Trajectory(ThreeDraws(), out OptimalDporStrategy search);
        Assert.True(search.IsExhausted);
        Assert.Equal(27, estimates.Count);
        for (int n = 1; n <= 27; n++) Assert.Equal(n / 27.0, estimates[n - 1], 12);
    }

    [Fact]
    public void TheEstimateStaysBelowOneUntilTheLastExecutionAndIsOneThere()
    {
        List<double> estimates = Trajectory(Mixed(), out OptimalDporStrategy search);
        Assert.True(search.IsExhausted);
        Assert.Equal(0, search.InfeasibleBranches); // a dropped branch would be counted as left until it is dropped
        Assert.True(estimates.Count > 20, $"{estimates.Count} executions");
        Assert.All(estimates.Take(estimates.Count - 1), e => Assert.InRange(e, 0.0, 1.0 - 1e-9));
        Assert.Equal(1.0, estimates[^1]);
    }

    [Fact]
    public void ASearchResumedFromCheckpointsEstimatesWhatTheUninterruptedOneDoes()
    {
        List<double> whole = Trajectory(Mixed(), out _);
        ExecutionRunner runner = Runner(Mixed());
        var search = new OptimalDporStrategy(MaxSteps, name: "dfs-proof");
        var pieces = new List<double>();
        for (int i = 0; runner.TryRun(search, i, out _); i++)
        {
            pieces.Add(search.EstimatedDone);
            // A new strategy restored from the state after every third execution: the next piece starts there.
            if (i % 3 != 2) continue;
            var w = new CheckpointWriter();
            search.Save(w);
            search = new OptimalDporStrategy(MaxSteps, name: "dfs-proof");
            search.Restore(new CheckpointReader(w.ToString(), "piece"));
            Assert.Equal(pieces[^1], search.EstimatedDone);
        }
        Assert.Equal(whole, pieces);
        // Not a trivial agreement: the estimate moved through many values.
        Assert.True(whole.Distinct().Count() > whole.Count / 2, string.Join(" ", whole));
    }

    [Fact]
    public void AStateFromBeforeTheEstimatesCountsIsRefusedWithAReason()
    {
        ExecutionRunner runner = Runner(Mixed());
        var search = new OptimalDporStrategy(MaxSteps, name: "dfs-proof");
        for (int i = 0; i < 5; i++) Assert.True(runner.TryRun(search, i, out _));
        var w = new CheckpointWriter();
        search.Save(w);
        string state = w.ToString();
        string[] tokens = state.Split(' ', 2);
        var fresh = new OptimalDporStrategy(MaxSteps, name: "dfs-proof");
        var e = Assert.Throws<CheckpointException>(() => fresh.Restore(new CheckpointReader("1 " + tokens[1], "old")));
        Assert.Contains("older dfs-proof (version 1", e.Message);
        Assert.Contains("start the search again", e.Message);
    }
}

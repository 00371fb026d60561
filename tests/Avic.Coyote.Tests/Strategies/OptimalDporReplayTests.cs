using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Optimal DPOR reuses, for the prefix an execution replays, the step records (footprints, clocks, races) of the run
/// that made it, and the runtime then skips recording those steps' footprints. These toys backtrack into the middle
/// of steps that draw values and past lock hand-overs, where a stale record would change what is explored.
/// </summary>
public class OptimalDporReplayTests
{
    /// <summary>Values drawn mid-path (a backtrack to a value re-analyses the step that drew it), a lock, and a
    /// reader that races with both writers.</summary>
    private static TestCase ValuesLocksAndRaces() => TestCase.From("values-locks-races", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        var m = new Mutex("m");
        rt.Spawn("a", async () =>
        {
            await m.Lock();
            if (rt.RandomBoolean()) await x.Write(1); else await y.Write(1);
            await m.Unlock();
        });
        rt.Spawn("b", async () =>
        {
            await m.Lock();
            await x.Write(rt.RandomInteger(3));
            await m.Unlock();
        });
        rt.Spawn("c", async () => { await y.Read(); await x.Read(); });
        return Task.CompletedTask;
    });

    /// <summary>The same without the lock (see <see cref="RunsEveryClassOfTheFullSearchOnceWhenBacktrackingIntoValues"/>).</summary>
    private static TestCase ValuesAndRaces() => TestCase.From("values-races", rt =>
    {
        var x = new SharedVar<int>("x");
        var y = new SharedVar<int>("y");
        rt.Spawn("a", async () => { if (rt.RandomBoolean()) await x.Write(1); else await y.Write(1); });
        rt.Spawn("b", async () => await x.Write(rt.RandomInteger(3)));
        rt.Spawn("c", async () => { await y.Read(); await x.Read(); });
        return Task.CompletedTask;
    });

    private static (DfsClassRecorder Recorder, TestReport Report) Classify(TestCase test, string strategy)
    {
        var recorder = new DfsClassRecorder(new Configuration { Strategy = strategy, MaxSteps = 200 }.CreateStrategy());
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: recorder);
        return (recorder, report);
    }

    /// <summary>With the lock (<see cref="ValuesLocksAndRaces"/>) optimal DPOR misses 120 of the full search's 456 classes,
    /// before this reuse as after it (an open issue of the reduction with values drawn under a lock, not of the reuse).</summary>
    [Fact]
    public void RunsEveryClassOfTheFullSearchOnceWhenBacktrackingIntoValues()
    {
        var (full, fullReport) = Classify(ValuesAndRaces(), "dfs-full");
        var (optimal, optimalReport) = Classify(ValuesAndRaces(), "dfs");
        Assert.True(fullReport.Exhausted && optimalReport.Exhausted, optimalReport.Coverage);
        Assert.Equal(0, optimal.Repeats);
        Assert.True(full.Classes.SetEquals(optimal.Classes),
            $"full {full.Classes.Count} optimal {optimal.Classes.Count} missing {full.Classes.Except(optimal.Classes).Count()} extra {optimal.Classes.Except(full.Classes).Count()}: " +
            string.Join(" | ", full.Classes.Except(optimal.Classes).Take(2)) + " EXTRA " + string.Join(" | ", optimal.Classes.Except(full.Classes).Take(2)));
    }

    /// <summary>The class recorder hands every step's footprint to the strategy; run directly, the runtime leaves out
    /// those of replayed steps (the strategy knows them). Both must explore the same executions.</summary>
    [Theory]
    [InlineData("values-locks-races", 0)]
    [InlineData("lockers", 4)]
    [InlineData("pqr", 0)]
    public void SkippingTheFootprintsOfReplayedStepsExploresTheSameExecutions(string shape, int n)
    {
        TestCase Test() => shape == "values-locks-races" ? ValuesLocksAndRaces() : DfsStrategyTests.Counted(shape, n);
        var (recorded, withRecorder) = Classify(Test(), "dfs");
        var strategy = new OptimalDporStrategy(200);
        TestReport direct = TestingEngine.Run(Test(), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: strategy);
        Assert.True(direct.Exhausted, direct.Coverage);
        Assert.Equal(withRecorder.Iterations, direct.Iterations);
        Assert.Equal(withRecorder.PrunedIterations, direct.PrunedIterations);
        Assert.Equal(recorded.Classes.Count, strategy.CompleteExecutions);
    }
}

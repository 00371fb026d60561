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
    /// reader that races with both writers (with <paramref name="withBug"/>, an order of the three it asserts against).</summary>
    private static TestCase ValuesLocksAndRaces(bool withBug = false) => TestCase.From("values-locks-races", rt =>
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
        rt.Spawn("c", async () =>
        {
            int seenY = await y.Read();
            int seenX = await x.Read();
            if (withBug) rt.Assert(!(seenY == 1 && seenX == 2), "c saw a's y and b's 2");
        });
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

    /// <summary>Names the classes as <paramref name="naming"/> sees them: dfs treats a draw as local (a step that drew
    /// conflicts only through what it touched), dfs-sleepsets as a conflict with every step.</summary>
    private static (DfsClassRecorder Recorder, TestReport Report) Classify(TestCase test, string strategy, string naming = "dfs-sleepsets")
    {
        var recorder = new DfsClassRecorder(new Configuration { Strategy = strategy, MaxSteps = 200 }.CreateStrategy(), localDraws: naming == "dfs-proof");
        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: recorder);
        return (recorder, report);
    }

    /// <summary>Values drawn under a lock: the step that takes the lock and draws conflicts with every step, yet it cannot
    /// run before the release it waits for nor before anything the holder did under the lock; the race to reverse is
    /// with the holder's acquire (who takes the lock first). Counting the release or a step under the lock as the race
    /// (an infeasible reversal) hid that one: optimal DPOR ran only the schedules where the drawing operation took the
    /// lock second (2 of the 6 classes of each shape here, 336 of 456 for <see cref="ValuesLocksAndRaces"/>).</summary>
    private static TestCase DrawUnderLock(string shape) => TestCase.From(shape, rt =>
    {
        var x = new SharedVar<int>("x");
        var m = new Mutex("m");
        switch (shape)
        {
            case "second-draws": // the draw hands over with the release only
                rt.Spawn("a", async () => { await m.Lock(); await m.Unlock(); });
                rt.Spawn("b", async () => { await m.Lock(); rt.RandomBoolean(); await m.Unlock(); });
                break;
            case "second-draws-after-a-write": // ... and with the holder's write under the lock
                rt.Spawn("a", async () => { await m.Lock(); await x.Write(1); await m.Unlock(); });
                rt.Spawn("b", async () => { await m.Lock(); rt.RandomBoolean(); await m.Unlock(); });
                break;
            case "first-draws": // the holder's acquire drew: it is the race, steps after it are not
                rt.Spawn("a", async () => { await m.Lock(); rt.RandomBoolean(); await x.Write(1); await m.Unlock(); });
                rt.Spawn("b", async () => { await m.Lock(); await x.Write(2); await m.Unlock(); });
                break;
        }
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData("second-draws")]
    [InlineData("second-draws-after-a-write")]
    [InlineData("first-draws")]
    [InlineData("values-locks-races")]
    [InlineData("values-races")]
    public void RunsEveryClassOfTheFullSearchOnceWhenBacktrackingIntoValues(string shape)
    {
        TestCase Test() => shape switch
        {
            "values-locks-races" => ValuesLocksAndRaces(),
            "values-races" => ValuesAndRaces(),
            _ => DrawUnderLock(shape),
        };
        var (full, fullReport) = Classify(Test(), "dfs-full", "dfs-proof");
        var (optimal, optimalReport) = Classify(Test(), "dfs-proof", "dfs-proof");
        Assert.True(fullReport.Exhausted && optimalReport.Exhausted, optimalReport.Coverage);
        Assert.Equal(0, optimal.Repeats);
        Assert.True(full.Classes.SetEquals(optimal.Classes),
            $"full {full.Classes.Count} optimal {optimal.Classes.Count} missing {full.Classes.Except(optimal.Classes).Count()} extra {optimal.Classes.Except(full.Classes).Count()}: " +
            string.Join(" | ", full.Classes.Except(optimal.Classes).Take(2)) + " EXTRA " + string.Join(" | ", optimal.Classes.Except(full.Classes).Take(2)));
    }

    /// <summary>What the missed classes cost: the operation that draws under the lock could take it first only in them, so
    /// optimal DPOR called this test verified.</summary>
    private static TestCase SecondHolderDrawsFirst() => TestCase.From("second-holder-draws", rt =>
    {
        var x = new SharedVar<int>("x");
        var m = new Mutex("m");
        rt.Spawn("a", async () => { await m.Lock(); int v = await x.Read(); rt.Assert(v == 0, "b took the lock first"); await m.Unlock(); });
        rt.Spawn("b", async () => { await m.Lock(); rt.RandomBoolean(); await x.Write(2); await m.Unlock(); });
        return Task.CompletedTask;
    });

    [Theory]
    [InlineData("dfs-full")]
    [InlineData("dfs-proof")]
    [InlineData("dfs-sleepsets")]
    public void FindsTheBugOnlyASecondHolderThatDrawsCanReach(string strategy)
    {
        TestReport r = TestingEngine.Run(SecondHolderDrawsFirst(), new Configuration { Strategy = strategy, Iterations = 1_000_000, MaxSteps = 200 });
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
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
        var (recorded, withRecorder) = Classify(Test(), "dfs-proof", "dfs-proof");
        var strategy = new OptimalDporStrategy(200);
        TestReport direct = TestingEngine.Run(Test(), new Configuration { Iterations = 1_000_000, MaxSteps = 200 }, strategy: strategy);
        Assert.True(direct.Exhausted, direct.Coverage);
        Assert.Equal(withRecorder.Iterations, direct.Iterations);
        Assert.Equal(withRecorder.PrunedIterations, direct.PrunedIterations);
        Assert.Equal(withRecorder.TotalSteps, direct.TotalSteps);
        Assert.Equal(recorded.Classes.Count, strategy.CompleteExecutions);
    }

    /// <summary>The same on a bug (the engine wraps every strategy for its budget, and the wrapper
    /// must pass on what the strategy knows: until 2026-12-02 it hid it, and every replayed step was recorded): the same
    /// first bug.</summary>
    [Fact]
    public void SkippingTheFootprintsOfReplayedStepsFindsTheSameFirstBug()
    {
        var config = new Configuration { Strategy = "dfs-proof", Iterations = 1_000_000, MaxSteps = 200 };
        TestReport direct = TestingEngine.Run(ValuesLocksAndRaces(withBug: true), config);
        TestReport recorded = TestingEngine.Run(ValuesLocksAndRaces(withBug: true), config, strategy: new DfsClassRecorder(config.CreateStrategy()));
        Assert.Equal(BugKind.AssertionFailure, direct.Bug?.Kind);
        Assert.Equal(recorded.BugIteration, direct.BugIteration);
        Assert.Equal(recorded.Bug!.Step, direct.Bug!.Step);
        Assert.Equal(recorded.Bug.Message, direct.Bug.Message);
    }
}

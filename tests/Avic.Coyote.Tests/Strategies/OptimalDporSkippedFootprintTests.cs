using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Strategies;

/// <summary>
/// Under the testing engine, dfs tells the runtime which steps replay a prefix it already has the footprints of, and the
/// runtime does not record them (the engine's deadline wrapper passes that on). Wrapped by <see cref="DfsClassRecorder"/>,
/// which hides it, every step is recorded. Both must run the same search: the same executions, cut-short ones, steps and
/// first bug.
/// </summary>
public class OptimalDporSkippedFootprintTests
{
    /// <summary>Values drawn under a lock and outside it, and a reader racing with both writers.</summary>
    private static TestCase LocksValuesReaders(bool withBug) => TestCase.From("locks-values-readers", rt =>
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

    private static TestReport Run(TestCase test, bool recordEveryStep)
    {
        var config = new Configuration { Strategy = "dfs", Iterations = 1_000_000, MaxSteps = 200 };
        return recordEveryStep
            ? TestingEngine.Run(test, config, strategy: new DfsClassRecorder(config.CreateStrategy()))
            : TestingEngine.Run(test, config);
    }

    [Fact]
    public void SkippingTheReplayedFootprintsRunsTheSameProof()
    {
        TestReport skipped = Run(LocksValuesReaders(withBug: false), recordEveryStep: false);
        TestReport recorded = Run(LocksValuesReaders(withBug: false), recordEveryStep: true);
        Assert.True(skipped.Exhausted, skipped.Coverage);
        Assert.True(recorded.Exhausted, recorded.Coverage);
        Assert.True(skipped.Iterations > 10, $"{skipped.Iterations} executions");
        Assert.Equal(recorded.Iterations, skipped.Iterations);
        Assert.Equal(recorded.PrunedIterations, skipped.PrunedIterations);
        Assert.Equal(recorded.TotalSteps, skipped.TotalSteps);
    }

    [Fact]
    public void SkippingTheReplayedFootprintsFindsTheSameFirstBug()
    {
        TestReport skipped = Run(LocksValuesReaders(withBug: true), recordEveryStep: false);
        TestReport recorded = Run(LocksValuesReaders(withBug: true), recordEveryStep: true);
        Assert.NotNull(skipped.Bug);
        Assert.NotNull(recorded.Bug);
        Assert.Equal(recorded.BugIteration, skipped.BugIteration);
        Assert.Equal(recorded.Bug!.Step, skipped.Bug!.Step);
        Assert.Equal(recorded.Bug.Message, skipped.Bug.Message);
    }
}

using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

/// <summary>Scheduling points are awaited through their own struct awaiter (the action lives in the awaiting frame): each
/// await is its own step with its own value, across frames, operations and executions, and allocates nothing per step.</summary>
public class SchedulingPointAwaiterTests
{
    private static ExecutionOutcome Run(ControlledRuntime runtime, Func<IActorRuntime, Task> body, ulong seed = 1) =>
        runtime.RunExecution(body, new RandomStrategy(seed), 10_000, MemoryModel.SequentialConsistency, 0, tracing: false);

    [Fact]
    public void AFrameSuspendedTwiceAtTheSameKindOfPointGetsEachReadsValueAtItsStep()
    {
        var seen = new List<int>();
        var runtime = new ControlledRuntime();
        ExecutionOutcome outcome = Run(runtime, async rt =>
        {
            var x = new SharedVar<int>("x", 0);
            // Another operation's writes interleave with the two reads of one frame (same action type).
            Operation writer = rt.Spawn("writer", async () =>
            {
                for (int i = 1; i <= 3; i++) await x.Write(i);
            });
            int a = await x.Read();
            int b = await x.Read();
            await rt.WhenCompleted(writer);
            int c = await x.Read();
            seen.AddRange([a, b, c]);
        });

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal(3, seen[2]);
        Assert.True(seen[0] <= seen[1], $"reads went back in time: {string.Join(",", seen)}");
        // main: its first step, then 4 points; writer: its first step, then 3 writes.
        Assert.Equal(9, runtime.RecordedDecisions().Count(d => d.Kind == DecisionKind.Operation));
    }

    [Fact]
    public void AwaitingTheSameSchedulingPointValueTwiceTakesTwoSteps()
    {
        var runtime = new ControlledRuntime();
        ExecutionOutcome outcome = Run(runtime, async rt =>
        {
            SchedulingPoint p = rt.Interleave("twice");
            await p;
            await p;
        });

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        // The body's first step, then one per await.
        Assert.Equal(3, runtime.RecordedDecisions().Length);
    }

    [Fact]
    public void ManyOperationsWaitingAtOnceEachResumeWithTheirOwnAction()
    {
        var runtime = new ControlledRuntime();
        var results = new int[6];
        ExecutionOutcome outcome = Run(runtime, async rt =>
        {
            var ops = new List<Operation>();
            for (int i = 0; i < results.Length; i++)
            {
                int me = i;
                ops.Add(rt.Spawn($"t{me}", async () =>
                {
                    // Nested Task frames, each suspended at a point whose action carries this operation's value.
                    results[me] = await Twice(rt, me) + await Twice(rt, me * 10);
                }));
            }
            foreach (Operation op in ops) await rt.WhenCompleted(op);
        }, seed: 7);

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal(Enumerable.Range(0, results.Length).Select(i => 2 * i + 20 * i).ToArray(), results);
    }

    private static async Task<int> Twice(IActorRuntime rt, int value)
    {
        var r = (ControlledRuntime)rt;
        int a = await r.Point<Echo, int>(new Echo(value), null, AccessKind.None);
        int b = await r.Point<Echo, int>(new Echo(value), null, AccessKind.None);
        return a + b;
    }

    private readonly struct Echo(int value) : IResumeAction<int>
    {
        public int Run(ControlledRuntime runtime) => value;
    }

    private readonly struct Throwing : IResumeAction<int>
    {
        public int Run(ControlledRuntime runtime) => throw new InvalidOperationException("from the resume action");
    }

    [Fact]
    public void AnExceptionFromAResumeActionReachesTheFrameAndTheNextAwaitStillWorks()
    {
        var runtime = new ControlledRuntime();
        string? caught = null;
        int after = -1;
        ExecutionOutcome outcome = Run(runtime, async rt =>
        {
            var r = (ControlledRuntime)rt;
            try
            {
                await r.Point<Throwing, int>(default, null, AccessKind.None);
            }
            catch (InvalidOperationException e)
            {
                caught = e.Message;
            }
            // The same operation, the same action type (Throwing) and another one, after the throw.
            after = await r.Point<Echo, int>(new Echo(42), null, AccessKind.None);
            try
            {
                await r.Point<Throwing, int>(default, null, AccessKind.None);
            }
            catch (InvalidOperationException)
            {
                after++;
            }
        });

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal("from the resume action", caught);
        Assert.Equal(43, after);
    }

    [Fact]
    public void AnUncaughtExceptionFromAResumeActionIsAnUnhandledExceptionBug()
    {
        var runtime = new ControlledRuntime();
        ExecutionOutcome outcome = Run(runtime, async rt => await ((ControlledRuntime)rt).Point<Throwing, int>(default, null, AccessKind.None));

        Assert.Equal(ExecutionOutcome.Bug, outcome);
        Assert.Equal(BugKind.UnhandledException, runtime.Bug?.Kind);
        Assert.Contains("from the resume action", runtime.Bug?.Message);
    }

    [Fact]
    public void AnExecutionLeftWaitingAtPointsDoesNotDisturbTheNextOneOnTheSameRuntime()
    {
        // The first execution ends at its step bound with every operation parked at a point; the runtime is reused
        // by the next execution (operation ids restart at 0), which must run as a fresh runtime runs it.
        static Task Body(IActorRuntime rt)
        {
            var x = new SharedVar<int>("x", 0);
            for (int i = 0; i < 3; i++)
                rt.Spawn($"t{i}", async () =>
                {
                    for (int k = 0; k < 5; k++) await x.Write(await x.Read() + 1);
                });
            return Task.CompletedTask;
        }

        var reused = new ControlledRuntime();
        Assert.Equal(ExecutionOutcome.MaxStepsReached,
            reused.RunExecution(Body, new RandomStrategy(3), 7, MemoryModel.SequentialConsistency, 0, tracing: false));
        Assert.Equal(ExecutionOutcome.Quiescent, Run(reused, Body, seed: 5));
        Decision[] again = reused.RecordedDecisions();

        var fresh = new ControlledRuntime();
        Assert.Equal(ExecutionOutcome.Quiescent, Run(fresh, Body, seed: 5));
        Assert.Equal(fresh.RecordedDecisions(), again);
    }

    [Fact]
    public void AnAwaitedSchedulingPointAllocatesNothingPerStep()
    {
        // Frames suspended at points, in the second execution on a runtime (the first sized its logs): after the
        // first round (the frames' boxes and continuation delegates), rounds of the same awaits in the same frames allocate nothing.
        long allocated = -1;
        var runtime = new ControlledRuntime();
        Func<IActorRuntime, Task> body = async rt =>
        {
            var x = new SharedVar<int>("x", 0);
            for (int i = 0; i < 10; i++) await x.Write(await x.Read() + 1);
            await rt.Interleave();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                await x.Write(await x.Read() + 1);
                await rt.Interleave();
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        };
        Assert.Equal(ExecutionOutcome.Quiescent, Run(runtime, body));
        Assert.True(allocated >= 0);

        Assert.Equal(ExecutionOutcome.Quiescent, Run(runtime, body));
        Assert.Equal(0, allocated);
    }
}

using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Tests.Architecture;

/// <summary>
/// Trace lines are typed where they are made: the primitive that owns a resource says what kind it is, the scheduling
/// point says the access; plug-ins (actors, monitors, x86-TSO) and observers reach the runtime only through its
/// extension points.
/// </summary>
public sealed class TypedTraceTests
{
    /// <summary>Always runs the first (or the last) enabled operation: a fixed interleaving without a strategy of the library.</summary>
    private sealed class Fixed(bool last = false) : ISchedulingStrategy
    {
        public string Name => "fixed";
        public bool PrepareIteration(int iteration) => true;
        public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step) => last ? enabled.Length - 1 : 0;
        public bool NextBoolean(int step) => true;
        public int NextInteger(int maxValue, int step) => 0;
    }

    private static (ExecutionOutcome Outcome, IReadOnlyList<TraceEntry> Trace, ControlledRuntime Runtime) Run(
        Func<IActorRuntime, Task> test, MemoryModel memoryModel = MemoryModel.SequentialConsistency, bool last = false, StepObserver? observer = null)
    {
        var runtime = new ControlledRuntime();
        if (observer is not null) runtime.Extensions.AddObserver(observer);
        ExecutionOutcome outcome = runtime.RunExecution(test, new Fixed(last), 200, memoryModel, 0, tracing: true);
        return (outcome, runtime.Trace!, runtime);
    }

    [Fact]
    public void Memory_and_lock_accesses_carry_their_access_and_the_kind_of_their_resource()
    {
        var (outcome, trace, _) = Run(async rt =>
        {
            var x = new SharedVar<int>("x") { Group = "table" };
            var m = new Mutex("m");
            await m.Lock();
            int v = await x.Read();
            await x.Write(v + 1);
            await m.Unlock();
            rt.Log("done");
        });

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        TraceEntry Line(string text) => Assert.Single(trace, e => e.Text == text);
        Assert.Equal((TraceEventKind.Access, AccessKind.Lock, "m", ResourceKind.Lock), Typed(Line("lock(m)")));
        Assert.Equal((TraceEventKind.Access, AccessKind.Read, "x", ResourceKind.Memory), Typed(Line("READ_ONCE(x) -> 0")));
        Assert.Equal("table", Line("READ_ONCE(x) -> 0").ResourceGroup);
        Assert.Equal((TraceEventKind.Access, AccessKind.Write, "x", ResourceKind.Memory), Typed(Line("WRITE_ONCE(x, 1)")));
        Assert.Equal((TraceEventKind.Access, AccessKind.Unlock, "m", ResourceKind.Lock), Typed(Line("unlock(m)")));
        // The model's own words after the access are a log line of the same step, about no resource.
        Assert.Equal((TraceEventKind.Log, AccessKind.None, null, ResourceKind.None), Typed(Line("done")));
        Assert.Equal(0, Line("done").OperationId);
        Assert.Equal(Line("unlock(m)").Step, Line("done").Step);
    }

    private static (TraceEventKind, AccessKind, string?, ResourceKind) Typed(TraceEntry e) => (e.Kind, e.Access, e.Resource, e.ResourceKind);

    public sealed record Ping : Event;

    public sealed record Pong : Event;

    [OnEventDoAction(typeof(Ping), nameof(OnPing))]
    private sealed class Echo : Actor
    {
        private void OnPing() => Monitor<Watch>(new Pong());
    }

    private sealed class Watch : Monitor
    {
        [Start, Cold, OnEventGotoState(typeof(Ping), typeof(Busy))]
        private sealed class Idle : State;

        [Hot, OnEventGotoState(typeof(Pong), typeof(Idle))]
        private sealed class Busy : State;
    }

    [Fact]
    public void Sends_receives_and_monitor_states_are_typed_and_actors_reach_monitors_through_the_runtime()
    {
        ActorId? echo = null;
        var (outcome, trace, _) = Run(async rt =>
        {
            rt.RegisterMonitor<Watch>();
            rt.Monitor<Watch>(new Ping());
            echo = rt.CreateActor<Echo>(name: "echo");
            rt.SendEvent(echo, new Ping());
            await rt.Interleave();
        });

        // The actor waits idly for more events at the end: quiescent, and the monitor is cold again.
        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        TraceEntry send = Assert.Single(trace, e => e.Kind == TraceEventKind.Send);
        Assert.Equal((AccessKind.Send, "echo", ResourceKind.Inbox), (send.Access, send.Resource, send.ResourceKind));
        TraceEntry receive = Assert.Single(trace, e => e.Text == "dequeue Ping");
        Assert.Equal((TraceEventKind.Access, AccessKind.Receive, "echo", ResourceKind.Inbox), Typed(receive));
        Assert.Equal([("Idle", false), ("Busy", true), ("Idle", false)],
            trace.Where(e => e.Kind == TraceEventKind.Monitor).Select(e => (e.State, e.IsHot)));
        Assert.All(trace.Where(e => e.Kind == TraceEventKind.Monitor), e => Assert.Equal(("Watch", ResourceKind.Monitor), (e.Resource, e.ResourceKind)));
    }

    [Fact]
    public void A_store_made_visible_is_a_typed_flush_in_the_lane_of_whoever_made_it_visible()
    {
        async Task Writer(IActorRuntime rt)
        {
            var x = new SharedVar<int>("x");
            Operation w = rt.Spawn("w", async () =>
            {
                await x.Write(1);
                await rt.Fence();
            });
            await rt.WhenCompleted(w);
        }

        // The writer runs first: its barrier drains its buffer, in its own lane.
        var (_, byBarrier, _) = Run(Writer, MemoryModel.X86Tso);
        TraceEntry drained = Assert.Single(byBarrier, e => e.Access == AccessKind.Flush);
        Assert.Equal(("w", "store buffer of w flushes x = 1", TraceEventKind.Access, ResourceKind.Memory), (drained.Operation, drained.Text, drained.Kind, drained.ResourceKind));
        TraceEntry fence = Assert.Single(byBarrier, e => e.Access == AccessKind.Fence);
        Assert.Equal(("w", "smp_mb()", (string?)null), (fence.Operation, fence.Text, fence.Resource));

        // The newest operation runs first: the buffer's own pseudo-operation makes the store visible.
        var (_, byBuffer, runtime) = Run(Writer, MemoryModel.X86Tso, last: true);
        TraceEntry flushed = Assert.Single(byBuffer, e => e.Access == AccessKind.Flush);
        Assert.Equal(("w.sb", "flushes x = 1", "x"), (flushed.Operation, flushed.Text, flushed.Resource));
        Operation buffer = Assert.Single(runtime.Operations, o => o.IsStoreBuffer);
        Assert.Equal((2, 1), (buffer.Id, buffer.CreatedBy));
    }

    [Fact]
    public void The_bug_and_random_choices_are_lines_of_their_own_kind()
    {
        var (outcome, trace, _) = Run(rt =>
        {
            bool b = rt.RandomBoolean();
            rt.Assert(!b, "INV-T1", "the choice was true");
            return Task.CompletedTask;
        });
        Assert.Equal(ExecutionOutcome.Bug, outcome);
        Assert.Equal(TraceEventKind.Choice, Assert.Single(trace, e => e.Text == "RandomBoolean() -> true").Kind);
        TraceEntry bug = Assert.Single(trace, e => e.Kind == TraceEventKind.Bug);
        Assert.Equal("*** BUG: AssertionFailure: the choice was true", bug.Text);
    }

    /// <summary>A metrics observer: what a feature outside the runtime can learn of every step.</summary>
    private sealed class Counter : StepObserver
    {
        public int Steps, Resumes, Accesses, Choices, Completed;
        public override void OnStepStarting(Operation op) => Steps++;
        public override void OnResumed(Operation op) => Resumes++;
        public override void OnAccess(Access access) => Accesses++;
        public override void OnChoice() => Choices++;
        public override void OnStepCompleted(Operation op) => Completed++;
    }

    [Fact]
    public void Observers_see_every_step_access_and_choice()
    {
        var counter = new Counter();
        var (outcome, _, runtime) = Run(async rt =>
        {
            var x = new SharedVar<int>("x");
            await x.Write(1);
            rt.Assert(x.Peek() == 1, "peeked");
            await rt.Interleave();
            rt.RandomInteger(3);
        }, observer: counter);

        Assert.Equal(ExecutionOutcome.Quiescent, outcome);
        Assert.Equal(3, runtime.Step); // start, the write, the interleaving
        Assert.Equal((3, 3, 2, 1, 1), (counter.Steps, counter.Completed, counter.Resumes, counter.Accesses, counter.Choices));
    }
}

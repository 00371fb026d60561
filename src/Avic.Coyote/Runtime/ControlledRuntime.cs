using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Runs executions of a test on ONE OS thread: the scheduling loop, the scheduling points, and the extension points
/// features plug into. Model code awaits only engine awaitables; each await parks the operation's continuation here
/// and returns, and the loop resumes the continuation the strategy picks — no thread per operation, no locks.
/// Shared memory and x86-TSO (Sync), actors (Actors) and monitors (Specifications) are plug-ins with typed state of
/// their own (<see cref="Extensions"/>, <see cref="Operation.Get{T}"/>); footprints, tracing and metrics observe steps.
/// This file is the loop and its per-step path; features have rooms of their own (<see cref="OperationTable"/>,
/// <see cref="BugRecorder"/>, <see cref="Choices"/>, <see cref="TraceRecorder"/>), and the API models call is in
/// ControlledRuntime.Points.cs (scheduling points) and ControlledRuntime.Model.cs (operations, values, bugs, accesses,
/// trace lines). One instance is reused across iterations; the per-step path allocates nothing.
/// </summary>
public sealed partial class ControlledRuntime : IActorRuntime
{
    [ThreadStatic] private static ControlledRuntime? current;

    private readonly OperationTable operations = new();
    private readonly DecisionLog decisions = new();
    private readonly BugRecorder bugs;
    private readonly Choices choices;
    private readonly ExtensionPoints extensions;
    private readonly FootprintRecorder footprints = new();
    private readonly TraceRecorder tracer;
    private TraceRecorder? trace;
    private ISchedulingStrategy strategy = null!;
    private IExecutionDriver? driver;
    private Operation? running;
    private int ownerThread;
    private int step;
    private int nextResourceId;
    // The test of this execution, and the main operation's body that runs it: one delegate per runtime, not two objects per execution.
    private Func<IActorRuntime, Task>? mainTest;
    private Func<Task>? runMainTest;

    public ControlledRuntime()
    {
        extensions = new ExtensionPoints(this);
        tracer = new TraceRecorder(this);
        bugs = new BugRecorder(this);
        choices = new Choices(this, decisions);
    }

    internal BugRecorder Bugs => bugs;

    /// <summary>The trace recorder while tracing, else null.</summary>
    internal TraceRecorder? Tracer => trace;

    /// <summary>The runtime of the execution running on this thread, if any.</summary>
    public static ControlledRuntime? Current => current;

    /// <summary>Where features plug in: their state for this execution, checks, the memory model's barrier, step observers.</summary>
    public ExtensionPoints Extensions => extensions;

    public Operation CurrentOperation => running ?? throw new InvalidOperationException("no operation is running");

    public int Step => step;

    public int MaxSteps { get; private set; }

    /// <summary>Steps a monitor may stay hot before it is a liveness bug (0: no bound).</summary>
    public int LivenessThreshold { get; private set; }

    /// <summary>True when the strategy is fair, so a monitor still hot at the step bound is a liveness bug.</summary>
    public bool IsFair => strategy.IsFair;

    public MemoryModel MemoryModel { get; private set; }

    /// <summary>Set once by the run's <see cref="Testing.ExecutionRunner"/> from its strategy (or its schedule's).</summary>
    public bool IsExhaustiveSearch { get; internal set; }

    /// <summary>Runs one execution of <paramref name="test"/> to its end, a bug, or the step bound.
    /// <paramref name="driver"/> null: our engine (<paramref name="strategy"/> picks every step, on this thread);
    /// otherwise the driver picks and <paramref name="strategy"/> only gives random values (see <see cref="IExecutionDriver"/>).</summary>
    public ExecutionOutcome RunExecution(Func<IActorRuntime, Task> test, ISchedulingStrategy strategy,
        int maxSteps, MemoryModel memoryModel, int livenessThreshold, bool tracing, IExecutionDriver? driver = null)
    {
        this.strategy = strategy;
        this.driver = driver;
        (MaxSteps, LivenessThreshold, MemoryModel) = (maxSteps, livenessThreshold, memoryModel);
        operations.Clear();
        decisions.Clear();
        bugs.Reset();
        (running, step, nextResourceId) = (null, 0, 0);
        ownerThread = Environment.CurrentManagedThreadId;
        trace = tracing ? tracer.Start(driver) : null;
        extensions.Reset(strategy.NeedsFootprints ? footprints.Start(strategy) : null, trace);

        ControlledRuntime? previous = current;
        System.Threading.SynchronizationContext? previousContext = System.Threading.SynchronizationContext.Current;
        EnterThread();
        // Our loop resumes every continuation inline on this one thread, so the execution context need not flow with
        // it: with flow suppressed an async frame captures none and its continuation skips ExecutionContext.Run (the
        // largest part of an await's cost in models made of many small async kernel functions). Not for a driver,
        // whose own runtime may rely on the context flowing.
        bool suppressFlow = driver is null && !System.Threading.ExecutionContext.IsFlowSuppressed();
        if (suppressFlow) System.Threading.ExecutionContext.SuppressFlow();
        try
        {
            mainTest = test;
            AddOperation("main", runMainTest ??= () => mainTest!(this));
            return driver is null ? Schedule() : driver.Drive(this);
        }
        finally
        {
            if (suppressFlow && System.Threading.ExecutionContext.IsFlowSuppressed()) System.Threading.ExecutionContext.RestoreFlow();
            current = previous;
            System.Threading.SynchronizationContext.SetSynchronizationContext(previousContext);
            running = null;
            mainTest = null;
            this.driver = null;
        }
    }

    private ExecutionOutcome Schedule()
    {
        while (true)
        {
            ReadOnlySpan<Operation> enabled = operations.CollectEnabled(step);
            if (enabled.Length == 0) return EndOfExecution();
            if (step >= MaxSteps) return AtStepBound();

            int index;
            try { index = strategy.NextOperation(enabled, running, step); }
            catch (ScheduleDivergenceException e)
            {
                bugs.Diverged(e);
                return ExecutionOutcome.Diverged;
            }
            if (index < 0) return ExecutionOutcome.Pruned;
            if (!TakeStep(enabled[index], out ExecutionOutcome end)) return end;
        }
    }

    /// <summary>One step of <paramref name="next"/> and the checks after it; false when the execution ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TakeStep(Operation next, out ExecutionOutcome end)
    {
        decisions.Add(new Decision(DecisionKind.Operation, next.Id));
        step++;
        running = next;
        extensions.StepStarting(next);
        if (next.EngineStep is { } engine) engine.Step();
        else RunStep(next);
        extensions.StepCompleted(next);
        // Its next step is its own to take until something blocks it (see Operation.EnabledByStep).
        next.EnabledByStep = 0;
        next.WasEnabled = true;

        if (!bugs.Continue(out end)) return false;
        if (!extensions.AfterStep()) return true;
        end = ExecutionOutcome.Bug;
        return false;
    }

    /// <summary>Resumes <paramref name="op"/>'s model code; an exception it did not catch, or an await the engine does not control, is a bug.</summary>
    private void RunStep(Operation op)
    {
        Exception? e = op.Resume(out bool foreignAwait);
        if (bugs.Any) return;
        // The engine's own exceptions were recorded where they were raised.
        if (e is not (null or ExecutionCanceledException or AssertionFailureException)) Fail(BugKind.UnhandledException, Failures.UnhandledException(op, e), op);
        else if (foreignAwait) Fail(BugKind.UncontrolledConcurrency, Failures.UncontrolledAwait(op, step), op);
    }

    private ExecutionOutcome AtStepBound() => extensions.Judge(atEnd: false) ? ExecutionOutcome.Bug : ExecutionOutcome.MaxStepsReached;

    /// <summary>How an execution with no enabled operation ends: a deadlock (an operation blocked, not idly waiting),
    /// a bug a feature's check finds (a monitor still hot), or quiescence. Drivers call it when no operation is enabled.</summary>
    public ExecutionOutcome EndOfExecution()
    {
        if (operations.Blocked() is { } blocked) return Fail(BugKind.Deadlock, Failures.Deadlock(blocked), blocked[0]);
        return extensions.Judge(atEnd: true) ? ExecutionOutcome.Bug : ExecutionOutcome.Quiescent;
    }

    internal void Pause(Action continuation)
    {
        CheckThread();
        running!.Park(continuation);
    }

    /// <summary>The running operation was resumed at its scheduling point: its declared access happens now.</summary>
    internal void OnResumed(bool drainStoreBuffer = false)
    {
        Operation op = running!;
        extensions.Resumed(op);
        if (drainStoreBuffer) DrainStoreBuffer();
        op.Blocker = null;
        trace?.Resumed(op);
    }

    /// <summary>The resume action of the running operation's scheduling point has run: later lines are the model's own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void OnActionDone() => trace?.EndAccess();

    /// <summary>Throws (and records a foreign access) unless called by controlled code on the engine's thread.</summary>
    internal void CheckThread()
    {
        if (Environment.CurrentManagedThreadId == ownerThread && running is not null) return;
        bugs.ForeignThread();
        throw new InvalidOperationException(Failures.ForeignThread);
    }

    /// <summary>The engine's runtime behind <paramref name="runtime"/> (features need its extension points).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ControlledRuntime Of(IActorRuntime runtime) => runtime as ControlledRuntime ?? NotTheEngine();

    // Out of line, so that Of inlines into every monitor notification and feature lookup.
    private static ControlledRuntime NotTheEngine() => throw new ArgumentException("this needs the engine's ControlledRuntime", "runtime");
}

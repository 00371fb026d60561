using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Runs executions of a test on ONE OS thread: the scheduling loop, the scheduling points, and the extension points
/// features plug into. Model code awaits only engine awaitables; each await parks the operation's continuation here
/// and returns, and the loop resumes the continuation the strategy picks — no thread per operation, no locks.
/// Shared memory and x86-TSO (Sync), actors (Actors) and monitors (Specifications) are plug-ins with typed state of
/// their own (<see cref="Extensions"/>, <see cref="Operation.Get{T}"/>); footprints, tracing and metrics observe steps.
/// One instance is reused across iterations; the per-step path allocates nothing.
/// </summary>
public sealed class ControlledRuntime : IActorRuntime
{
    [ThreadStatic] private static ControlledRuntime? current;

    private readonly List<Operation> operations = new();
    private readonly DecisionLog decisions = new();
    private Operation[] enabledBuffer = new Operation[16];
    private ISchedulingStrategy strategy = null!;
    private IExecutionDriver? driver;
    private Operation? running;
    private int ownerThread;
    private int step;
    private volatile string? foreignAccess;
    private int nextResourceId;
    private readonly ExtensionPoints extensions;
    private readonly FootprintRecorder footprints = new();
    private readonly TraceRecorder tracer;
    private TraceRecorder? trace;

    public ControlledRuntime()
    {
        extensions = new ExtensionPoints(this);
        tracer = new TraceRecorder(this);
    }

    /// <summary>The driver of the running execution; null on our engine. Plug-ins above the runtime ask it for
    /// what they need (actors: whether the driver hosts them on another actor runtime).</summary>
    internal IExecutionDriver? Driver => driver;

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

    public bool IsTracing => trace is not null;

    public MemoryModel MemoryModel { get; private set; }

    /// <summary>The bug of the last execution, or null.</summary>
    public BugReport? Bug { get; private set; }

    /// <summary>Why a replayed schedule could not be followed, or null.</summary>
    public ScheduleDivergenceException? Divergence { get; private set; }

    /// <summary>The trace of the last execution when it ran with tracing on.</summary>
    public IReadOnlyList<TraceEntry>? Trace => trace?.Lines;

    /// <summary>The decisions taken by the last execution, in order.</summary>
    public Decision[] RecordedDecisions() => decisions.ToArray();

    /// <summary>The operations of the last execution, indexed by id.</summary>
    public IReadOnlyList<Operation> Operations => operations;

    public string[] OperationNames() => operations.ConvertAll(o => o.Name).ToArray();

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
        (Bug, Divergence, foreignAccess, running, step, nextResourceId) = (null, null, null, null, 0, 0);
        ownerThread = Environment.CurrentManagedThreadId;
        trace = tracing ? tracer.Start(driver) : null;
        extensions.Reset(strategy.NeedsFootprints ? footprints.Start(strategy) : null, trace);

        ControlledRuntime? previous = current;
        System.Threading.SynchronizationContext? previousContext = System.Threading.SynchronizationContext.Current;
        EnterThread();
        try
        {
            AddOperation("main", () => test(this));
            return driver is null ? Schedule() : driver.Drive(this);
        }
        finally
        {
            current = previous;
            System.Threading.SynchronizationContext.SetSynchronizationContext(previousContext);
            running = null;
            this.driver = null;
        }
    }

    private ExecutionOutcome Schedule()
    {
        while (true)
        {
            int count = CollectEnabled();
            if (count == 0) return EndOfExecution();
            if (step >= MaxSteps) return AtStepBound();

            int index;
            try { index = strategy.NextOperation(new ReadOnlySpan<Operation>(enabledBuffer, 0, count), running, step); }
            catch (ScheduleDivergenceException e)
            {
                Divergence = e;
                return ExecutionOutcome.Diverged;
            }
            if (index < 0) return ExecutionOutcome.Pruned;
            if (!TakeStep(enabledBuffer[index], out ExecutionOutcome end)) return end;
        }
    }

    private int CollectEnabled()
    {
        int count = 0;
        foreach (Operation op in operations)
        {
            bool enabled = op.IsEnabled;
            // Blocked (or not yet created) when last looked, runnable now: the step just taken enabled it.
            if (enabled && !op.WasEnabled) op.EnabledByStep = step;
            op.WasEnabled = enabled;
            if (!enabled) continue;
            if (count == enabledBuffer.Length) Array.Resize(ref enabledBuffer, count * 2);
            enabledBuffer[count++] = op;
        }
        return count;
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

        if (Divergence is not null) end = ExecutionOutcome.Diverged;
        else if (Bug is not null) end = ExecutionOutcome.Bug;
        else if (foreignAccess is { } foreign) end = Fail(BugKind.UncontrolledConcurrency, foreign, null);
        else if (extensions.AfterStep()) end = ExecutionOutcome.Bug;
        else
        {
            end = default;
            return true;
        }
        return false;
    }

    /// <summary>Resumes <paramref name="op"/>'s model code; an exception it did not catch, or an await the engine does not control, is a bug.</summary>
    private void RunStep(Operation op)
    {
        Exception? e = op.Resume(out bool foreignAwait);
        if (Bug is not null || Divergence is not null) return;
        // The engine's own exceptions were recorded where they were raised.
        if (e is not (null or ExecutionCanceledException or AssertionFailureException)) Fail(BugKind.UnhandledException, Failures.UnhandledException(op, e), op);
        else if (foreignAwait) Fail(BugKind.UncontrolledConcurrency, Failures.UncontrolledAwait(op, step), op);
    }

    private ExecutionOutcome AtStepBound() => extensions.Judge(atEnd: false) ? ExecutionOutcome.Bug : ExecutionOutcome.MaxStepsReached;

    /// <summary>How an execution with no enabled operation ends: a deadlock (an operation blocked, not idly waiting),
    /// a bug a feature's check finds (a monitor still hot), or quiescence. Drivers call it when no operation is enabled.</summary>
    public ExecutionOutcome EndOfExecution()
    {
        List<Operation>? blocked = null;
        foreach (Operation op in operations)
            if (op.Status != OperationStatus.Completed && op.Blocker is { IsIdle: false })
                (blocked ??= new()).Add(op);
        if (blocked is not null) return Fail(BugKind.Deadlock, Failures.Deadlock(blocked), blocked[0]);
        return extensions.Judge(atEnd: true) ? ExecutionOutcome.Bug : ExecutionOutcome.Quiescent;
    }

    // ---- drivers (IExecutionDriver) ---------------------------------------------------------

    /// <summary>
    /// For an <see cref="IExecutionDriver"/>: takes one step of <paramref name="op"/> (which must be enabled:
    /// <see cref="Operation.IsEnabled"/>) on the calling thread, then checks for bugs. Returns false, with how the
    /// execution ended, when it must stop (a bug, or the step bound). Only one thread may step at a time.
    /// </summary>
    public bool TryStep(Operation op, out ExecutionOutcome end)
    {
        ownerThread = Environment.CurrentManagedThreadId;
        if (step >= MaxSteps)
        {
            end = AtStepBound();
            return false;
        }
        return TakeStep(op, out end);
    }

    /// <summary>For an <see cref="IExecutionDriver"/>: true while some operation can take a step.</summary>
    public bool AnyEnabled() => operations.Exists(op => op.IsEnabled);

    /// <summary>For an <see cref="IExecutionDriver"/> that steps operations on threads of its own: makes
    /// <see cref="Current"/> this runtime on the calling thread and lets model awaits resume inline on it.</summary>
    public void EnterThread()
    {
        current = this;
        System.Threading.SynchronizationContext.SetSynchronizationContext(null);
    }

    // ---- bugs -------------------------------------------------------------------------------

    /// <summary>Records a bug (the first one wins) and returns <see cref="ExecutionOutcome.Bug"/>.
    /// <paramref name="op"/> is the operation at fault; null for bugs of the whole execution (liveness, deadlock of all).</summary>
    internal ExecutionOutcome Fail(BugKind kind, string message, Operation? op, string? invariant = null)
    {
        if (Bug is null)
        {
            Bug = new BugReport(kind, message, step, op?.Name, invariant);
            trace?.Add(op, TraceEventKind.Bug, $"*** BUG: {kind}: {message}");
        }
        return ExecutionOutcome.Bug;
    }

    /// <summary>Records a bug found by model code and unwinds it.</summary>
    public Exception Violation(BugKind kind, string message) => Violation(kind, null, message);

    /// <summary>Records a bug of the invariant <paramref name="invariant"/> (e.g. "INV-A1"; its identity
    /// for hunt, minimization and expectations) found by model code, and unwinds it.</summary>
    public Exception Violation(BugKind kind, string? invariant, string message)
    {
        Fail(kind, message, running, BugReport.CheckInvariant(invariant));
        return kind == BugKind.AssertionFailure ? new AssertionFailureException(message) : new ExecutionCanceledException(message);
    }

    public void Assert(bool condition, string message)
    {
        if (!condition) throw Violation(BugKind.AssertionFailure, message);
    }

    /// <summary>Asserts the invariant <paramref name="invariant"/> (e.g. "INV-A1").</summary>
    public void Assert(bool condition, string invariant, string message)
    {
        if (!condition) throw Violation(BugKind.AssertionFailure, invariant, message);
    }

    // ---- scheduling points ---------------------------------------------------------------

    /// <summary>Declares what the running operation's next step touches or waits for; the next await parks it.</summary>
    public void Prepare(object? resource, AccessKind access, Blocker? blocker = null)
    {
        CheckThread();
        Operation op = running!;
        op.PendingResource = resource;
        op.PendingAccess = access;
        op.Blocker = blocker;
    }

    /// <summary>A scheduling point that touches <paramref name="resource"/> and may wait on <paramref name="blocker"/>;
    /// <paramref name="label"/> is its trace line.</summary>
    public SchedulingPoint Point(object? resource, AccessKind access, Blocker? blocker = null, string? label = null)
    {
        Prepare(resource, access, blocker);
        trace?.Label(running!, label);
        return new SchedulingPoint(this);
    }

    /// <summary>A scheduling point that runs <paramref name="action"/> when resumed and returns its result.</summary>
    public SchedulingPoint<TAction, TResult> Point<TAction, TResult>(TAction action, object? resource, AccessKind access, Blocker? blocker = null)
        where TAction : struct, IResumeAction<TResult>
    {
        Prepare(resource, access, blocker);
        return new SchedulingPoint<TAction, TResult>(this, action);
    }

    public SchedulingPoint Interleave(string? label = null) => Point(null, AccessKind.None, null, label);

    public SchedulingPoint Fence(string label = "smp_mb()")
    {
        Point(null, AccessKind.Fence, null, label);
        return new SchedulingPoint(this, drainStoreBuffer: true);
    }

    public SchedulingPoint WhenCompleted(Operation op)
    {
        Prepare(op, AccessKind.Other, op.Status == OperationStatus.Completed ? null : new CompletionBlocker(op));
        trace?.Label(running!, $"joins '{op.Name}' (completed)");
        return new SchedulingPoint(this);
    }

    private sealed class CompletionBlocker(Operation target) : Blocker
    {
        public override bool CanProceed(Operation op) => target.Status == OperationStatus.Completed;
        public override string Describe(Operation op) => $"'{target.Name}' to complete";
    }

    /// <summary>Makes the running operation's buffered stores visible (a no-op unless the memory model buffers them).
    /// For primitives modelling locked instructions or fences; call it from a resume action.</summary>
    public void DrainStoreBuffer()
    {
        if (extensions.MemoryOrder is { } order && running is not null) order.Drain(running);
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
        foreignAccess ??= Failures.ForeignThread;
        throw new InvalidOperationException(Failures.ForeignThread);
    }

    /// <summary>The engine's runtime behind <paramref name="runtime"/> (features need its extension points).</summary>
    internal static ControlledRuntime Of(IActorRuntime runtime) =>
        runtime as ControlledRuntime ?? throw new ArgumentException("this needs the engine's ControlledRuntime", nameof(runtime));

    // ---- operations, choices, accesses ---------------------------------------------------------

    public Operation Spawn(string name, Func<Task> body)
    {
        CheckThread();
        RecordKey(Access.OperationTable, true);
        return AddOperation(name, body);
    }

    /// <summary>Adds a pseudo-operation whose steps the engine takes itself (a store buffer), created by the running operation.</summary>
    internal Operation AddEngineOperation(string name, IEngineStep engineStep) => AddOperation(name, null, engineStep);

    private Operation AddOperation(string name, Func<Task>? body, IEngineStep? engineStep = null)
    {
        var op = new Operation(operations.Count, name, body, engineStep) { CreatedAtStep = step, CreatedBy = running?.Id ?? -1 };
        operations.Add(op);
        driver?.OnOperationAdded(this, op);
        return op;
    }

    public bool RandomBoolean() => Choose(DecisionKind.Boolean, 2) != 0;

    public int RandomInteger(int maxValue)
    {
        CheckThread();
        if (maxValue <= 0) throw new ArgumentOutOfRangeException(nameof(maxValue), "RandomInteger needs a positive bound");
        return Choose(DecisionKind.Integer, maxValue);
    }

    /// <summary>A nondeterministic value the strategy decides and the schedule records.</summary>
    private int Choose(DecisionKind kind, int bound)
    {
        CheckThread();
        extensions.Chose();
        int value;
        try { value = kind == DecisionKind.Boolean ? (strategy.NextBoolean(step) ? 1 : 0) : strategy.NextInteger(bound, step); }
        catch (ScheduleDivergenceException e)
        {
            Divergence ??= e;
            throw new ExecutionCanceledException(e.Message);
        }
        decisions.Add(new Decision(kind, value));
        trace?.Add(running, TraceEventKind.Choice,
            kind == DecisionKind.Boolean ? $"RandomBoolean() -> {(value != 0 ? "true" : "false")}" : $"RandomInteger({bound}) -> {value}");
        return value;
    }

    /// <summary>
    /// Notes that the running step touched <paramref name="resource"/> beyond the access its scheduling
    /// point declared (e.g. a peek from an assertion, a store-buffer flush). Exhaustive search uses
    /// these footprints to decide which steps are independent; a missing record can hide interleavings.
    /// </summary>
    public void RecordAccess(object resource, bool write)
    {
        if (extensions.Observed) RecordKey(Access.KeyOf(resource), write);
    }

    private void RecordKey(long key, bool write)
    {
        if (extensions.Observed) extensions.Accessed(new Access(key, write));
    }

    /// <summary>A fresh id for an <see cref="IControlledResource"/>, in creation order within the execution.</summary>
    public int NewResourceId() => nextResourceId++;

    // ---- tracing ----------------------------------------------------------------------------

    public void Log(string text) => trace?.Log(running, text);

    public void Log(ref TraceText text)
    {
        if (trace is not null && text.IsEnabled) trace.Log(running, text.ToStringAndClear());
    }

    /// <summary>Adds a typed trace line for the running operation while tracing: what a feature did (a send, a monitor's
    /// state, a buffered store made visible...) to <paramref name="resource"/>. Callers format lazily behind <see cref="IsTracing"/>.</summary>
    public void LogEvent(TraceEventKind kind, string text, object? resource = null, AccessKind access = AccessKind.None, string? state = null, bool hot = false) =>
        trace?.Add(running, kind, text, resource, access, state, hot);
}

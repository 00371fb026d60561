using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// Runs executions of a test on ONE OS thread: the scheduling loop, and the extension points features plug into.
/// Model code awaits only engine awaitables; each await parks the operation's continuation here and returns, and
/// the loop resumes the continuation the strategy picks — no thread per operation, no hand-off, no locks.
/// Features are plug-ins with typed state of their own: shared memory and x86-TSO (Sync), actors (Actors) and
/// monitors (Specifications) keep per-execution state in <see cref="Feature{T}(Func{ControlledRuntime, T})"/> slots,
/// per-operation state in <see cref="Operation.Get{T}"/> slots, and judge executions through <see cref="IExecutionCheck"/>;
/// footprints, tracing and metrics observe steps (<see cref="StepObserver"/>).
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

    // Extension points: features' state and checks for this execution, the barrier of the memory model, step observers.
    private object?[] features = [];
    private readonly List<IExecutionCheck> checks = new();
    private IMemoryOrder? memoryOrder;
    private readonly List<StepObserver> attached = new();
    private StepObserver[] observers = new StepObserver[4];
    private int observerCount;
    private readonly FootprintRecorder footprints = new();
    private readonly TraceRecorder tracer;
    private TraceRecorder? trace;

    public ControlledRuntime() => tracer = new TraceRecorder(this);

    /// <summary>The runtime of the execution running on this thread, if any.</summary>
    public static ControlledRuntime? Current => current;

    public Operation CurrentOperation => running ?? throw new InvalidOperationException("no operation is running");

    public int Step => step;

    /// <summary>The step bound of this execution.</summary>
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

    /// <summary>Names of the operations of the last execution, indexed by id.</summary>
    public string[] OperationNames() => operations.ConvertAll(o => o.Name).ToArray();

    /// <summary>Runs one execution of <paramref name="test"/> to its end, a bug, or the step bound.
    /// <paramref name="driver"/> null: our engine (<paramref name="strategy"/> picks every step, on this thread);
    /// otherwise the driver picks and <paramref name="strategy"/> only gives random values (see <see cref="IExecutionDriver"/>).</summary>
    public ExecutionOutcome RunExecution(Func<IActorRuntime, Task> test, ISchedulingStrategy strategy,
        int maxSteps, MemoryModel memoryModel, int livenessThreshold, bool tracing, IExecutionDriver? driver = null)
    {
        Reset(strategy, maxSteps, memoryModel, livenessThreshold, tracing, driver);
        ControlledRuntime? previous = current;
        System.Threading.SynchronizationContext? previousContext = System.Threading.SynchronizationContext.Current;
        current = this;
        System.Threading.SynchronizationContext.SetSynchronizationContext(null);
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

    private void Reset(ISchedulingStrategy strategy, int maxSteps, MemoryModel memoryModel, int livenessThreshold, bool tracing, IExecutionDriver? driver)
    {
        this.strategy = strategy;
        this.driver = driver;
        MaxSteps = maxSteps;
        LivenessThreshold = livenessThreshold;
        MemoryModel = memoryModel;
        operations.Clear();
        decisions.Clear();
        Bug = null;
        Divergence = null;
        nextResourceId = 0;
        step = 0;
        running = null;
        foreignAccess = null;
        ownerThread = Environment.CurrentManagedThreadId;
        Array.Clear(features);
        checks.Clear();
        memoryOrder = null;
        trace = tracing ? tracer.Start(driver) : null;
        observerCount = 0;
        if (strategy.NeedsFootprints) Observe(footprints.Start(strategy));
        if (trace is not null) Observe(trace);
        foreach (StepObserver o in attached) Observe(o);
    }

    private void Observe(StepObserver o)
    {
        if (observerCount == observers.Length) Array.Resize(ref observers, observerCount * 2);
        observers[observerCount++] = o;
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

    /// <summary>One step of <paramref name="next"/> and the checks after it; false when the execution ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TakeStep(Operation next, out ExecutionOutcome end)
    {
        decisions.Add(new Decision(DecisionKind.Operation, next.Id));
        step++;
        running = next;
        next.ReachedSchedulingPoint = false;
        for (int i = 0; i < observerCount; i++) observers[i].OnStepStarting(next);
        RunStep(next);
        for (int i = 0; i < observerCount; i++) observers[i].OnStepCompleted(next);
        // Its next step is its own to take until something blocks it (see Operation.EnabledByStep).
        next.EnabledByStep = 0;
        next.WasEnabled = true;

        if (Divergence is not null) end = ExecutionOutcome.Diverged;
        else if (Bug is not null) end = ExecutionOutcome.Bug;
        else if (foreignAccess is { } foreign) end = Fail(BugKind.UncontrolledConcurrency, foreign, null);
        else if (checks.Count > 0 && AfterStepChecks()) end = ExecutionOutcome.Bug;
        else
        {
            end = default;
            return true;
        }
        return false;
    }

    private bool AfterStepChecks()
    {
        foreach (IExecutionCheck check in checks)
            if (check.AfterStep(this)) return true;
        return false;
    }

    private ExecutionOutcome AtStepBound()
    {
        foreach (IExecutionCheck check in checks)
        {
            check.AtStepBound(this);
            if (Bug is not null) return ExecutionOutcome.Bug;
        }
        return ExecutionOutcome.MaxStepsReached;
    }

    /// <summary>For an <see cref="IExecutionDriver"/>: true while some operation can take a step.</summary>
    public bool AnyEnabled()
    {
        foreach (Operation op in operations)
            if (op.IsEnabled) return true;
        return false;
    }

    /// <summary>For an <see cref="IExecutionDriver"/> that steps operations on threads of its own: makes
    /// <see cref="Current"/> this runtime on the calling thread and lets model awaits resume inline on it.</summary>
    public void EnterThread()
    {
        current = this;
        System.Threading.SynchronizationContext.SetSynchronizationContext(null);
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

    private void RunStep(Operation op)
    {
        if (op.EngineStep is { } engine)
        {
            engine.Step();
            return;
        }

        try
        {
            if (op.Status == OperationStatus.NotStarted)
            {
                op.Status = OperationStatus.Paused;
                op.RootTask = op.Body!();
            }
            else
            {
                Action continuation = op.Continuation!;
                op.Continuation = null;
                continuation();
            }
        }
        catch (Exception e)
        {
            // Only non-async bodies can throw here; async ones fault their task.
            op.RootTask = Task.FromException(e);
        }

        Task root = op.RootTask!;
        if (root.IsCompleted)
        {
            op.Status = OperationStatus.Completed;
            op.Blocker = null;
            if (root.IsFaulted && Bug is null && Divergence is null) ReportException(op, root.Exception!.InnerException ?? root.Exception);
        }
        else if (!op.ReachedSchedulingPoint && Bug is null && Divergence is null)
        {
            Fail(BugKind.UncontrolledConcurrency,
                $"operation '{op.Name}' awaited something the engine does not control (Task.Run, Task.Delay, Task.Yield, I/O, " +
                $"or a task of another thread) in step {step}{DescribeLocation(op)}; model code may await only engine awaitables",
                op);
        }
    }

    private static string DescribeLocation(Operation op)
    {
        if (op.RootTask is { } root && AsyncChain.DescribeForeignAwait(root) is { } chain) return $": {chain}";
        return op.Location is { } where ? $", in {where}" : $", in {op.Body?.Method.DeclaringType?.Name}.{op.Body?.Method.Name}";
    }

    /// <summary>How an execution with no enabled operation ends: a deadlock (an operation blocked on a primitive, not
    /// idly waiting), a bug a feature's check finds (a monitor still hot), or quiescence. Drivers call it when no
    /// operation is enabled.</summary>
    public ExecutionOutcome EndOfExecution()
    {
        List<Operation>? blocked = null;
        foreach (Operation op in operations)
            if (op.Status != OperationStatus.Completed && op.Blocker is { IsIdle: false })
                (blocked ??= new()).Add(op);

        if (blocked is not null)
        {
            string waits = string.Join("; ", blocked.ConvertAll(o => $"'{o.Name}' waits for {o.Blocker!.Describe(o)}"));
            return Fail(BugKind.Deadlock, $"deadlock: no operation can run; {waits}", blocked[0]);
        }

        foreach (IExecutionCheck check in checks)
        {
            check.AtEnd(this);
            if (Bug is not null) return ExecutionOutcome.Bug;
        }
        return ExecutionOutcome.Quiescent;
    }

    private void ReportException(Operation op, Exception e)
    {
        if (e is ExecutionCanceledException or AssertionFailureException) return; // recorded where it was raised
        string where = e.StackTrace?.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal))?.Trim() ?? "";
        Fail(BugKind.UnhandledException, $"unhandled {e.GetType().Name} in '{op.Name}': {e.Message}{(where.Length > 0 ? " (" + where + ")" : "")}", op);
    }

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
        Prepare(null, AccessKind.Fence);
        trace?.Label(running!, label);
        return new SchedulingPoint(this, drainStoreBuffer: true);
    }

    /// <summary>Makes the running operation's buffered stores visible (a no-op unless the memory model buffers them).
    /// For primitives modelling locked instructions or fences; call it from a resume action.</summary>
    public void DrainStoreBuffer()
    {
        if (memoryOrder is not null && running is not null) memoryOrder.Drain(running);
    }

    internal void Pause(Action continuation)
    {
        CheckThread();
        Operation op = running!;
        op.Continuation = continuation;
        op.ReachedSchedulingPoint = true;
    }

    /// <summary>The running operation was resumed at its scheduling point: its declared access happens now.</summary>
    internal void OnResumed(bool drainStoreBuffer = false)
    {
        Operation op = running!;
        for (int i = 0; i < observerCount; i++) observers[i].OnResumed(op);
        if (drainStoreBuffer) memoryOrder?.Drain(op);
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
        string message = "model code ran on a thread the engine does not control (e.g. the continuation of Task.Run or of an un-awaited task) and touched a controlled object";
        foreignAccess ??= message;
        throw new InvalidOperationException(message);
    }

    /// <summary>The engine's runtime behind <paramref name="runtime"/> (features need its extension points).</summary>
    internal static ControlledRuntime Of(IActorRuntime runtime) =>
        runtime as ControlledRuntime ?? throw new ArgumentException("this needs the engine's ControlledRuntime", nameof(runtime));

    // ---- operations ------------------------------------------------------------------------

    public Operation Spawn(string name, Func<Task> body)
    {
        CheckThread();
        RecordKey(Access.OperationTable, true);
        return AddOperation(name, body);
    }

    private Operation AddOperation(string name, Func<Task>? body, IEngineStep? engineStep = null)
    {
        var op = new Operation(operations.Count, name, body, engineStep) { CreatedAtStep = step, CreatedBy = running?.Id ?? -1 };
        operations.Add(op);
        driver?.OnOperationAdded(this, op);
        return op;
    }

    /// <summary>Adds a pseudo-operation whose steps the engine takes itself (a store buffer), created by the running operation.</summary>
    internal Operation AddEngineOperation(string name, IEngineStep engineStep) => AddOperation(name, null, engineStep);

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

    // ---- nondeterminism ------------------------------------------------------------------

    public bool RandomBoolean()
    {
        CheckThread();
        for (int i = 0; i < observerCount; i++) observers[i].OnChoice();
        bool value;
        try { value = strategy.NextBoolean(step); }
        catch (ScheduleDivergenceException e) { throw Diverge(e); }
        decisions.Add(new Decision(DecisionKind.Boolean, value ? 1 : 0));
        trace?.Add(running, TraceEventKind.Choice, $"RandomBoolean() -> {(value ? "true" : "false")}");
        return value;
    }

    public int RandomInteger(int maxValue)
    {
        CheckThread();
        if (maxValue <= 0) throw new ArgumentOutOfRangeException(nameof(maxValue), "RandomInteger needs a positive bound");
        for (int i = 0; i < observerCount; i++) observers[i].OnChoice();
        int value;
        try { value = strategy.NextInteger(maxValue, step); }
        catch (ScheduleDivergenceException e) { throw Diverge(e); }
        decisions.Add(new Decision(DecisionKind.Integer, value));
        trace?.Add(running, TraceEventKind.Choice, $"RandomInteger({maxValue}) -> {value}");
        return value;
    }

    private ExecutionCanceledException Diverge(ScheduleDivergenceException e)
    {
        Divergence ??= e;
        return new ExecutionCanceledException(e.Message);
    }

    /// <summary>
    /// Notes that the running step touched <paramref name="resource"/> beyond the access its scheduling
    /// point declared (e.g. a peek from an assertion, a store-buffer flush). Exhaustive search uses
    /// these footprints to decide which steps are independent; a missing record can hide interleavings.
    /// </summary>
    public void RecordAccess(object resource, bool write)
    {
        if (observerCount != 0) RecordKey(Access.KeyOf(resource), write);
    }

    private void RecordKey(long key, bool write)
    {
        for (int i = 0; i < observerCount; i++) observers[i].OnAccess(new Access(key, write));
    }

    /// <summary>A fresh id for an <see cref="IControlledResource"/>, in creation order within the execution.</summary>
    public int NewResourceId() => nextResourceId++;

    // ---- extension points ------------------------------------------------------------------

    /// <summary>The state feature <typeparamref name="T"/> keeps for this execution, made by <paramref name="create"/> on
    /// first use; every execution starts without it.</summary>
    public T Feature<T>(Func<ControlledRuntime, T> create) where T : class
    {
        int slot = FeatureSlot<T>.Index;
        if (slot < features.Length && features[slot] is T existing) return existing;
        T made = create(this);
        SetFeature(made);
        return made;
    }

    /// <summary>The state feature <typeparamref name="T"/> keeps for this execution, or null.</summary>
    public T? Feature<T>() where T : class
    {
        int slot = FeatureSlot<T>.Index;
        return slot < features.Length ? (T?)features[slot] : null;
    }

    /// <summary>Sets the state feature <typeparamref name="T"/> keeps for this execution (e.g. under an interface it serves).</summary>
    public void SetFeature<T>(T? value) where T : class
    {
        int slot = FeatureSlot<T>.Index;
        if (slot >= features.Length) Array.Resize(ref features, Math.Max(slot + 1, FeatureSlots.Count));
        features[slot] = value;
    }

    /// <summary>Adds a check that judges this execution after each step, at the step bound and at its end.</summary>
    public void AddCheck(IExecutionCheck check) => checks.Add(check);

    /// <summary>Makes <paramref name="order"/> the barrier of this execution's memory model (see <see cref="DrainStoreBuffer"/>).</summary>
    public void SetMemoryOrder(IMemoryOrder order) => memoryOrder = order;

    /// <summary>Adds an observer of every step (e.g. metrics) from the next execution on.</summary>
    public void AddObserver(StepObserver observer) => attached.Add(observer);

    public bool RemoveObserver(StepObserver observer) => attached.Remove(observer);

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

using Avic.Coyote.Actors;
using Avic.Coyote.Specifications;
using Avic.Coyote.Strategies;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Runtime;

/// <summary>How one execution ended.</summary>
public enum ExecutionOutcome
{
    /// <summary>Every operation completed or went idle.</summary>
    Quiescent,
    /// <summary>The step bound cut the execution.</summary>
    MaxStepsReached,
    /// <summary>A bug was found (see <see cref="ControlledRuntime.Bug"/>).</summary>
    Bug,
    /// <summary>A replayed schedule stopped matching the model (see <see cref="ControlledRuntime.Divergence"/>).</summary>
    Diverged,
    /// <summary>The strategy cut the execution short: it is equivalent to one already explored.</summary>
    Pruned,
}

/// <summary>
/// Runs executions of a test on ONE OS thread. Model code awaits only engine awaitables; each await
/// parks the operation's continuation here and returns, and the scheduler loop resumes the
/// continuation the strategy picks — no thread per operation, no hand-off, no locks.
/// One instance is reused across iterations; the per-step path allocates nothing.
/// </summary>
public sealed class ControlledRuntime : IActorRuntime
{
    [ThreadStatic] private static ControlledRuntime? current;

    private readonly List<Operation> operations = new();
    private readonly List<Monitor> monitors = new();
    private readonly DecisionLog decisions = new();
    private Operation[] enabledBuffer = new Operation[16];
    private ISchedulingStrategy strategy = null!;
    private Operation? running;
    private int ownerThread;
    private int step;
    private int maxSteps;
    private int livenessThreshold;
    private List<TraceEntry>? trace;
    private volatile string? foreignAccess;
    private bool recordFootprints;
    private readonly List<Access> footprint = new();
    private bool footprintGlobal;
    private IExecutionDriver? driver;
    private IActorHost? actorHost;

    private int nextResourceId;

    /// <summary>The driver's actor host, if it hosts actors (see <see cref="IActorHost"/>).</summary>
    internal IActorHost? ActorHost => actorHost;

    /// <summary>The runtime of the execution running on this thread, if any.</summary>
    public static ControlledRuntime? Current => current;

    public Operation CurrentOperation => running ?? throw new InvalidOperationException("no operation is running");

    public int Step => step;

    public bool IsTracing => trace is not null;

    public MemoryModel MemoryModel { get; private set; }

    /// <summary>The bug of the last execution, or null.</summary>
    public BugReport? Bug { get; private set; }

    /// <summary>Why a replayed schedule could not be followed, or null.</summary>
    public ScheduleDivergenceException? Divergence { get; private set; }

    /// <summary>The trace of the last execution when it ran with tracing on.</summary>
    public IReadOnlyList<TraceEntry>? Trace => trace;

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
        Reset(strategy, maxSteps, memoryModel, livenessThreshold, tracing);
        this.driver = driver;
        actorHost = driver as IActorHost;
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
            actorHost = null;
        }
    }

    private void Reset(ISchedulingStrategy strategy, int maxSteps, MemoryModel memoryModel, int livenessThreshold, bool tracing)
    {
        this.strategy = strategy;
        recordFootprints = strategy.NeedsFootprints;
        footprint.Clear();
        footprintGlobal = false;
        this.maxSteps = maxSteps;
        this.livenessThreshold = livenessThreshold;
        MemoryModel = memoryModel;
        operations.Clear();
        monitors.Clear();
        decisions.Clear();
        Bug = null;
        Divergence = null;
        nextResourceId = 0;
        step = 0;
        running = null;
        foreignAccess = null;
        ownerThread = Environment.CurrentManagedThreadId;
        trace = tracing ? new List<TraceEntry>() : null;
    }

    private ExecutionOutcome Schedule()
    {
        while (true)
        {
            int count = CollectEnabled();
            if (count == 0) return EndOfExecution();
            if (step >= maxSteps) return AtStepBound();

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
        if (step >= maxSteps)
        {
            end = AtStepBound();
            return false;
        }
        return TakeStep(op, out end);
    }

    /// <summary>One step of <paramref name="next"/> and the checks after it; false when the execution ends.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TakeStep(Operation next, out ExecutionOutcome end)
    {
        decisions.Add(new Decision(DecisionKind.Operation, next.Id));
        step++;
        Run(next);
        if (recordFootprints)
        {
            // Completing is a release: a join waits for it, so the two never race (dfs reverses no such pair).
            if (next.Status == OperationStatus.Completed) footprint.Add(new Access(Access.KeyOf(next), true, IsRelease: true));
            strategy.OnStepCompleted(next, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(footprint), footprintGlobal);
            footprint.Clear();
            footprintGlobal = false;
        }
        // Its next step is its own to take until something blocks it (see Operation.EnabledByStep).
        next.EnabledByStep = 0;
        next.WasEnabled = true;

        if (Divergence is not null) end = ExecutionOutcome.Diverged;
        else if (Bug is not null) end = ExecutionOutcome.Bug;
        else if (foreignAccess is { } foreign) end = Fail(BugKind.UncontrolledConcurrency, foreign, null);
        else if (livenessThreshold > 0 && CheckHotThreshold()) end = ExecutionOutcome.Bug;
        else
        {
            end = default;
            return true;
        }
        return false;
    }

    private ExecutionOutcome AtStepBound()
    {
        if (strategy.IsFair && HotMonitor() is { } hot)
            return Fail(BugKind.Liveness, $"{hot.Describe()} is still hot when the execution reached the step bound ({maxSteps}) under a fair strategy", null, hot.HotInvariant);
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

    private void Run(Operation op)
    {
        running = op;
        op.ReachedSchedulingPoint = false;
        int traceLines = trace?.Count ?? 0;
        bool starting = op.Status == OperationStatus.NotStarted;
        RunStep(op);
        // Every step gets a trace line, even one that touched nothing the model labelled.
        if (trace is not null && trace.Count == traceLines)
            TraceLine(op, starting ? "starts" : op.Status == OperationStatus.Completed ? "returns" : "continues");
    }

    private void RunStep(Operation op)
    {
        if (op.FlushesBuffer is { } buffer)
        {
            buffer.FlushOldest(this);
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

    /// <summary>How an execution with no enabled operation ends: a deadlock (an operation blocked on a primitive),
    /// a liveness bug (a monitor still hot), or quiescence. Drivers call it when no operation is enabled.</summary>
    public ExecutionOutcome EndOfExecution()
    {
        List<Operation>? blocked = null;
        foreach (Operation op in operations)
            if (op.Status != OperationStatus.Completed && !op.IsIdle && op.Blocker is not null)
                (blocked ??= new()).Add(op);

        if (blocked is not null)
        {
            string waits = string.Join("; ", blocked.ConvertAll(o => $"'{o.Name}' waits for {o.Blocker!.Describe(o)}"));
            return Fail(BugKind.Deadlock, $"deadlock: no operation can run; {waits}", blocked[0]);
        }

        if (HotMonitor() is { } hot)
            return Fail(BugKind.Liveness, $"{hot.Describe()} is still hot at the end of the execution (every operation finished or idle)", null, hot.HotInvariant);
        return ExecutionOutcome.Quiescent;
    }

    private Monitor? HotMonitor()
    {
        foreach (Monitor m in monitors) if (m.IsHot) return m;
        return null;
    }

    private bool CheckHotThreshold()
    {
        foreach (Monitor m in monitors)
        {
            if (m.IsHot && step - m.HotSinceStep >= livenessThreshold)
            {
                Fail(BugKind.Liveness, $"{m.Describe()} has been hot for {step - m.HotSinceStep} steps (threshold {livenessThreshold})", null, m.HotInvariant);
                return true;
            }
        }
        return false;
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
            TraceLine(op, $"*** BUG: {kind}: {message}");
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
        running!.PendingLabel = label;
        return new SchedulingPoint(this);
    }

    /// <summary>Makes the running operation's buffered stores visible (x86-TSO; a no-op under SC).
    /// For primitives modelling locked instructions or fences; call it from a resume action.</summary>
    public void DrainStoreBuffer() => running?.StoreBuffer?.DrainAll(this);

    /// <summary>A scheduling point that runs <paramref name="action"/> when resumed and returns its result.</summary>
    public SchedulingPoint<TAction, TResult> Point<TAction, TResult>(TAction action, object? resource, AccessKind access, Blocker? blocker = null)
        where TAction : struct, IResumeAction<TResult>
    {
        Prepare(resource, access, blocker);
        return new SchedulingPoint<TAction, TResult>(this, action);
    }

    internal void Pause(Action continuation)
    {
        CheckThread();
        Operation op = running!;
        op.Continuation = continuation;
        op.ReachedSchedulingPoint = true;
    }

    internal void OnResumed(bool drainStoreBuffer = false)
    {
        Operation op = running!;
        if (recordFootprints && op.PendingResource is { } resource && op.PendingAccess != AccessKind.None)
            footprint.Add(new Access(Access.KeyOf(resource), op.PendingAccess is not (AccessKind.Read or AccessKind.ReadUnlock),
                op.PendingAccess is AccessKind.Unlock or AccessKind.ReadUnlock));
        if (drainStoreBuffer) op.StoreBuffer?.DrainAll(this);
        op.Blocker = null;
        op.IsIdle = false;
        if (trace is not null && op.PendingLabel is { } label) TraceLine(op, label);
        op.PendingLabel = null;
    }

    private void CheckThread()
    {
        if (Environment.CurrentManagedThreadId == ownerThread && running is not null) return;
        string message = "model code ran on a thread the engine does not control (e.g. the continuation of Task.Run or of an un-awaited task) and touched a controlled object";
        foreignAccess ??= message;
        throw new InvalidOperationException(message);
    }

    public SchedulingPoint Interleave(string? label = null)
    {
        Prepare(null, AccessKind.None);
        running!.PendingLabel = label;
        return new SchedulingPoint(this);
    }

    public SchedulingPoint Fence(string label = "smp_mb()")
    {
        Prepare(null, AccessKind.Other);
        running!.PendingLabel = label;
        return new SchedulingPoint(this, drainStoreBuffer: true);
    }

    // ---- operations ------------------------------------------------------------------------

    public Operation Spawn(string name, Func<Task> body)
    {
        CheckThread();
        RecordKey(Access.OperationTable, true);
        return AddOperation(name, body);
    }

    internal Operation AddOperation(string name, Func<Task>? body, StoreBuffer? flushes = null)
    {
        var op = new Operation(operations.Count, name, body) { FlushesBuffer = flushes, CreatedAtStep = step, CreatedBy = running?.Id ?? -1 };
        operations.Add(op);
        driver?.OnOperationAdded(this, op);
        return op;
    }

    public SchedulingPoint WhenCompleted(Operation op)
    {
        Prepare(op, AccessKind.Other, op.Status == OperationStatus.Completed ? null : new CompletionBlocker(op));
        if (trace is not null) running!.PendingLabel = $"joins '{op.Name}' (completed)";
        return new SchedulingPoint(this);
    }

    private sealed class CompletionBlocker(Operation target) : Blocker
    {
        public override bool CanProceed(Operation op) => target.Status == OperationStatus.Completed;
        public override string Describe(Operation op) => $"'{target.Name}' to complete";
    }

    // ---- actors ----------------------------------------------------------------------------

    public ActorId CreateActor<T>(Event? initialEvent = null, string? name = null) where T : Actor =>
        CreateActor(typeof(T), initialEvent, name);

    public ActorId CreateActor(Type type, Event? initialEvent = null, string? name = null)
    {
        CheckThread();
        if (!typeof(Actor).IsAssignableFrom(type))
            throw new ArgumentException($"{type.Name} is not an Actor", nameof(type));
        RecordKey(Access.OperationTable, true);
        var actor = (Actor)Activator.CreateInstance(type, nonPublic: true)!;
        var id = new ActorId(operations.Count, name ?? $"{type.Name}({operations.Count})", actor);
        Operation op = AddOperation(id.Name, null);
        actor.Attach(this, id, op);
        op.Body = () => actor.RunAsync(initialEvent);
        actorHost?.OnActorCreated(actor, op, initialEvent);
        return id;
    }

    public void SendEvent(ActorId target, Event e)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(e);
        if (trace is not null) TraceLine(running, $"send {e.GetType().Name} to {target.Name}");
        RecordAccess(target.Actor, true);
        target.Actor.Enqueue(e);
        actorHost?.OnEventSent(target.Actor, e);
    }

    // ---- specifications ---------------------------------------------------------------------

    public void RegisterMonitor<T>() where T : Monitor, new()
    {
        foreach (Monitor m in monitors) if (m is T) return;
        var monitor = new T();
        monitors.Add(monitor);
        monitor.Attach(this);
    }

    public void Monitor<T>(Event e) where T : Monitor
    {
        CheckThread();
        foreach (Monitor m in monitors)
        {
            if (m is T)
            {
                RecordAccess(m, true);
                m.Handle(e);
                return;
            }
        }
        throw new InvalidOperationException($"monitor {typeof(T).Name} is not registered (call RegisterMonitor<{typeof(T).Name}>() first)");
    }

    /// <summary>Finds a registered monitor (for models that query monitor state in assertions).</summary>
    public T? GetMonitor<T>() where T : Monitor
    {
        foreach (Monitor m in monitors) if (m is T t) return t;
        return null;
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

    // ---- nondeterminism ------------------------------------------------------------------

    public bool RandomBoolean()
    {
        CheckThread();
        footprintGlobal = true;
        bool value;
        try { value = strategy.NextBoolean(step); }
        catch (ScheduleDivergenceException e) { throw Diverge(e); }
        decisions.Add(new Decision(DecisionKind.Boolean, value ? 1 : 0));
        if (trace is not null) TraceLine(running, $"RandomBoolean() -> {(value ? "true" : "false")}");
        return value;
    }

    public int RandomInteger(int maxValue)
    {
        CheckThread();
        if (maxValue <= 0) throw new ArgumentOutOfRangeException(nameof(maxValue), "RandomInteger needs a positive bound");
        footprintGlobal = true;
        int value;
        try { value = strategy.NextInteger(maxValue, step); }
        catch (ScheduleDivergenceException e) { throw Diverge(e); }
        decisions.Add(new Decision(DecisionKind.Integer, value));
        if (trace is not null) TraceLine(running, $"RandomInteger({maxValue}) -> {value}");
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
        if (recordFootprints) footprint.Add(new Access(Access.KeyOf(resource), write));
    }

    private void RecordKey(long key, bool write)
    {
        if (recordFootprints) footprint.Add(new Access(key, write));
    }

    /// <summary>A fresh id for an <see cref="IControlledResource"/>, in creation order within the execution.</summary>
    public int NewResourceId() => nextResourceId++;

    // ---- tracing ----------------------------------------------------------------------------

    public void Log(string text)
    {
        if (trace is not null) TraceLine(running, text);
    }

    public void Log(ref TraceText text)
    {
        if (trace is not null && text.IsEnabled) TraceLine(running, text.ToStringAndClear());
    }

    /// <summary>Adds a trace line for the running operation when tracing (callers format lazily behind <see cref="IsTracing"/>).</summary>
    internal void TraceLine(Operation? op, string text)
    {
        if (trace is null) return;
        var line = new TraceEntry(step, op?.Name ?? "-", text);
        trace.Add(line);
        driver?.OnTraceLine(line);
    }

    /// <summary>Store buffers of the running operation are created here (x86-TSO only).</summary>
    internal StoreBuffer StoreBufferOf(Operation op)
    {
        if (op.StoreBuffer is null)
        {
            op.StoreBuffer = new StoreBuffer(op);
            AddOperation(op.Name + ".sb", null, op.StoreBuffer);
        }
        return op.StoreBuffer;
    }

}

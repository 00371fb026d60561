namespace Avic.Coyote.Runtime;

/// <summary>What models call besides scheduling points: new operations, nondeterministic values, bugs, extra accesses,
/// resource ids and trace lines. Each forwards to its room (<see cref="OperationTable"/>, <see cref="Choices"/>,
/// <see cref="BugRecorder"/>, the step observers, <see cref="TraceRecorder"/>); none is on the per-step path.
/// Last, what an execution leaves for reports.</summary>
public sealed partial class ControlledRuntime
{
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
        Operation op = operations.Add(name, body, engineStep, step, running);
        driver?.OnOperationAdded(this, op);
        return op;
    }

    public bool RandomBoolean()
    {
        CheckThread();
        return choices.Choose(strategy, DecisionKind.Boolean, 2, running) != 0;
    }

    public int RandomInteger(int maxValue)
    {
        CheckThread();
        if (maxValue <= 0) throw new ArgumentOutOfRangeException(nameof(maxValue), "RandomInteger needs a positive bound");
        return choices.Choose(strategy, DecisionKind.Integer, maxValue, running);
    }

    /// <inheritdoc cref="BugRecorder.Fail"/>
    internal ExecutionOutcome Fail(BugKind kind, string message, Operation? op, string? invariant = null) => bugs.Fail(kind, message, op, invariant);

    public Exception Violation(BugKind kind, string message) => bugs.Violation(kind, null, message, running);

    /// <summary>Records a bug of the invariant <paramref name="invariant"/> (e.g. "INV-A1"; its identity
    /// for hunt, minimization and expectations) found by model code, and unwinds it.</summary>
    public Exception Violation(BugKind kind, string? invariant, string message) => bugs.Violation(kind, invariant, message, running);

    public void Assert(bool condition, string message)
    {
        if (!condition) throw Violation(BugKind.AssertionFailure, message);
    }

    /// <summary>Asserts the invariant <paramref name="invariant"/> (e.g. "INV-A1").</summary>
    public void Assert(bool condition, string invariant, string message)
    {
        if (!condition) throw Violation(BugKind.AssertionFailure, invariant, message);
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

    internal void RecordKey(long key, bool write)
    {
        if (extensions.Observed) extensions.Accessed(new Access(key, write));
    }

    /// <summary>A fresh id for an <see cref="IControlledResource"/>, in creation order within the execution.</summary>
    public int NewResourceId() => nextResourceId++;

    public bool IsTracing => trace is not null;

    /// <summary>The trace of the last execution when it ran with tracing on.</summary>
    public IReadOnlyList<TraceEntry>? Trace => trace?.Lines;

    public void Log(string text) => trace?.Log(running, text);

    public void Log(ref TraceText text)
    {
        if (trace is not null && text.IsEnabled) trace.Log(running, text.ToStringAndClear());
    }

    /// <summary>Adds a typed trace line for the running operation while tracing: what a feature did (a send, a monitor's
    /// state, a buffered store made visible...) to <paramref name="resource"/>. Callers format lazily behind <see cref="IsTracing"/>.</summary>
    public void LogEvent(TraceEventKind kind, string text, object? resource = null, AccessKind access = AccessKind.None, string? state = null, bool hot = false) =>
        trace?.Add(running, kind, text, resource, access, state, hot);

    /// <summary>The bug of the last execution, or null.</summary>
    public BugReport? Bug => bugs.Bug;

    /// <summary>Why a replayed schedule could not be followed, or null.</summary>
    public ScheduleDivergenceException? Divergence => bugs.Divergence;

    /// <summary>The decisions taken by the last execution, in order.</summary>
    public Decision[] RecordedDecisions() => decisions.ToArray();

    /// <summary>The operations of the last execution, indexed by id.</summary>
    public IReadOnlyList<Operation> Operations => operations.All;

    public string[] OperationNames() => operations.Names();
}

namespace Avic.Coyote.Runtime;

/// <summary>
/// What a test and its model see of the engine (Coyote's name). Every method must be called from
/// controlled code, i.e. from the test body, an actor handler or a spawned operation.
/// Features above the runtime add their part as extension methods: actors (<c>CreateActor</c>, <c>SendEvent</c>)
/// in <c>Avic.Coyote.Actors</c>, monitors (<c>RegisterMonitor</c>, <c>Monitor</c>, <c>GetMonitor</c>) in
/// <c>Avic.Coyote.Specifications</c>.
/// </summary>
public interface IActorRuntime
{
    /// <summary>The operation running the current step.</summary>
    Operation CurrentOperation { get; }

    /// <summary>Number of steps taken so far in this execution.</summary>
    int Step { get; }

    /// <summary>True while the engine replays a schedule to write its trace; then <see cref="Log"/> lines are kept.</summary>
    bool IsTracing { get; }

    /// <summary>True when this execution belongs to an exhaustive search (the dfs family) or re-runs a schedule one
    /// found; false under sampling strategies (random, PCT) and on Microsoft.Coyote. Fixed for a whole run, so a model
    /// may choose a formulation without draws for exhaustive search from it (Kernel/Sched.cs's tick).</summary>
    bool IsExhaustiveSearch { get; }

    /// <summary>Starts a controlled operation (a thread of the modelled system). It first runs when the scheduler picks it.</summary>
    Operation Spawn(string name, Func<Task> body);

    /// <summary>Blocks until <paramref name="op"/> has completed (a scheduling point).</summary>
    SchedulingPoint WhenCompleted(Operation op);

    /// <summary>A scheduling point with no effect; <paramref name="label"/> names the step in traces.</summary>
    SchedulingPoint Interleave(string? label = null);

    /// <summary>Nondeterministic choice decided (and recorded) by the strategy.</summary>
    bool RandomBoolean();

    /// <summary>Nondeterministic value in [0, <paramref name="maxValue"/>) decided by the strategy.</summary>
    int RandomInteger(int maxValue);

    /// <summary>Fails the execution with an assertion bug when <paramref name="condition"/> is false.</summary>
    void Assert(bool condition, string message);

    /// <summary>Fails the execution with a bug of the invariant <paramref name="invariant"/> (e.g. "INV-A1",
    /// the bug's identity for hunt, minimization and expectations) when <paramref name="condition"/> is false.</summary>
    void Assert(bool condition, string invariant, string message);

    /// <summary>Records a bug of <paramref name="kind"/> at this step and returns the exception that unwinds the model
    /// (<c>throw runtime.Violation(...)</c>); for primitives reporting misuse such as a deadlock-by-construction.</summary>
    Exception Violation(BugKind kind, string message);

    /// <summary>Adds a line to the trace (only kept while tracing).</summary>
    void Log(string text);

    /// <summary>Adds an interpolated line to the trace; it is only formatted while tracing.</summary>
    void Log(ref TraceText text);

    /// <summary>The memory model of this execution.</summary>
    MemoryModel MemoryModel { get; }

    /// <summary>A full memory barrier: a scheduling point that drains the operation's store buffer under TSO.</summary>
    SchedulingPoint Fence(string label = "smp_mb()");
}

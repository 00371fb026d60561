using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// What stops an execution early: its first bug (a typed report, with its trace line), a replay that could not be
/// followed, or controlled code running on a foreign thread. Its own room so that the loop asks one question per step.
/// </summary>
internal sealed class BugRecorder(ControlledRuntime runtime)
{
    private volatile string? foreignAccess;

    public BugReport? Bug { get; private set; }

    public ScheduleDivergenceException? Divergence { get; private set; }

    public void Reset() => (Bug, Divergence, foreignAccess) = (null, null, null);

    /// <summary>True when model code already recorded a bug or a divergence in this step.</summary>
    public bool Any
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Bug is not null || Divergence is not null;
    }

    /// <summary>The first bug wins. <paramref name="op"/> is the operation at fault; null for bugs of the whole execution.</summary>
    public ExecutionOutcome Fail(BugKind kind, string message, Operation? op, string? invariant = null)
    {
        if (Bug is null)
        {
            Bug = new BugReport(kind, message, runtime.Step, op?.Name, invariant);
            runtime.Tracer?.Add(op, TraceEventKind.Bug, $"*** BUG: {kind}: {message}");
        }
        return ExecutionOutcome.Bug;
    }

    /// <summary>Records a bug found by model code (of <paramref name="invariant"/>, if any) and returns the exception that unwinds it.</summary>
    public Exception Violation(BugKind kind, string? invariant, string message, Operation? op)
    {
        Fail(kind, message, op, BugReport.CheckInvariant(invariant));
        return kind == BugKind.AssertionFailure ? new AssertionFailureException(message) : new ExecutionCanceledException(message);
    }

    /// <summary>A replayed schedule could not be followed (the first reason wins when a choice saw it).</summary>
    public void Diverged(ScheduleDivergenceException e) => Divergence ??= e;

    /// <summary>Controlled code ran on a thread the engine does not control; the step's end reports it.</summary>
    public void ForeignThread() => foreignAccess ??= Failures.ForeignThread;

    /// <summary>After a step: false, with how the execution ends, when something above stopped it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Continue(out ExecutionOutcome end)
    {
        if (Divergence is not null) end = ExecutionOutcome.Diverged;
        else if (Bug is not null) end = ExecutionOutcome.Bug;
        else if (foreignAccess is { } foreign) end = Fail(BugKind.UncontrolledConcurrency, foreign, null);
        else
        {
            end = default;
            return true;
        }
        return false;
    }
}

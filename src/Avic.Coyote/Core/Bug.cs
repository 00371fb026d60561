namespace Avic.Coyote;

/// <summary>The kinds of bug the engine reports.</summary>
public enum BugKind
{
    /// <summary>An assertion (<c>Specification.Assert</c>) or a monitor's assertion failed.</summary>
    AssertionFailure,
    /// <summary>A handler threw an exception it did not catch.</summary>
    UnhandledException,
    /// <summary>Some operation is blocked and none can run.</summary>
    Deadlock,
    /// <summary>A monitor stayed hot at the end of the execution, or longer than the threshold.</summary>
    Liveness,
    /// <summary>The execution reached the step bound (a bug only with fail-on-max-steps).</summary>
    MaxStepsReached,
    /// <summary>Model code awaited or touched something the engine does not control.</summary>
    UncontrolledConcurrency,
    /// <summary>An actor received an event it has no handler for.</summary>
    UnhandledEvent,
}

/// <summary>
/// A bug found in one execution: what (kind, and the invariant id declared where it was asserted,
/// null when the check names none), where (step and operation), and why (free text for people).
/// Identity and expectations use the typed fields, never the message.
/// </summary>
public sealed record BugReport(BugKind Kind, string Message, int Step, string? Operation, string? Invariant = null)
{
    /// <summary>One line for consoles and logs.</summary>
    public override string ToString() =>
        $"{Kind}{(Invariant is null ? "" : $" [{Invariant}]")} at step {Step}{(Operation is null ? "" : $" in '{Operation}'")}: {Message}";

    /// <summary>An invariant id is one non-empty word ("INV-A1", "DEBUG_MUTEXES"): a key, not a message.</summary>
    public static bool IsInvariantId(string invariant) => invariant.Length > 0 && !invariant.Any(char.IsWhiteSpace);

    /// <summary>Checks an invariant id given at an assertion site: non-blank, no spaces (it is a key, not a message).</summary>
    public static string? CheckInvariant(string? invariant) =>
        invariant is null || IsInvariantId(invariant) ? invariant
            : throw new ArgumentException($"an invariant id must be a non-empty word such as \"INV-A1\", not \"{invariant}\"", nameof(invariant));
}

/// <summary>Thrown by the engine to unwind model code once a bug has been recorded.
/// Model code should not catch it; if it does, the bug is still reported.</summary>
public sealed class ExecutionCanceledException : Exception
{
    internal ExecutionCanceledException(string message) : base(message) { }
}

/// <summary>Thrown by assertions; recorded as a bug when raised inside a controlled execution.</summary>
public sealed class AssertionFailureException : Exception
{
    public AssertionFailureException(string message) : base(message) { }
}

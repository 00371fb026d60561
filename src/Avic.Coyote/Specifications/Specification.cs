using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Specifications;

/// <summary>Coyote's static entry points for assertions and monitors, usable anywhere in model code.</summary>
public static class Specification
{
    /// <summary>Fails the execution (an assertion bug at this step) when <paramref name="condition"/> is false.</summary>
    public static void Assert(bool condition, string message) => Assert(condition, null, message);

    /// <summary>Fails the execution with a bug of the invariant <paramref name="invariant"/> (e.g. "INV-A1":
    /// the bug's identity for hunt, minimization and expectations) when <paramref name="condition"/> is false.</summary>
    public static void Assert(bool condition, string? invariant, string message)
    {
        if (condition) return;
        if (ControlledRuntime.Current is { } rt) throw rt.Violation(BugKind.AssertionFailure, invariant, message);
        throw new AssertionFailureException(message);
    }

    /// <summary>Delivers <paramref name="e"/> to the registered monitor <typeparamref name="T"/>.</summary>
    public static void Monitor<T>(Event e) where T : Monitor =>
        (ControlledRuntime.Current ?? throw new InvalidOperationException("Specification.Monitor is for code running under the engine")).Monitor<T>(e);
}

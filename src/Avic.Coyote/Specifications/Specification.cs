using System.Runtime.CompilerServices;
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

    /// <summary>As <see cref="Assert(bool, string)"/>; an interpolated message is formatted only when the assertion fails.</summary>
    public static void Assert(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref AssertMessage message) =>
        Assert(condition, null, message.ToStringAndClear());

    /// <summary>As <see cref="Assert(bool, string?, string)"/>; an interpolated message is formatted only when the assertion fails
    /// (a check that holds at the end of every execution otherwise formats and drops a string each time).</summary>
    public static void Assert(bool condition, string? invariant, [InterpolatedStringHandlerArgument(nameof(condition))] ref AssertMessage message) =>
        Assert(condition, invariant, message.ToStringAndClear());

    /// <summary>Delivers <paramref name="e"/> to the registered monitor <typeparamref name="T"/>.</summary>
    public static void Monitor<T>(Event e) where T : Monitor =>
        (ControlledRuntime.Current ?? throw new InvalidOperationException("Specification.Monitor is for code running under the engine")).Monitor<T>(e);
}

/// <summary>An assertion's interpolated message: its holes are evaluated and formatted only when the condition is false.</summary>
[InterpolatedStringHandler]
public ref struct AssertMessage
{
    private DefaultInterpolatedStringHandler text;
    private readonly bool failed;

    public AssertMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        failed = shouldAppend = !condition;
        text = failed ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => text.AppendFormatted(value, format);

    public void AppendFormatted(string? value) => text.AppendFormatted(value);

    /// <summary>The formatted message (empty when the assertion held).</summary>
    public string ToStringAndClear() => failed ? text.ToStringAndClear() : "";
}

using System.Runtime.CompilerServices;

namespace Avic.Coyote.Runtime;

/// <summary>
/// The message of an assertion, formatted only when the assertion fails: <c>Assert(x == 1, $"x is {x}")</c> evaluates
/// the holes and builds the string only if <c>x != 1</c>, so an assertion that holds (every step of a passing
/// execution) allocates nothing. Take it as <c>[InterpolatedStringHandlerArgument("condition")] ref AssertMessage</c>
/// next to a <c>string</c> overload (which plain strings keep using).
/// A hole must therefore have no effect the model relies on (e.g. a <c>SharedVar.Peek</c> that is not also in the condition).
/// </summary>
[InterpolatedStringHandler]
public ref struct AssertMessage
{
    private DefaultInterpolatedStringHandler text;

    public AssertMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        text = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => text.AppendFormatted(value, format);

    public void AppendFormatted(string? value) => text.AppendFormatted(value);

    /// <summary>The formatted message (call it only when the condition was false).</summary>
    public string ToStringAndClear() => text.ToStringAndClear();
}

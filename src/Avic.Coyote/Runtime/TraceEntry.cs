namespace Avic.Coyote.Runtime;

/// <summary>One line of a trace: at <paramref name="Step"/>, <paramref name="Operation"/> did <paramref name="Text"/>.
/// A step can have several lines (e.g. a read and the model's own log line).</summary>
public readonly record struct TraceEntry(int Step, string Operation, string Text)
{
    /// <summary>The .trace.txt line: step, operation, what it did.</summary>
    public override string ToString() => $"{Step,5} {Operation,-12} {Text}";
}

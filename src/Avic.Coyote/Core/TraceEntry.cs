namespace Avic.Coyote;

/// <summary>What a trace line records.</summary>
public enum TraceEventKind : byte
{
    /// <summary>A line of the model's own words (a log call outside a scheduling point's action), or a note.</summary>
    Log,
    /// <summary>What a step did to a shared resource (<see cref="TraceEntry.Access"/>, <see cref="TraceEntry.Resource"/>):
    /// a read, a write, a lock, a receive, a barrier, a buffered store made visible...</summary>
    Access,
    /// <summary>An event sent to an actor's inbox (the resource).</summary>
    Send,
    /// <summary>A nondeterministic boolean or integer.</summary>
    Choice,
    /// <summary>A monitor entered a state (<see cref="TraceEntry.State"/>, <see cref="TraceEntry.IsHot"/>); the resource is the monitor.</summary>
    Monitor,
    /// <summary>A step that recorded nothing else: the operation started, continued or returned.</summary>
    Step,
    /// <summary>The bug that ended the execution.</summary>
    Bug,
}

/// <summary>One line of a trace: at <paramref name="Step"/>, <paramref name="Operation"/> did <paramref name="Text"/>.
/// A step can have several lines (e.g. a read and the model's own log line). The text is for people; what the line
/// is (<see cref="Kind"/>, <see cref="Access"/>, <see cref="Resource"/> and its kind) is typed, and reports use only that.</summary>
public readonly record struct TraceEntry(int Step, string Operation, string Text)
{
    public TraceEventKind Kind { get; init; }

    /// <summary>Id of the operation; -1 for the engine itself (e.g. a liveness bug of the whole execution).</summary>
    public int OperationId { get; init; } = -1;

    /// <summary>How the step touched <see cref="Resource"/>.</summary>
    public AccessKind Access { get; init; }

    /// <summary>Name of the shared resource the line is about, or null.</summary>
    public string? Resource { get; init; }

    /// <summary>What kind of thing <see cref="Resource"/> is, as the primitive that owns it says.</summary>
    public ResourceKind ResourceKind { get; init; }

    /// <summary>The finer kind the model gave the resource (e.g. "table"), or null.</summary>
    public string? ResourceGroup { get; init; }

    /// <summary>For <see cref="TraceEventKind.Monitor"/>: the state entered.</summary>
    public string? State { get; init; }

    /// <summary>For <see cref="TraceEventKind.Monitor"/>: the state is hot (a liveness obligation is pending).</summary>
    public bool IsHot { get; init; }

    /// <summary>The .trace.txt line: step, operation, what it did.</summary>
    public override string ToString() => $"{Step,5} {Operation,-12} {Text}";
}

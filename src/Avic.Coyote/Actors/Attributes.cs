namespace Avic.Coyote.Actors;

/// <summary>On an actor class or a state: handle events of <paramref name="eventType"/> with the named method.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class OnEventDoActionAttribute(Type eventType, string action) : Attribute
{
    public Type EventType { get; } = eventType;
    public string Action { get; } = action;
}

/// <summary>On a state: on <paramref name="eventType"/> go to <paramref name="stateType"/> (running <c>action</c> first, if named).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class OnEventGotoStateAttribute(Type eventType, Type stateType, string? action = null) : Attribute
{
    public Type EventType { get; } = eventType;
    public Type StateType { get; } = stateType;
    public string? Action { get; } = action;
}

/// <summary>On a state: the method run when the state is entered.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OnEntryAttribute(string action) : Attribute
{
    public string Action { get; } = action;
}

/// <summary>On a state: the method run when the state is left.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OnExitAttribute(string action) : Attribute
{
    public string Action { get; } = action;
}

/// <summary>On a state: the state the machine (or monitor) starts in.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StartAttribute : Attribute;

/// <summary>On a state: these events stay in the inbox until a state that handles them.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class DeferEventsAttribute(params Type[] eventTypes) : Attribute
{
    public Type[] EventTypes { get; } = eventTypes;
}

/// <summary>On a state: these events are dropped.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class IgnoreEventsAttribute(params Type[] eventTypes) : Attribute
{
    public Type[] EventTypes { get; } = eventTypes;
}

/// <summary>On a monitor state: something is pending (a liveness obligation). <paramref name="obligation"/>
/// says what, in the words liveness bug reports use (e.g. "INV-L1: a request is pending and nobody will serve it").</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class HotAttribute(string? obligation = null) : Attribute
{
    public string? Obligation { get; } = obligation;

    /// <summary>The invariant a liveness bug of this state breaks (e.g. "INV-B4"): the bug's identity.</summary>
    public string? Invariant { get; set; }
}

/// <summary>On a monitor state: nothing is pending.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ColdAttribute : Attribute;

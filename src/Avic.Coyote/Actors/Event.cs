namespace Avic.Coyote.Actors;

/// <summary>A message between actors, or to a monitor. Derive records or classes from it.</summary>
public abstract record Event;

/// <summary>Sent to an actor (or raised) to make it halt.</summary>
public sealed record HaltEvent : Event;

/// <summary>The identity of an actor: what <see cref="Runtime.IActorRuntime.SendEvent"/> takes.</summary>
public sealed class ActorId
{
    internal ActorId(int value, string name, Actor actor)
    {
        Value = value;
        Name = name;
        Actor = actor;
    }

    public int Value { get; }

    public string Name { get; }

    internal Actor Actor { get; }

    public override string ToString() => Name;
}

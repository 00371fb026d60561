using Avic.Coyote.Runtime;

namespace Avic.Coyote.Actors;

/// <summary>The actor part of <see cref="IActorRuntime"/>: actors plug into the runtime from above it.</summary>
public static class ActorRuntimeExtensions
{
    public static ActorId CreateActor<T>(this IActorRuntime runtime, Event? initialEvent = null, string? name = null) where T : Actor =>
        Create(ControlledRuntime.Of(runtime), ActorType.For<T>(), initialEvent, name);

    /// <summary>Creates an actor of <paramref name="type"/> on an operation of its own; it first runs when the scheduler picks it.</summary>
    public static ActorId CreateActor(this IActorRuntime runtime, Type type, Event? initialEvent = null, string? name = null)
    {
        ControlledRuntime rt = ControlledRuntime.Of(runtime);
        if (!typeof(Actor).IsAssignableFrom(type))
            throw new ArgumentException($"{type.Name} is not an Actor", nameof(type));
        return Create(rt, ActorType.For(type), initialEvent, name);
    }

    // Both CreateActor overloads end here: the thread check is done once, for both.
    private static ActorId Create(ControlledRuntime rt, ActorType type, Event? initialEvent, string? name)
    {
        rt.CheckThread();
        Actor actor = type.New();
        int id = rt.Operations.Count;
        var actorId = new ActorId(id, name ?? $"{type.Type.Name}({id})", actor);
        Operation op = rt.Spawn(actorId.Name, () => actor.RunAsync(initialEvent));
        actor.Attach(rt, actorId, op, type);
        rt.ActorHost()?.OnActorCreated(actor, op, initialEvent);
        return actorId;
    }

    /// <summary>Puts <paramref name="e"/> in <paramref name="target"/>'s inbox (not a scheduling point).</summary>
    public static void SendEvent(this IActorRuntime runtime, ActorId target, Event e)
    {
        ControlledRuntime rt = ControlledRuntime.Of(runtime);
        rt.CheckThread();
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(e);
        if (rt.IsTracing) rt.LogEvent(TraceEventKind.Send, $"send {e.GetType().Name} to {target.Name}", target.Actor, AccessKind.Send);
        rt.RecordAccess(target.Actor, true);
        target.Actor.Enqueue(e);
        target.Actor.Host?.OnEventSent(target.Actor, e);
    }
}

/// <summary>Where an actor's <c>Monitor&lt;T&gt;(e)</c> goes: the execution's monitors, which plug in above actors
/// (Specifications) and register themselves as this feature of the runtime.</summary>
internal interface IMonitorSink
{
    void Deliver(Type monitor, Event e);

    static InvalidOperationException NotRegistered(Type monitor) =>
        new($"monitor {monitor.Name} is not registered (call RegisterMonitor<{monitor.Name}>() first)");
}

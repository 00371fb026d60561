using Avic.Coyote.Runtime;

namespace Avic.Coyote.Actors;

/// <summary>
/// Lets an <see cref="IExecutionDriver"/> host our actors on another actor runtime (the Microsoft.Coyote adapter
/// gives each actor a real Coyote actor, so Coyote's logs and reports name them). A driver that implements it is
/// told what the actors do; our runtime keeps the semantics (inboxes, states, bugs). Our engine has no host: each
/// call site is one null check.
/// All calls come from inside a step of the operation that acts (on the thread the driver steps it on).
/// </summary>
public interface IActorHost
{
    /// <summary><paramref name="actor"/> was created (attached to <paramref name="op"/>, not run yet).</summary>
    void OnActorCreated(Actor actor, Operation op, Event? initialEvent);

    /// <summary><paramref name="e"/> was put in <paramref name="target"/>'s inbox (dropped there if it has halted).</summary>
    void OnEventSent(Actor target, Event e);

    /// <summary><paramref name="actor"/> took <paramref name="e"/> from its inbox.</summary>
    void OnEventDequeued(Actor actor, Event e);

    /// <summary>The running actor waits inside a handler for an event of one of <paramref name="eventTypes"/>.</summary>
    void OnReceiveWait(Actor actor, Type[] eventTypes);

    /// <summary><paramref name="machine"/> leaves state <paramref name="from"/> for state <paramref name="to"/>.</summary>
    void OnGotoState(StateMachine machine, Type from, Type to);
}

internal static class ActorHosting
{
    /// <summary>The actor host of <paramref name="runtime"/>'s driver, if it hosts actors; null on our engine.</summary>
    internal static IActorHost? ActorHost(this ControlledRuntime runtime) => runtime.Driver as IActorHost;
}

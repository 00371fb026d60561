using Avic.Coyote.Runtime;
using CoyoteActor = Microsoft.Coyote.Actors.Actor;
using CoyoteEvent = Microsoft.Coyote.Actors.Event;
using CoyoteStateMachine = Microsoft.Coyote.Actors.StateMachine;
using OurActor = Avic.Coyote.Actors.Actor;
using OurEvent = Avic.Coyote.Actors.Event;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// A Microsoft.Coyote event that carries one of our events. <see cref="CoyoteHostTypes"/> derives one type per
/// event type of ours, with our event type's full name ('+' of a nested type written '.'), so Coyote's logs, coverage
/// and graphs name our events.
/// </summary>
public abstract class MirroredEvent : CoyoteEvent
{
    /// <summary>Our event, as our runtime put it in the target's inbox.</summary>
    public OurEvent Payload { get; internal set; } = null!;
}

/// <summary>The initial event of a host: which of our actors it hosts. Coyote never queues it.</summary>
internal sealed class HostStart(Hosted hosted) : CoyoteEvent
{
    public Hosted Hosted { get; } = hosted;
}

/// <summary>What the driver needs of a host, whether a Coyote actor or a Coyote state machine.</summary>
internal interface IHost
{
    Task<CoyoteEvent> Receive(Type[] coyoteEventTypes);

    /// <summary>Coyote's halt (our actor has halted).</summary>
    void Halt();

    /// <summary>Coyote's goto to the state named like ours (state machines only).</summary>
    void Goto(Type coyoteState);
}

/// <summary>
/// One of our actors hosted by a real Coyote actor in one execution: the operation our runtime steps, the host,
/// what the host has been given to deliver, and our state transitions still to show in Coyote's machine.
/// </summary>
internal sealed class Hosted(CoyoteDriver driver, OurActor actor, Operation op, HostType type)
{
    public CoyoteDriver Driver { get; } = driver;
    public OurActor Actor { get; } = actor;
    public Operation Op { get; } = op;
    public HostType Type { get; } = type;
    public IHost Host { get; set; } = null!;
    public global::Microsoft.Coyote.Actors.ActorId CoyoteId { get; set; } = null!;

    /// <summary>The event Coyote delivered and our actor must take next (null: none delivered).</summary>
    public OurEvent? Delivered;

    /// <summary>Set while our actor waits inside a handler for these event types (its next receive is typed).</summary>
    public Type[]? ReceiveTypes;

    /// <summary>Set once the host halts (Coyote halting it, or it asked Coyote to): no more gotos or halts.</summary>
    public bool Halting;

    /// <summary>Our halt events sent to this actor, oldest first: Coyote's HaltEvent carries no payload.</summary>
    public readonly Queue<OurEvent> Halts = new();

    /// <summary>Our state transitions not yet shown in Coyote's machine, in order.</summary>
    public readonly Queue<Type> Gotos = new();
}

/// <summary>
/// Base of the generated Coyote actors that host our plain actors. Each handler of ours has an action of the same
/// name (generated); an event ours has no handler for still reaches our runtime, which reports it.
/// </summary>
public abstract class HostedActor : CoyoteActor, IHost
{
    private Hosted hosted = null!;

    protected override Task OnInitializeAsync(CoyoteEvent initialEvent)
    {
        hosted = ((HostStart)initialEvent).Hosted;
        hosted.Host = this;
        return hosted.Driver.InitializeAsync(hosted);
    }

    /// <summary>The action of every handler: our actor takes the event and runs its handler.</summary>
    protected async Task Deliver(CoyoteEvent e) => await hosted.Driver.DeliverAsync(hosted, e);

    protected override Task OnEventUnhandledAsync(CoyoteEvent e, string state) => hosted.Driver.DeliverAsync(hosted, e);

    protected override Task OnHaltAsync(CoyoteEvent e) => hosted.Driver.HaltAsync(hosted);

    Task<CoyoteEvent> IHost.Receive(Type[] coyoteEventTypes) => ReceiveEventAsync(coyoteEventTypes);

    void IHost.Halt() => RaiseHaltEvent();

    void IHost.Goto(Type coyoteState) => throw new InvalidOperationException("a Coyote actor has no states");
}

/// <summary>
/// Base of the generated Coyote state machines that host our state machines. The generated states have our states'
/// names, start state, deferred and ignored events, and one action per handler of ours. Our runtime runs the
/// handlers and decides the transitions; the host repeats each transition of ours in Coyote's machine after the
/// handler, through Coyote's goto, so Coyote's logs and coverage show our states and transitions.
/// </summary>
public abstract class HostedStateMachine : CoyoteStateMachine, IHost
{
    private Hosted hosted = null!;

    protected override Task OnInitializeAsync(CoyoteEvent initialEvent)
    {
        hosted = ((HostStart)initialEvent).Hosted;
        hosted.Host = this;
        return hosted.Driver.InitializeAsync(hosted);
    }

    /// <summary>The action of every handler: our machine takes the event, runs its handler, and its transitions follow.</summary>
    protected async Task Deliver(CoyoteEvent e)
    {
        await hosted.Driver.DeliverAsync(hosted, e);
        hosted.Driver.FollowGotos(hosted);
    }

    /// <summary>The entry action of every generated state: the next transition our machine made, if any.</summary>
    protected void FollowGoto() => hosted.Driver.FollowGotos(hosted);

    protected override Task OnEventUnhandledAsync(CoyoteEvent e, string state) => hosted.Driver.DeliverAsync(hosted, e);

    protected override Task OnHaltAsync(CoyoteEvent e) => hosted.Driver.HaltAsync(hosted);

    Task<CoyoteEvent> IHost.Receive(Type[] coyoteEventTypes) => ReceiveEventAsync(coyoteEventTypes);

    void IHost.Halt() => RaiseHaltEvent();

    void IHost.Goto(Type coyoteState) => RaiseGotoStateEvent(coyoteState);
}

using Avic.Coyote.Runtime;

namespace Avic.Coyote.Actors;

/// <summary>
/// An actor (Coyote's meaning): an inbox and handlers that run one event at a time on the actor's
/// own operation. Handlers are declared with [OnEventDoAction] on the class; they may be async but
/// must await only engine awaitables. Waiting for the next event is idle (quiescent), not blocked.
/// </summary>
public abstract class Actor : IControlledResource
{
    private readonly List<Event> inbox = new();
    private ControlledRuntime runtime = null!;
    private Operation operation = null!;
    private InboxBlocker nextEvent = null!;
    private InboxBlocker? receiving;
    private bool halted;

    /// <summary>This actor's identity.</summary>
    public ActorId Id { get; private set; } = null!;

    /// <summary>The runtime this actor runs in.</summary>
    protected IActorRuntime Runtime => runtime;

    internal ControlledRuntime ControlledRuntime => runtime;

    /// <summary>The driver's actor host, if it hosts actors (null on our engine); fixed for the execution, so looked up once.</summary>
    internal IActorHost? Host { get; private set; }

    /// <summary>Identifies the actor's inbox to exhaustive search.</summary>
    public int ResourceId { get; private set; }

    ResourceKind IControlledResource.ResourceKind => ResourceKind.Inbox;

    string IControlledResource.ResourceName => Id.Name;

    /// <summary>This actor's type's entry: its handlers or states, found once per type.</summary>
    private protected ActorType ActorType { get; private set; } = null!;

    internal void Attach(ControlledRuntime rt, ActorId id, Operation op, ActorType type)
    {
        runtime = rt;
        ActorType = type;
        ResourceId = rt.NewResourceId();
        Id = id;
        operation = op;
        Host = rt.ActorHost();
        nextEvent = new InboxBlocker(this, null, idle: true);
    }

    /// <summary>Runs first, before any event is handled (a state machine enters its start state after it).</summary>
    protected virtual Task OnInitializeAsync(Event? initialEvent) => Task.CompletedTask;

    /// <summary>Runs when the actor halts.</summary>
    protected virtual void OnHalt() { }

    protected void SendEvent(ActorId target, Event e) => runtime.SendEvent(target, e);

    protected ActorId CreateActor<T>(Event? initialEvent = null, string? name = null) where T : Actor =>
        runtime.CreateActor<T>(initialEvent, name);

    protected bool RandomBoolean() => runtime.RandomBoolean();

    protected int RandomInteger(int maxValue) => runtime.RandomInteger(maxValue);

    protected void Assert(bool condition, string message) => runtime.Assert(condition, message);

    /// <summary>Asserts the invariant <paramref name="invariant"/> (e.g. "INV-A1").</summary>
    protected void Assert(bool condition, string invariant, string message) => runtime.Assert(condition, invariant, message);

    /// <summary>Delivers <paramref name="e"/> synchronously to the registered monitor of type <typeparamref name="T"/>
    /// (a <c>Specifications.Monitor</c>; monitors plug in above actors, so the type is checked when delivering).</summary>
    protected void Monitor<T>(Event e) where T : class =>
        (runtime.Extensions.Get<IMonitorSink>() ?? throw IMonitorSink.NotRegistered(typeof(T))).Deliver(typeof(T), e);

    /// <summary>Halts the actor once the current handler returns; later events are dropped.</summary>
    protected void RaiseHaltEvent() => halted = true;

    /// <summary>Waits (blocked, not idle) for the next event of one of <paramref name="eventTypes"/>; other events stay queued.</summary>
    /// <remarks>Callers that wait often pass the same array each time (a static field): its blocker is then reused.</remarks>
    protected SchedulingPoint<ReceiveAction, Event> ReceiveEventAsync(params Type[] eventTypes)
    {
        InboxBlocker blocker = receiving is { } last && last.Accepts(eventTypes) ? last : receiving = new InboxBlocker(this, eventTypes);
        Host?.OnReceiveWait(this, eventTypes);
        return runtime.Point<ReceiveAction, Event>(new ReceiveAction(blocker), this, AccessKind.Receive, blocker);
    }

    internal void Enqueue(Event e)
    {
        if (!halted) inbox.Add(e);
    }

    internal async Task RunAsync(Event? initialEvent)
    {
        operation.Location = ActorType.InitializeLocation;
        await OnInitializeAsync(initialEvent);
        bool done = InitializeStates(initialEvent);
        while (true)
        {
            // A handler call that waits is awaited here, in the actor's one frame for its whole life, not in a frame
            // per dispatch; the state machine then goes on with the rest of the event's handlers (Resume).
            while (!done)
            {
                if (waitingThen is { } then)
                {
                    ValueTask<int> r = waitingForR;
                    (waitingForR, waitingThen) = (default, null);
                    done = Resume(then, await r);
                }
                else
                {
                    ValueTask called = waitingFor;
                    waitingFor = default;
                    await called;
                    done = Resume();
                }
            }
            if (halted) break;
            // Waiting for the next event is idle (the blocker says so), not a deadlock.
            Event e = await runtime.Point<ReceiveAction, Event>(new ReceiveAction(nextEvent), this, AccessKind.Receive, nextEvent);
            if (e is HaltEvent)
            {
                halted = true;
                break;
            }
            done = Dispatch(e);
        }
        inbox.Clear();
        OnHalt();
    }

    /// <summary>The handler call the current dispatch waits for (see <see cref="RunAsync"/>); for a state machine's
    /// <c>Then</c>, the call returning r and what to call with r.</summary>
    private protected ValueTask waitingFor;
    private protected ValueTask<int> waitingForR;
    private protected Func<StateMachine, int, ValueTask>? waitingThen;

    /// <summary>Enters the start state, if any: true when done, false when a handler waits (in <see cref="waitingFor"/>).</summary>
    private protected virtual bool InitializeStates(Event? initialEvent) => true;

    /// <summary>Handles one dequeued event (a state machine overrides this with its states): true when done, false
    /// when a handler waits (in <see cref="waitingFor"/>, or <see cref="waitingForR"/> with <see cref="waitingThen"/>).</summary>
    private protected virtual bool Dispatch(Event e)
    {
        if (!ActorType.Handlers.TryGetValue(e.GetType(), out Handler? h))
            throw runtime.Violation(BugKind.UnhandledEvent, $"{Id.Name} received {e.GetType().Name}, which it has no handler for");
        ValueTask called = Invoke(h, e);
        if (!called.IsCompletedSuccessfully)
        {
            waitingFor = called;
            return false;
        }
        called.GetAwaiter().GetResult();
        return true;
    }

    /// <summary>The awaited <see cref="waitingFor"/> completed: goes on with the dispatch (true when it is done).</summary>
    private protected virtual bool Resume() => true;

    /// <summary>The awaited <see cref="waitingForR"/> returned <paramref name="r"/>: calls <paramref name="then"/> with it
    /// and goes on with the dispatch (true when it is done).</summary>
    private protected virtual bool Resume(Func<StateMachine, int, ValueTask> then, int r) =>
        throw new InvalidOperationException("only a state machine's handlers pass a call on (StateMachine.Then)");

    private protected ValueTask Invoke(Handler h, Event? e)
    {
        operation.Location = h.Name;
        return h.Run(this, e);
    }

    /// <summary>Whether the actor, in its current state, keeps <paramref name="e"/> queued for later.</summary>
    private protected virtual bool IsDeferred(Event e) => false;

    /// <summary>Whether the actor, in its current state, drops <paramref name="e"/>.</summary>
    private protected virtual bool IsIgnored(Event e) => false;

    private int FindNext(Type[]? accepted, bool dropIgnored)
    {
        for (int i = 0; i < inbox.Count; i++)
        {
            Event e = inbox[i];
            if (accepted is not null)
            {
                Type t = e.GetType();
                foreach (Type a in accepted)
                    if (ReferenceEquals(a, t)) return i;
                continue;
            }
            if (e is HaltEvent) return i;
            if (IsIgnored(e))
            {
                if (dropIgnored)
                {
                    inbox.RemoveAt(i--);
                }
                continue;
            }
            if (!IsDeferred(e)) return i;
        }
        return -1;
    }

    internal sealed class InboxBlocker(Actor actor, Type[]? accepted, bool idle = false) : Blocker
    {
        // Asked for every waiting actor at every step: an empty inbox (the common case) answers without the scan.
        public override bool CanProceed(Operation op) => actor.inbox.Count != 0 && actor.FindNext(accepted, dropIgnored: false) >= 0;

        public override bool IsIdle => idle;

        public override string Describe(Operation op) => accepted is null
            ? "its next event"
            : $"an event of type {string.Join(" or ", accepted.Select(t => t.Name))} (inbox: {actor.inbox.Count} other)";

        public Event Take()
        {
            int i = actor.FindNext(accepted, dropIgnored: true);
            Event e = actor.inbox[i];
            actor.inbox.RemoveAt(i);
            return e;
        }

        public Actor Actor => actor;

        public bool Accepts(Type[] eventTypes) => ReferenceEquals(accepted, eventTypes);
    }

    public readonly struct ReceiveAction(Blocker blocker) : IResumeAction<Event>
    {
        public Event Run(ControlledRuntime rt)
        {
            var b = (InboxBlocker)blocker;
            Event e = b.Take();
            b.Actor.Host?.OnEventDequeued(b.Actor, e);
            if (rt.IsTracing) rt.Log($"dequeue {e.GetType().Name}");
            return e;
        }
    }
}

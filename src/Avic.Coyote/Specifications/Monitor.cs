using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Specifications;

/// <summary>
/// A specification monitor (Coyote's meaning): a synchronous state machine that observes events
/// the model sends it with <c>Monitor&lt;T&gt;(e)</c>. Assertions in it are safety properties;
/// [Hot] states are liveness obligations: a monitor must not stay hot forever.
/// </summary>
public abstract class Monitor : IControlledResource
{
    /// <summary>Base class of a monitor's states.</summary>
    public abstract class State : StateDeclaration;

    private ControlledRuntime runtime = null!;
    private StateSchema schema = null!;
    private StateInfo state = null!;
    private Type? pendingGoto;

    /// <summary>Step at which the monitor last became hot; -1 when it is not hot.</summary>
    public int HotSinceStep { get; private set; } = -1;

    public bool IsHot => state.IsHot;

    public Type CurrentState => state.Type;

    /// <summary>The invariant a liveness bug of the current (hot) state breaks, from [Hot(Invariant = ...)].</summary>
    public string? HotInvariant => state.Invariant;

    public int ResourceId { get; private set; }

    /// <summary>This monitor's type (its <c>GetType()</c>, kept: notifications find their monitor by it).</summary>
    internal Type Type { get; private set; } = null!;

    ResourceKind IControlledResource.ResourceKind => ResourceKind.Monitor;

    string IControlledResource.ResourceName => GetType().Name;

    internal void Attach(ControlledRuntime rt)
    {
        runtime = rt;
        ResourceId = rt.NewResourceId();
        Type = GetType();
        schema = StateSchema.For(Type);
        state = schema.Start;
        Enter(null);
    }

    /// <summary>"monitor Name in state S", for bug messages.</summary>
    public string Describe() =>
        state.Obligation is { } obligation ? $"{obligation} (monitor {GetType().Name}, state {state.Name})" : $"monitor {GetType().Name} (state {state.Name})";

    protected void Assert(bool condition, string message) => Assert(condition, null, message);

    /// <summary>Asserts the invariant <paramref name="invariant"/> (e.g. "INV-A1").</summary>
    protected void Assert(bool condition, string? invariant, string message)
    {
        if (!condition) throw runtime.Violation(BugKind.AssertionFailure, invariant, $"{message} (monitor {GetType().Name})");
    }

    protected void RaiseGotoStateEvent<TState>() where TState : State => pendingGoto = typeof(TState);

    /// <summary>What handling <paramref name="e"/> does to this monitor, for the notifying step's footprint (see
    /// <see cref="MonitorAccess"/> for when a declaration other than the default <see cref="MonitorAccess.Whole"/> is sound).
    /// Called at every notification: keep it a type test, no allocation.</summary>
    protected virtual MonitorAccess AccessOf(Event e) => MonitorAccess.Whole;

    /// <summary>Handles <paramref name="e"/> now, in the running step, which touches the monitor as <see cref="AccessOf"/> says:
    /// a part or an observation reads the monitor's own key (so it conflicts with whole-monitor events only), and a part
    /// writes its (monitor, key) key as well.</summary>
    internal void Deliver(ControlledRuntime rt, Event e)
    {
        MonitorAccess access = AccessOf(e);
        rt.RecordAccess(this, access.IsWhole);
        if (access.Key >= 0) rt.RecordKey(Access.KeyOfPart(ResourceId, access.Key), true);
        if (!access.IsObservation)
        {
            Handle(e);
            return;
        }
        StateInfo before = state;
        Handle(e);
        if (!ReferenceEquals(state, before))
            throw new InvalidOperationException($"monitor {GetType().Name} declares {e.GetType().Name} an observation (AccessOf), " +
                                                $"but handling it moved the monitor from state {before.Name} to {state.Name}: declare it a part or whole");
    }

    private void Handle(Event e)
    {
        if (!state.TryGetTransition(e.GetType(), out Transition tr))
        {
            if (state.IsIgnored(e.GetType())) return;
            throw runtime.Violation(BugKind.UnhandledEvent, $"monitor {GetType().Name} received {e.GetType().Name} in state {state.Name}, which has no handler for it");
        }
        if (tr.Action is not null) Run(tr.Action, e);
        if (tr.GotoState is not null) pendingGoto = tr.GotoState;
        if (pendingGoto is not null) FollowGotos(e);
    }

    private void FollowGotos(Event? e)
    {
        while (pendingGoto is { } target)
        {
            pendingGoto = null;
            if (state.OnExit is not null) Run(state.OnExit, e);
            state = schema.StateOf(target);
            Enter(e);
        }
    }

    private void Enter(Event? e)
    {
        if (!state.IsHot) HotSinceStep = -1;
        else if (HotSinceStep < 0) HotSinceStep = runtime.Step;
        if (runtime.IsTracing)
            runtime.LogEvent(TraceEventKind.Monitor, $"monitor {GetType().Name} enters {(state.IsHot ? "hot " : state.IsCold ? "cold " : "")}state {state.Name}",
                this, state: state.Name, hot: state.IsHot);
        if (state.OnEntry is not null) Run(state.OnEntry, e);
        FollowGotos(e);
    }

    private void Run(Handler h, Event? e)
    {
        // Handlers are synchronous: most return nothing (a default ValueTask), which needs no Task to judge.
        ValueTask v = h.Run(this, e);
        if (v.IsCompletedSuccessfully) return;
        Task t = v.AsTask();
        if (!t.IsCompleted)
            throw runtime.Violation(BugKind.UncontrolledConcurrency, $"monitor handler {h.Name} must be synchronous (it awaited)");
        if (t.IsFaulted) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(t.Exception!.InnerException!).Throw();
    }
}

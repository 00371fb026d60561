using Avic.Coyote.Runtime;

namespace Avic.Coyote.Actors;

/// <summary>
/// An actor whose handlers depend on its current state (Coyote's StateMachine). States are nested
/// classes deriving from <see cref="State"/> with [Start], [OnEntry], [OnExit], [OnEventDoAction],
/// [OnEventGotoState], [DeferEvents] and [IgnoreEvents].
/// </summary>
public abstract class StateMachine : Actor
{
    /// <summary>Base class of a state machine's states.</summary>
    public abstract class State : StateDeclaration;

    private StateSchema schema = null!;
    private StateInfo state = null!;
    private Type? pendingGoto;
    private Event? raised;

    /// <summary>The current state's type.</summary>
    public Type CurrentState => state.Type;

    /// <summary>After the current handler, leave the current state for <typeparamref name="TState"/>.</summary>
    protected void RaiseGotoStateEvent<TState>() where TState : State => pendingGoto = typeof(TState);

    /// <summary>Handles <paramref name="e"/> right after the current handler, before any queued event.</summary>
    protected void RaiseEvent(Event e) => raised = e;

    private protected override async Task InitializeStatesAsync(Event? initialEvent)
    {
        schema = StateSchema.For(GetType());
        state = schema.Start;
        await EnterAsync(initialEvent);
    }

    private protected override async Task DispatchAsync(Event e)
    {
        for (Event? next = e; next is not null; next = TakeRaised())
        {
            if (next is HaltEvent)
            {
                RaiseHaltEvent();
                return;
            }
            if (!state.Transitions.TryGetValue(next.GetType(), out Transition tr))
            {
                if (state.Ignored.Contains(next.GetType())) continue;
                throw ControlledRuntime.Violation(BugKind.UnhandledEvent,
                    $"{Id.Name} received {next.GetType().Name} in state {state.Name}, which has no handler for it");
            }
            if (tr.Action is not null) await Invoke(tr.Action, next);
            if (tr.GotoState is not null) pendingGoto = tr.GotoState;
            await FollowGotosAsync(next);
        }
    }

    private async Task FollowGotosAsync(Event? e)
    {
        while (pendingGoto is { } target)
        {
            pendingGoto = null;
            if (state.OnExit is not null) await Invoke(state.OnExit, e);
            if (ControlledRuntime.IsTracing) ControlledRuntime.Log($"{Id.Name} goes from {state.Name} to {target.Name}");
            ControlledRuntime.ActorHost()?.OnGotoState(this, state.Type, target);
            state = schema.States[target];
            await EnterAsync(e);
        }
    }

    private async Task EnterAsync(Event? e)
    {
        if (state.OnEntry is not null) await Invoke(state.OnEntry, e);
        await FollowGotosAsync(e);
    }

    private Event? TakeRaised()
    {
        Event? e = raised;
        raised = null;
        return e;
    }

    private protected override bool IsDeferred(Event e) => state.Deferred.Contains(e.GetType());

    private protected override bool IsIgnored(Event e) => state.Ignored.Contains(e.GetType());
}

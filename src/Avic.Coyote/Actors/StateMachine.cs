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

    /// <summary>
    /// Ends a handler with <c>r = await <paramref name="called"/>; return <paramref name="then"/>(this, r)</c> without an
    /// async frame of its own: the actor awaits <paramref name="called"/> in its own loop frame and then calls
    /// <paramref name="then"/> (a static lambda, so nothing is allocated). The handler (or continuation) must return
    /// what this returns, as its last act. The calls, their order and their scheduling points are those of the await
    /// it replaces; a handler that wraps a call returning r (a loop around a call that says whether to go on) saves a
    /// suspended frame per call.
    /// </summary>
    protected ValueTask Then(ValueTask<int> called, Func<StateMachine, int, ValueTask> then)
    {
        (passedOn, passedTo) = (called, then);
        return default;
    }

    private protected override bool InitializeStates(Event? initialEvent)
    {
        schema = ActorType.Schema;
        state = schema.Start;
        (handling, step, initializing) = (initialEvent, Step.Enter, true);
        return Advance();
    }

    private protected override bool Dispatch(Event e)
    {
        (handling, step, initializing) = (e, Step.Handle, false);
        return Advance();
    }

    private protected override bool Resume() => Advance();

    private protected override bool Resume(Func<StateMachine, int, ValueTask> then, int r) => Settle(then(this, r)) && Advance();

    // Handling an event (or entering the start state) is a sequence of handler calls: the event's action, then for
    // each goto the old state's exit and the new state's entry, then the same for each raised event. It runs as a
    // loop over `step` that calls handlers directly and only awaits a handler whose Task is not complete yet (one
    // that reached a scheduling point): a handler that completes synchronously costs no async frame, and a handler
    // that waits is awaited in the actor's own loop frame (Actor.RunAsync), however many gotos the dispatch follows.
    // The order of the calls is that of Coyote's state machines (exit, goto, entry), the same on both paths.
    private enum Step { Handle, Goto, Enter }

    private Event? handling;
    private Step step;
    private bool initializing;
    private Type? gotoTarget;
    // Set by Then() during a handler call; moved to the actor's waitingForR/waitingThen while the call waits.
    private ValueTask<int> passedOn;
    private Func<StateMachine, int, ValueTask>? passedTo;

    /// <summary>Calls handlers until one returns a task that is not complete (false: the actor awaits it, see
    /// <see cref="Settle"/>, before calling this again) or the event, its gotos and the events raised meanwhile are done (true).</summary>
    private bool Advance()
    {
        while (true)
        {
            ValueTask called = default;
            switch (step)
            {
                case Step.Handle:
                    if (handling is not { } e) return true;
                    if (e is HaltEvent)
                    {
                        RaiseHaltEvent();
                        return true;
                    }
                    if (!state.TryGetTransition(e.GetType(), out Transition tr))
                    {
                        if (!state.IsIgnored(e.GetType()))
                            throw ControlledRuntime.Violation(BugKind.UnhandledEvent,
                                $"{Id.Name} received {e.GetType().Name} in state {state.Name}, which has no handler for it");
                        handling = TakeRaised();
                        continue;
                    }
                    step = Step.Goto;
                    gotoTarget = tr.GotoState;
                    if (tr.Action is not null) called = Invoke(tr.Action, e);
                    break;
                case Step.Goto:
                {
                    // After an action: its transition's goto, else one the action raised; after an entry: one it raised.
                    Type? target = gotoTarget ?? pendingGoto;
                    (gotoTarget, pendingGoto) = (target, null);
                    if (target is null)
                    {
                        // The start state's entry: a raised event waits for the first dequeued one (as before).
                        if (initializing) return true;
                        handling = TakeRaised();
                        step = Step.Handle;
                        continue;
                    }
                    step = Step.Enter;
                    if (state.OnExit is not null) called = Invoke(state.OnExit, handling);
                    break;
                }
                case Step.Enter:
                    if (gotoTarget is { } to)
                    {
                        gotoTarget = null;
                        if (ControlledRuntime.IsTracing) ControlledRuntime.Log($"{Id.Name} goes from {state.Name} to {to.Name}");
                        Host?.OnGotoState(this, state.Type, to);
                        state = schema.StateOf(to);
                    }
                    step = Step.Goto;
                    if (state.OnEntry is not null) called = Invoke(state.OnEntry, handling);
                    break;
            }
            if (!Settle(called)) return false;
        }
    }

    /// <summary>What a handler (or a <see cref="Then"/> continuation) returned: true when it is complete, false when
    /// it waits (in <see cref="waitingFor"/>, or in <see cref="waitingForR"/> with its continuation).</summary>
    private bool Settle(ValueTask called)
    {
        while (passedTo is { } then)
        {
            // The call ended in Then(): its own task is the default one; what it passed on is the call to wait for.
            ValueTask<int> r = passedOn;
            (passedOn, passedTo) = (default, null);
            if (!r.IsCompletedSuccessfully)
            {
                (waitingForR, waitingThen) = (r, then);
                return false;
            }
            called = then(this, r.Result);   // Result consumes a pooled task once, as GetResult() below
        }
        if (!called.IsCompletedSuccessfully)
        {
            waitingFor = called;
            return false;
        }
        // A completed ValueTask from a pooled handler must still be consumed once (it returns the handler's frame).
        called.GetAwaiter().GetResult();
        return true;
    }

    private Event? TakeRaised()
    {
        Event? e = raised;
        raised = null;
        return e;
    }

    private protected override bool IsDeferred(Event e) => state.IsDeferred(e.GetType());

    private protected override bool IsIgnored(Event e) => state.IsIgnored(e.GetType());
}

using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Tests.Toys;

/// <summary>
/// A state machine that writes what it does to a log, to observe OnEntry/OnExit, goto, defer,
/// ignore and raised gotos. Sent E2, E3, E1, E3 in that order it must log:
/// enter A, exit A (E1), enter B, E2 in B, exit B, enter C, E3 in C.
/// </summary>
public sealed class LifecycleMachine : StateMachine
{
    public sealed record Init(List<string> Log) : Event;
    public sealed record E1 : Event;
    public sealed record E2 : Event;
    public sealed record E3 : Event;

    private List<string> log = null!;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        log = ((Init)initialEvent!).Log;
        return Task.CompletedTask;
    }

    /// <summary>Waits for E1; keeps E2 for later and drops E3.</summary>
    [Start]
    [OnEntry(nameof(EnterA))]
    [OnExit(nameof(ExitA))]
    [OnEventGotoState(typeof(E1), typeof(B))]
    [DeferEvents(typeof(E2))]
    [IgnoreEvents(typeof(E3))]
    private sealed class A : State;

    /// <summary>Handles the deferred E2, then moves itself on to C.</summary>
    [OnEntry(nameof(EnterB))]
    [OnExit(nameof(ExitB))]
    [OnEventDoAction(typeof(E2), nameof(HandleE2))]
    private sealed class B : State;

    [OnEntry(nameof(EnterC))]
    [OnEventDoAction(typeof(E3), nameof(HandleE3))]
    private sealed class C : State;

    private void EnterA() => log.Add("enter A");
    private void ExitA(Event e) => log.Add($"exit A ({e.GetType().Name})");
    private void EnterB() => log.Add("enter B");
    private void ExitB() => log.Add("exit B");
    private void EnterC() => log.Add("enter C");
    private void HandleE3() => log.Add("E3 in C");

    private async Task HandleE2()
    {
        log.Add("E2 in B");
        await Runtime.Interleave("after E2"); // a handler may await engine awaitables
        RaiseGotoStateEvent<C>();
    }

    /// <summary>Creates the machine and sends it E2 (deferred in A), E3 (ignored in A: dropped), E1 and E3 (handled in C);
    /// the machine writes what it does to <paramref name="log"/>.</summary>
    public static Task Start(IActorRuntime rt, List<string> log)
    {
        ActorId m = rt.CreateActor<LifecycleMachine>(new Init(log), "machine");
        rt.SendEvent(m, new E2());
        rt.SendEvent(m, new E3());
        rt.SendEvent(m, new E1());
        rt.SendEvent(m, new E3());
        return Task.CompletedTask;
    }

    public static readonly string[] ExpectedLog = ["enter A", "exit A (E1)", "enter B", "E2 in B", "exit B", "enter C", "E3 in C"];
}

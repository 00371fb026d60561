using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;

namespace Avic.Coyote.Tests.Toys;

public sealed record Go : Event;

/// <summary>Waits inside a handler for an event nobody sends: blocked, not idle.</summary>
[OnEventDoAction(typeof(Go), nameof(OnGo))]
public sealed class Waiter : Actor
{
    private async Task OnGo() => await ReceiveEventAsync(typeof(Response));
}

/// <summary>Counts the Go events it handles into the list given as its initial event, halting after the first.</summary>
[OnEventDoAction(typeof(Go), nameof(OnGo))]
public sealed class HaltAfterOne : Actor
{
    public sealed record Init(List<string> Log) : Event;

    private List<string> log = null!;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        log = ((Init)initialEvent!).Log;
        return Task.CompletedTask;
    }

    private void OnGo()
    {
        log.Add("go");
        RaiseHaltEvent();
    }

    protected override void OnHalt() => log.Add("halted");
}

/// <summary>A safety monitor that forbids a second Go.</summary>
public sealed class AtMostOneGo : Monitor
{
    [Start]
    [OnEventGotoState(typeof(Go), typeof(Once))]
    private sealed class None : State;

    [OnEventDoAction(typeof(Go), nameof(Again))]
    private sealed class Once : State;

    private void Again() => Assert(false, "a second Go");
}

/// <summary>Throws while entering its start state.</summary>
public sealed class BadStart : StateMachine
{
    [Start]
    [OnEntry(nameof(Enter))]
    private sealed class Init : State;

    private void Enter() => throw new ArgumentException("bad start");
}

using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Toys;

public sealed record Request(ActorId Client) : Event;
public sealed record Response : Event;
public sealed record Ping : Event;
public sealed record Work : Event;

/// <summary>Hot while a request has no response: a liveness property.</summary>
public sealed class ResponseMonitor : Monitor
{
    [Start, Cold]
    [OnEventGotoState(typeof(Request), typeof(Waiting))]
    [IgnoreEvents(typeof(Response))]
    private sealed class Idle : State;

    [Hot]
    [OnEventGotoState(typeof(Response), typeof(Idle))]
    [IgnoreEvents(typeof(Request))]
    private sealed class Waiting : State;
}

/// <summary>Sends one request to the server given as its initial event, then waits for the answer.</summary>
[OnEventDoAction(typeof(Response), nameof(OnResponse))]
public sealed class Client : Actor
{
    public sealed record Start(ActorId Server) : Event;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        var start = (Start)initialEvent!;
        Monitor<ResponseMonitor>(new Request(Id));
        SendEvent(start.Server, new Request(Id));
        return Task.CompletedTask;
    }

    private void OnResponse() => Monitor<ResponseMonitor>(new Response());
}

[OnEventDoAction(typeof(Request), nameof(OnRequest))]
public sealed class SilentServer : Actor
{
    private void OnRequest(Request r) { } // the bug: never answers
}

[OnEventDoAction(typeof(Request), nameof(OnRequest))]
public sealed class AnsweringServer : Actor
{
    private void OnRequest(Request r) => SendEvent(r.Client, new Response());
}

/// <summary>Asserts inside a state machine handler when told to.</summary>
public sealed class Checker : StateMachine
{
    public sealed record Value(int N) : Event;

    [Start]
    [OnEventDoAction(typeof(Value), nameof(Check))]
    private sealed class Ready : State;

    private void Check(Value v) => Assert(v.N < 10, "SMALL-VALUE", $"value {v.N} is too large");
}

[OnEventDoAction(typeof(Work), nameof(OnWork))]
public sealed class Thrower : Actor
{
    private void OnWork() => throw new InvalidOperationException("boom in OnWork");
}

[OnEventDoAction(typeof(Work), nameof(OnWork))]
public sealed class TaskRunner : Actor
{
    // The pool work never ends, so the await really escapes (a task already completed would not), and the bug report,
    // which names the handler from the suspended frame, cannot race with the work finishing (a 20 ms sleep could).
    private async Task OnWork() => await Task.Run(() => Task.Delay(System.Threading.Timeout.Infinite));
}

[OnEventDoAction(typeof(Work), nameof(OnWork))]
public sealed class Delayer : Actor
{
    // A delay that never ends: with Task.Delay(1) the timer could fire before the report named the suspended handler
    // (seen once in CI on a loaded box).
    private async Task OnWork() => await Task.Delay(System.Threading.Timeout.Infinite);
}

/// <summary>Handles Work only.</summary>
[OnEventDoAction(typeof(Work), nameof(OnWork))]
public sealed class WorkOnly : Actor
{
    private void OnWork() { }
}

public static class ActorToys
{
    [Test(Name = "Toys.NoResponse", Expect = Expectation.Liveness,
        Description = "a client's request is never answered; the monitor stays hot")]
    public static void NoResponse(IActorRuntime rt) => RequestResponse<SilentServer>(rt);

    [Test(Name = "Toys.NoResponseFixed", Description = "the server answers every request")]
    public static void NoResponseFixed(IActorRuntime rt) => RequestResponse<AnsweringServer>(rt);

    private static void RequestResponse<TServer>(IActorRuntime rt) where TServer : Actor
    {
        rt.RegisterMonitor<ResponseMonitor>();
        ActorId server = rt.CreateActor<TServer>(name: "server");
        rt.CreateActor<Client>(new Client.Start(server), "client");
    }

    [Test(Name = "Toys.AssertInHandler", Expect = Expectation.AssertionFailure, Invariant = "SMALL-VALUE",
        Description = "a state machine handler asserts on a value it receives")]
    public static void AssertInHandler(IActorRuntime rt) => SendValues(rt, 3, 12);

    [Test(Name = "Toys.AssertInHandlerFixed", Description = "only small values are sent")]
    public static void AssertInHandlerFixed(IActorRuntime rt) => SendValues(rt, 3, 9);

    private static void SendValues(IActorRuntime rt, params int[] values)
    {
        ActorId checker = rt.CreateActor<Checker>(name: "checker");
        foreach (int v in values) rt.SendEvent(checker, new Checker.Value(v));
    }

    [Test(Name = "Toys.UnhandledEvent", Expect = Expectation.UnhandledEvent, Description = "an actor gets an event it has no handler for")]
    public static void UnhandledEvent(IActorRuntime rt) => rt.SendEvent(rt.CreateActor<WorkOnly>(name: "worker"), new Ping());

    [Test(Name = "Toys.HandlerThrows", Expect = Expectation.UnhandledException,
        Description = "a handler throws")]
    public static void HandlerThrows(IActorRuntime rt) => rt.SendEvent(rt.CreateActor<Thrower>(name: "thrower"), new Work());

    [Test(Name = "Toys.TaskRunInHandler", Expect = Expectation.UncontrolledConcurrency, Description = "a handler awaits Task.Run")]
    public static void TaskRunInHandler(IActorRuntime rt) => rt.SendEvent(rt.CreateActor<TaskRunner>(name: "runner"), new Work());

    [Test(Name = "Toys.TaskDelayInHandler", Expect = Expectation.UncontrolledConcurrency, Description = "a handler awaits Task.Delay")]
    public static void TaskDelayInHandler(IActorRuntime rt) => rt.SendEvent(rt.CreateActor<Delayer>(name: "delayer"), new Work());

    /// <summary>A request that is never answered while the client spins: hot for ever, never quiescent.</summary>
    [Test(Name = "Toys.SpinWhileHot", Expect = Expectation.Explore, MaxSteps = 300,
        Description = "a monitor goes hot and the program spins; only a hot threshold (or a fair strategy at the bound) reports it")]
    public static async Task SpinWhileHot(IActorRuntime rt)
    {
        rt.RegisterMonitor<ResponseMonitor>();
        ActorId server = rt.CreateActor<SilentServer>(name: "server");
        rt.Monitor<ResponseMonitor>(new Request(server));
        while (true) await rt.Interleave("poll");
    }
}

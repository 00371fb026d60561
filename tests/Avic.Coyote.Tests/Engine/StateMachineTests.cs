using Avic.Coyote.Actors;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

public class StateMachineTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void EntryExitGotoDeferAndIgnoreHappenInOrderInEverySchedule(string strategy)
    {
        List<string> log = new();
        var logs = new HashSet<string>();
        var test = TestCase.From("lifecycle", rt =>
        {
            log = new List<string>();
            return LifecycleMachine.Start(rt, log);
        });

        for (ulong seed = 0; seed < 20; seed++)
        {
            TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1, Strategy = strategy, Seed = seed });
            Assert.Null(report.Bug);
            logs.Add(string.Join(" | ", log));
        }

        Assert.Equal(string.Join(" | ", LifecycleMachine.ExpectedLog), Assert.Single(logs));
    }
}

/// <summary>The dispatch loop calls handlers directly and only waits for one that did not complete: the order of
/// actions, exits, entries, gotos and raised events must not depend on which handlers await.</summary>
public class StateMachineDispatchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HandlersRunInTheSameOrderWhetherTheyCompleteAtOnceOrAwait(bool awaiting)
    {
        List<string> log = new();
        var test = TestCase.From("dispatch", rt =>
        {
            log = new List<string>();
            rt.SendEvent(rt.CreateActor<OrderMachine>(new OrderMachine.Init(log, awaiting), "m"), new OrderMachine.Go());
            return Task.CompletedTask;
        });

        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1, Seed = 3 });

        Assert.Null(report.Bug);
        Assert.Equal(OrderMachine.ExpectedLog, log);
    }
}

/// <summary>Go's action raises a goto to C that its transition overrides (to B); B's entry raises Ping, whose action goes
/// to D. A's exit and B's entry are pooled ValueTask handlers, the others Task or void.</summary>
internal sealed class OrderMachine : StateMachine
{
    public sealed record Init(List<string> Log, bool Awaiting) : Event;
    public sealed record Go : Event;
    public sealed record Ping : Event;

    private List<string> log = null!;
    private bool awaiting;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        var init = (Init)initialEvent!;
        (log, awaiting) = (init.Log, init.Awaiting);
        return Task.CompletedTask;
    }

    [Start]
    [OnEntry(nameof(EnterA))]
    [OnExit(nameof(ExitA))]
    [OnEventGotoState(typeof(Go), typeof(B), nameof(OnGo))]
    private sealed class A : State;

    [OnEntry(nameof(EnterB))]
    [OnEventDoAction(typeof(Ping), nameof(OnPing))]
    private sealed class B : State;

    [OnEntry(nameof(EnterC))]
    private sealed class C : State;

    [OnEntry(nameof(EnterD))]
    private sealed class D : State;

    private async Task Step(string what)
    {
        log.Add(what);
        if (awaiting) await Runtime.Interleave(what);
    }

    private void EnterA() => log.Add("enter A");

    private async Task OnGo()
    {
        await Step("Go in A");
        RaiseGotoStateEvent<C>();   // overridden by the transition's goto to B
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExitA() => await Step("exit A");

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnterB()
    {
        await Step("enter B");
        RaiseEvent(new Ping());   // handled in B, before any queued event
    }

    private async Task OnPing()
    {
        await Step("Ping in B");
        RaiseGotoStateEvent<D>();
    }

    private void EnterC() => log.Add("enter C");

    private Task EnterD() => Step("enter D");

    public static readonly string[] ExpectedLog = ["enter A", "Go in A", "exit A", "enter B", "Ping in B", "enter D"];
}

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

/// <summary>StateMachine.Then: a handler that ends with "r = await call; rest(r)" without a frame of its own runs the
/// same calls in the same order as the async handler it replaces, whether the call awaits or completes at once,
/// with a continuation that passes on again (Then chained) and a goto raised by the continuation.</summary>
public class StateMachineThenTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void ThenRunsTheContinuationWhereTheAwaitWould(bool useThen, bool awaiting)
    {
        List<string> log = new();
        var test = TestCase.From("then", rt =>
        {
            log = new List<string>();
            ActorId m = rt.CreateActor<ThenMachine>(new ThenMachine.Init(log, useThen, awaiting), "m");
            rt.SendEvent(m, new ThenMachine.Go());
            rt.SendEvent(m, new ThenMachine.Go());
            return Task.CompletedTask;
        });

        TestReport report = TestingEngine.Run(test, new Configuration { Iterations = 1, Seed = 5 });

        Assert.Null(report.Bug);
        Assert.Equal(ThenMachine.ExpectedLog, log);
    }
}

/// <summary>Go's action computes r twice (the second time from the first's continuation) and goes to B; B's entry
/// computes once more and its continuation goes back to A. The next Go repeats it.</summary>
internal sealed class ThenMachine : StateMachine
{
    public sealed record Init(List<string> Log, bool UseThen, bool Awaiting) : Event;
    public sealed record Go : Event;

    private List<string> log = null!;
    private bool useThen, awaiting;
    private int n;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        var init = (Init)initialEvent!;
        (log, useThen, awaiting) = (init.Log, init.UseThen, init.Awaiting);
        return Task.CompletedTask;
    }

    [Start]
    [OnEventDoAction(typeof(Go), nameof(OnGo))]
    private sealed class A : State;

    [OnEntry(nameof(EnterB))]
    private sealed class B : State;

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> Compute()
    {
        log.Add($"compute {++n}");
        if (awaiting) await Runtime.Interleave("compute");
        return n;
    }

    private ValueTask OnGo() => useThen ? Then(Compute(), static (m, r) => ((ThenMachine)m).First(r)) : OnGoAsync();

    private async ValueTask OnGoAsync() => await First(await Compute());

    private ValueTask First(int r)
    {
        log.Add($"first {r}");
        return useThen ? Then(Compute(), static (m, r) => ((ThenMachine)m).Second(r)) : SecondAsync();
    }

    private async ValueTask SecondAsync() => await Second(await Compute());

    private ValueTask Second(int r)
    {
        log.Add($"second {r}");
        RaiseGotoStateEvent<B>();
        return default;
    }

    private ValueTask EnterB() => useThen ? Then(Compute(), static (m, r) => ((ThenMachine)m).Back(r)) : EnterBAsync();

    private async ValueTask EnterBAsync() => await Back(await Compute());

    private ValueTask Back(int r)
    {
        log.Add($"enter B {r}");
        RaiseGotoStateEvent<A>();
        return default;
    }

    public static readonly string[] ExpectedLog =
        ["compute 1", "first 1", "compute 2", "second 2", "compute 3", "enter B 3",
         "compute 4", "first 4", "compute 5", "second 5", "compute 6", "enter B 6"];
}

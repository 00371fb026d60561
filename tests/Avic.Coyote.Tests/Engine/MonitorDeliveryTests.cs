using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Tests.Engine;

/// <summary>Which registered monitor a notification reaches: the one of exactly the named type, else the first that is one.</summary>
public class MonitorDeliveryTests
{
    private sealed record Seen : Event;

    /// <summary>Counts the notifications it handles; a base type other monitors extend.</summary>
    public class CountingMonitor : Monitor
    {
        public int Count { get; private set; }

        [Start]
        [OnEventDoAction(typeof(Seen), nameof(OnSeen))]
        private sealed class Counting : State;

        protected void OnSeen() => Count++;
    }

    public sealed class FirstCounter : CountingMonitor;

    public sealed class SecondCounter : CountingMonitor;

    /// <summary>An actor that notifies <typeparamref name="T"/> on start (actors name monitors by type, not statically).</summary>
    public sealed class Notifier<T> : Actor where T : class
    {
        protected override Task OnInitializeAsync(Event? initialEvent)
        {
            Monitor<T>(new Seen());
            return Task.CompletedTask;
        }
    }

    private static (int Base, int First, int Second) Counts(IActorRuntime rt) =>
        (rt.GetMonitor<CountingMonitor>()?.Count ?? -1, rt.GetMonitor<FirstCounter>()?.Count ?? -1, rt.GetMonitor<SecondCounter>()?.Count ?? -1);

    private static void Run(Func<IActorRuntime, Task> body)
    {
        TestReport report = TestingEngine.Run(TestCase.From("t", body), new Configuration { Iterations = 3, Seed = 1 });
        Assert.Null(report.Bug);
    }

    [Fact]
    public void ANotificationReachesTheMonitorOfExactlyItsTypeEvenWhenAnotherIsOneToo()
    {
        var counts = new List<(int, int, int)>();
        Run(rt =>
        {
            rt.RegisterMonitor<CountingMonitor>();
            rt.RegisterMonitor<FirstCounter>();
            rt.RegisterMonitor<SecondCounter>();
            rt.Monitor<SecondCounter>(new Seen());
            rt.Monitor<SecondCounter>(new Seen());
            rt.Monitor<FirstCounter>(new Seen());
            rt.Monitor<CountingMonitor>(new Seen());
            counts.Add(Counts(rt));
            return Task.CompletedTask;
        });

        Assert.Equal([(1, 1, 2), (1, 1, 2), (1, 1, 2)], counts);
    }

    [Fact]
    public void ANotificationNamingABaseTypeReachesTheFirstRegisteredMonitorThatIsOne()
    {
        var counts = new List<(int, int)>();
        Run(rt =>
        {
            rt.RegisterMonitor<SecondCounter>();
            rt.RegisterMonitor<FirstCounter>();
            rt.Monitor<CountingMonitor>(new Seen());
            counts.Add((rt.GetMonitor<FirstCounter>()!.Count, rt.GetMonitor<SecondCounter>()!.Count));
            return Task.CompletedTask;
        });

        Assert.Equal([(0, 1), (0, 1), (0, 1)], counts);
    }

    [Fact]
    public void AnActorsNotificationReachesTheMonitorItNames()
    {
        var counts = new List<(int, int, int)>();
        Run(async rt =>
        {
            rt.RegisterMonitor<FirstCounter>();
            rt.RegisterMonitor<SecondCounter>();
            rt.CreateActor<Notifier<SecondCounter>>(name: "second");
            rt.CreateActor<Notifier<CountingMonitor>>(name: "any");
            while (rt.GetMonitor<CountingMonitor>()!.Count + rt.GetMonitor<SecondCounter>()!.Count < 2) await rt.Interleave();
            counts.Add(Counts(rt));
        });

        // GetMonitor<CountingMonitor> is the first that is one: FirstCounter, which the base-type notification reached.
        Assert.Equal([(1, 1, 1), (1, 1, 1), (1, 1, 1)], counts);
    }

    [Fact]
    public void ANotificationOfAnUnregisteredMonitorIsAnError()
    {
        TestReport report = TestingEngine.Run(TestCase.From("t", rt =>
        {
            rt.RegisterMonitor<FirstCounter>();
            rt.Monitor<SecondCounter>(new Seen());
            return Task.CompletedTask;
        }), new Configuration { Iterations = 1, Seed = 1 });

        Assert.Equal(BugKind.UnhandledException, report.Bug?.Kind);
        Assert.Contains("SecondCounter is not registered", report.Bug!.Message);
    }
}

using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

public class ActorSemanticsTests
{
    private static TestReport Run(Func<IActorRuntime, Task> body, int iterations = 50) =>
        TestingEngine.Run(TestCase.From("t", body), new Configuration { Iterations = iterations, Seed = 5 });

    [Fact]
    public void AnActorWaitingInsideAHandlerForAnEventNobodySendsIsADeadlock()
    {
        TestReport report = Run(rt =>
        {
            rt.SendEvent(rt.CreateActor<Waiter>(name: "waiter"), new Go());
            return Task.CompletedTask;
        });

        Assert.Equal(BugKind.Deadlock, report.Bug?.Kind);
        Assert.Contains("'waiter' waits for an event of type Response", report.Bug!.Message);
    }

    [Fact]
    public void IdleActorsWithEmptyInboxesAreQuiescentNotDeadlocked()
    {
        TestReport report = Run(rt =>
        {
            rt.CreateActor<Waiter>(name: "waiter");
            rt.CreateActor<WorkOnly>(name: "worker");
            return Task.CompletedTask;
        });

        Assert.Null(report.Bug);
    }

    [Fact]
    public void AHaltedActorDropsLaterEventsAndRunsOnHalt()
    {
        List<string> log = new();
        TestReport report = Run(rt =>
        {
            log = new List<string>();
            ActorId a = rt.CreateActor<HaltAfterOne>(new HaltAfterOne.Init(log), "a");
            rt.SendEvent(a, new Go());
            rt.SendEvent(a, new Go());
            return Task.CompletedTask;
        }, iterations: 1);

        Assert.Null(report.Bug);
        Assert.Equal(["go", "halted"], log);
    }

    [Fact]
    public void AMonitorAssertionIsAnAssertionFailureNamingTheMonitor()
    {
        TestReport report = Run(rt =>
        {
            rt.RegisterMonitor<AtMostOneGo>();
            rt.Monitor<AtMostOneGo>(new Go());
            rt.Monitor<AtMostOneGo>(new Go());
            return Task.CompletedTask;
        });

        Assert.Equal(BugKind.AssertionFailure, report.Bug?.Kind);
        Assert.Contains("a second Go", report.Bug!.Message);
        Assert.Contains("AtMostOneGo", report.Bug.Message);
    }

    [Fact]
    public void AnExceptionInTheStartStatesEntryIsAnUnhandledException()
    {
        TestReport report = Run(rt =>
        {
            rt.CreateActor<BadStart>(name: "bad");
            return Task.CompletedTask;
        });

        Assert.Equal(BugKind.UnhandledException, report.Bug?.Kind);
        Assert.Contains("bad start", report.Bug!.Message);
        Assert.Equal("bad", report.Bug.Operation);
    }
}

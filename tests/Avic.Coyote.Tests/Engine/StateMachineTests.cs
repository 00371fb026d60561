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
            ActorId m = rt.CreateActor<LifecycleMachine>(new LifecycleMachine.Init(log), "machine");
            rt.SendEvent(m, new LifecycleMachine.E2());
            rt.SendEvent(m, new LifecycleMachine.E3()); // ignored in A: dropped
            rt.SendEvent(m, new LifecycleMachine.E1());
            rt.SendEvent(m, new LifecycleMachine.E3()); // handled in C
            return Task.CompletedTask;
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

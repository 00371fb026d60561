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

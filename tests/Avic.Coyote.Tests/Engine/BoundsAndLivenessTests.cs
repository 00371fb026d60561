using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

/// <summary>The step bound, fail-on-max-steps, and liveness by hot threshold.</summary>
public class BoundsAndLivenessTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("prioritization")]
    public void AnInfiniteLoopHitsTheBoundAndIsNotABug(string strategy)
    {
        TestReport report = ToyCatalog.Run("Toys.Spin", strategy, iterations: 20);

        Assert.Null(report.Bug);
        Assert.Equal(20, report.Iterations);
        Assert.Equal(20, report.MaxStepsHits);
        Assert.Equal(20 * 200, report.TotalSteps); // the test's own MaxSteps = 200 overrides the configuration's 500
        Assert.True(report.MeetsExpectation);
    }

    [Fact]
    public void FailOnMaxStepsMakesTheBoundABugThatReplays()
    {
        TestReport report = ToyCatalog.Run("Toys.Spin", iterations: 20, tweak: c => c with { FailOnMaxSteps = true });

        Assert.Equal(BugKind.MaxStepsReached, report.Bug?.Kind);
        Assert.Equal(0, report.BugIteration);
        Assert.True(report.Schedule!.FailOnMaxSteps);
        Assert.True(TestingEngine.Replay(ToyCatalog.Get("Toys.Spin"), report.Schedule).Reproduces(report.Bug));
    }

    [Fact]
    public void HotMonitorAtQuiescenceIsALivenessBug()
    {
        BugReport bug = ToyCatalog.Run("Toys.NoResponse").Bug!;

        Assert.Equal(BugKind.Liveness, bug.Kind);
        Assert.Contains("ResponseMonitor", bug.Message);
        Assert.Contains("Waiting", bug.Message);
    }

    [Fact]
    public void HotForLongerThanTheThresholdIsALivenessBug()
    {
        TestReport report = ToyCatalog.Run("Toys.SpinWhileHot", "prioritization", iterations: 5,
            tweak: c => c with { LivenessThreshold = 50 });

        Assert.Equal(BugKind.Liveness, report.Bug?.Kind);
        Assert.Contains("hot for 50 steps", report.Bug!.Message);
        Assert.True(TestingEngine.Replay(ToyCatalog.Get("Toys.SpinWhileHot"), report.Schedule!).Reproduces(report.Bug));
    }

    [Fact]
    public void HotAtTheBoundIsNotABugForAnUnfairStrategyWithoutThreshold()
    {
        TestReport report = ToyCatalog.Run("Toys.SpinWhileHot", "prioritization", iterations: 5);

        Assert.Null(report.Bug);
        Assert.Equal(5, report.MaxStepsHits);
    }

    [Fact]
    public void HotAtTheBoundIsALivenessBugForAFairStrategy()
    {
        TestReport report = ToyCatalog.Run("Toys.SpinWhileHot", "random", iterations: 5);

        Assert.Equal(BugKind.Liveness, report.Bug?.Kind);
        Assert.Contains("step bound", report.Bug!.Message);
    }
}

using Avic.Coyote.Runtime;
using Avic.Coyote.Testing;
using Avic.Coyote.Tests.Toys;

namespace Avic.Coyote.Tests.Engine;

/// <summary>Each kind of bug is found in its toy, and never in the toy's fixed twin.</summary>
public class BugFindingTests
{
    [Theory]
    [InlineData("Toys.LostUpdate", "random", BugKind.AssertionFailure)]
    [InlineData("Toys.LostUpdate", "prioritization", BugKind.AssertionFailure)]
    [InlineData("Toys.AbbaDeadlock", "random", BugKind.Deadlock)]
    [InlineData("Toys.AbbaDeadlock", "prioritization", BugKind.Deadlock)]
    [InlineData("Toys.NoResponse", "random", BugKind.Liveness)]
    [InlineData("Toys.AssertInHandler", "random", BugKind.AssertionFailure)]
    [InlineData("Toys.UnhandledEvent", "random", BugKind.UnhandledEvent)]
    [InlineData("Toys.HandlerThrows", "random", BugKind.UnhandledException)]
    [InlineData("Toys.TaskRunInHandler", "random", BugKind.UncontrolledConcurrency)]
    [InlineData("Toys.TaskDelayInHandler", "random", BugKind.UncontrolledConcurrency)]
    [InlineData("Toys.RandomChoice", "random", BugKind.AssertionFailure)]
    [InlineData("Toys.CheckThenAct", "prioritization", BugKind.AssertionFailure)]
    public void FindsTheBugItDeclares(string toy, string strategy, BugKind kind)
    {
        TestReport report = ToyCatalog.Run(toy, strategy);

        Assert.NotNull(report.Bug);
        Assert.Equal(kind, report.Bug.Kind);
        Assert.True(report.MeetsExpectation, report.Bug.ToString());
        Assert.NotNull(report.Schedule);
        Assert.Equal(report.BugIteration + 1, report.Iterations);
    }

    [Theory]
    [InlineData("Toys.LostUpdateFixed", "random")]
    [InlineData("Toys.LostUpdateFixed", "prioritization")]
    [InlineData("Toys.AbbaDeadlockFixed", "random")]
    [InlineData("Toys.AbbaDeadlockFixed", "prioritization")]
    [InlineData("Toys.NoResponseFixed", "random")]
    [InlineData("Toys.NoResponseFixed", "fair-prioritization")]
    [InlineData("Toys.AssertInHandlerFixed", "random")]
    public void FixedVersionHasNoBugIn10000Iterations(string toy, string strategy)
    {
        TestReport report = ToyCatalog.Run(toy, strategy, iterations: 10_000);

        Assert.Null(report.Bug);
        Assert.Equal(10_000, report.Iterations);
        Assert.Equal(0, report.MaxStepsHits);
        Assert.True(report.MeetsExpectation);
    }

    [Fact]
    public void UnhandledExceptionCarriesTheExceptionMessage()
    {
        BugReport bug = ToyCatalog.Run("Toys.HandlerThrows").Bug!;

        Assert.Contains("InvalidOperationException", bug.Message);
        Assert.Contains("boom in OnWork", bug.Message);
        Assert.Equal("thrower", bug.Operation);
    }

    [Theory]
    [InlineData("Toys.TaskRunInHandler", "runner", "TaskRunner.OnWork")]
    [InlineData("Toys.TaskDelayInHandler", "delayer", "Delayer.OnWork")]
    public void UncontrolledAwaitNamesTheOperationAndHandler(string toy, string operation, string handler)
    {
        BugReport bug = ToyCatalog.Run(toy).Bug!;

        Assert.Equal(BugKind.UncontrolledConcurrency, bug.Kind);
        Assert.Equal(operation, bug.Operation);
        Assert.Contains($"'{operation}'", bug.Message);
        Assert.Contains(handler, bug.Message);
    }

    [Fact]
    public void DeadlockNamesWhatEachThreadWaitsFor()
    {
        BugReport bug = ToyCatalog.Run("Toys.AbbaDeadlock").Bug!;

        Assert.Contains("'t1' waits for", bug.Message);
        Assert.Contains("'t2' waits for", bug.Message);
    }

    [Fact]
    public void UnhandledEventNamesTheActorAndEvent()
    {
        BugReport bug = ToyCatalog.Run("Toys.UnhandledEvent").Bug!;

        Assert.Contains("worker received Ping", bug.Message);
    }

    [Fact]
    public void AssertionInAStateMachineHandlerIsReportedWithItsMessage()
    {
        BugReport bug = ToyCatalog.Run("Toys.AssertInHandler").Bug!;

        Assert.Equal("value 12 is too large", bug.Message);
        Assert.Equal("checker", bug.Operation);
    }

    [Fact]
    public void ExpectationIsNotMetWhenTheBugIsOfAnotherKind()
    {
        TestCase test = ToyCatalog.Get("Toys.LostUpdate");

        Assert.False(test.Meets(null));
        Assert.False(test.Meets(new BugReport(BugKind.Deadlock, "lost update", 3, null, "LOST-UPDATE")));
        Assert.True(test.Meets(new BugReport(BugKind.AssertionFailure, "lost update: counter is 1", 3, null, "LOST-UPDATE")));
    }

    [Fact]
    public void ExpectationComparesTheInvariantFieldNeverTheMessage()
    {
        TestCase test = ToyCatalog.Get("Toys.LostUpdate");
        Assert.Equal("LOST-UPDATE", test.Invariant);

        // The wrong invariant is not met, even when the message names the expected one.
        Assert.False(test.Meets(new BugReport(BugKind.AssertionFailure, "LOST-UPDATE: lost update", 3, null, "INV-A3")));
        // No declared invariant is not met either.
        Assert.False(test.Meets(new BugReport(BugKind.AssertionFailure, "lost update: counter is 1", 3, null)));
        // The right invariant is met whatever the message says.
        Assert.True(test.Meets(new BugReport(BugKind.AssertionFailure, "something else", 3, null, "LOST-UPDATE")));
    }

    [Fact]
    public void AnAssertionCarriesTheInvariantDeclaredAtItsSite()
    {
        TestReport report = TestingEngine.Run(ToyCatalog.Get("Toys.LostUpdate"), new Configuration { Strategy = "random", Iterations = 200, Seed = 1 });
        Assert.NotNull(report.Bug);
        Assert.Equal("LOST-UPDATE", report.Bug.Invariant);
        Assert.Contains("[LOST-UPDATE]", report.Bug.ToString());
    }
}

using Avic.Coyote.Testing;
using CoyoteOperation = Microsoft.Coyote.Runtime.Operation;

namespace Avic.Coyote.Microsoft.Tests;

/// <summary>
/// Which bug a run on Microsoft.Coyote had comes from typed data (<see cref="CoyoteVerdict"/>): our typed report when
/// our code failed the execution, Coyote's failure event when Coyote did. Coyote's words never decide it.
/// </summary>
public class VerdictTests
{
    [Fact]
    public void OurBugIsOursWhateverItsWordsSay()
    {
        // Words that a text classifier would take for Coyote's deadlock or liveness report.
        TestCase test = TestCase.From("words", rt =>
        {
            rt.Assert(false, "INV-WORDS", "Deadlock detected. Found liveness bug at the end of program execution.");
            return Task.CompletedTask;
        }, Expectation.AssertionFailure);
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 1 });
        Assert.Equal(BugKind.AssertionFailure, r.Bug?.Kind);
        Assert.Equal("INV-WORDS", r.Bug!.Invariant);
        Assert.Equal(r.Bug.ToString(), r.CoyoteBugText);
        Assert.Equal(1, r.BugIteration);
    }

    [Fact]
    public void CoyotesOwnDeadlockDetectionIsADeadlockFromItsFailureEvent()
    {
        // The model's step pauses Coyote's operation forever: Coyote's deadlock detection fails the execution. Our
        // runtime then sees the interrupted step throw, but that comes after Coyote's failure and does not count.
        TestCase test = TestCase.From("coyote-deadlock", rt =>
        {
            CoyoteOperation.PauseUntil(() => false);
            return Task.CompletedTask;
        });
        CoyoteRunResult r = CoyoteTestRunner.Run(test, new CoyoteRunSettings { Iterations = 3 });
        Assert.Equal(BugKind.Deadlock, r.Bug?.Kind);
        Assert.StartsWith("Microsoft.Coyote's deadlock detection: ", r.Bug!.Message);
        Assert.NotEqual(r.Bug.ToString(), r.CoyoteBugText);
        Assert.Equal(1, r.BugIteration);
    }

    [Fact]
    public void ABugRecordedAfterCoyotesFailureDoesNotCount()
    {
        var v = new CoyoteVerdict();
        v.OnFailure(new InvalidOperationException("escaped an action"));
        v.Record(new BugReport(BugKind.AssertionFailure, "late", 3, "main"));
        BugReport bug = v.Bug("Coyote's text");
        Assert.Equal(BugKind.UnhandledException, bug.Kind);
        Assert.Contains("InvalidOperationException", bug.Message);
    }

    [Fact]
    public void ABugRecordedBeforeCoyotesFailureIsTheBug()
    {
        var v = new CoyoteVerdict();
        var ours = new BugReport(BugKind.Liveness, "hot", 7, "vcpu0", "INV-B4");
        v.Record(ours);
        v.OnFailure(new InvalidOperationException("Coyote's assert of our bug"));
        Assert.Same(ours, v.Bug("Coyote's text"));
    }
}

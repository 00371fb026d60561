using Avic.Coyote.Testing;
using CoyoteAssertionFailure = Microsoft.Coyote.Runtime.AssertionFailureException;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// The bug of one execution on Microsoft.Coyote in our terms, from typed data only, never from Coyote's words:
/// <list type="bullet">
/// <item>Our hosted code records its typed bug (our runtime's, or the adapter's own failure) before it calls Coyote's
/// assert (<see cref="Record"/>). A bug recorded before Coyote's failure event is the execution's bug.</item>
/// <item>Otherwise Coyote failed the execution on its own, and its <c>OnFailure</c> event (<see cref="OnFailure"/>)
/// says how by the exception's type: any type but <see cref="CoyoteAssertionFailure"/> is an exception that escaped
/// code we host in a Coyote actor's action (Coyote passes it wrapped); an <see cref="CoyoteAssertionFailure"/> is one
/// of Coyote's own checks. With the configuration <see cref="CoyoteRunSettings.ToConfiguration"/> gives Coyote, its
/// only check that can fail an execution is its deadlock detection (exact, or its periodic hang monitor): it has no
/// monitor of ours to find a liveness bug with (our runtime judges our monitors), its step bound is not a failure,
/// partially controlled concurrency is allowed, and an event a host has no action for goes to our runtime
/// (<c>OnEventUnhandledAsync</c>). (Coyote's deadlock here means Coyote and our runtime disagree: a deadlock of the
/// model is our runtime's, and typed.)</item>
/// </list>
/// Coyote's text goes into the message only, for people.
/// </summary>
public sealed class CoyoteVerdict
{
    private BugReport? ours;
    private Exception? coyoteFailure;
    private BugReport? oursBeforeFailure;

    /// <summary>Our typed bug of this execution, recorded before our code asks Coyote to fail it.</summary>
    public void Record(BugReport bug)
    {
        if (coyoteFailure is null) ours ??= bug;
    }

    /// <summary>Coyote's failure event of this execution (<c>ICoyoteRuntime.OnFailure</c>); the first one counts.</summary>
    public void OnFailure(Exception failure)
    {
        if (coyoteFailure is not null) return;
        coyoteFailure = failure;
        oursBeforeFailure = ours;
    }

    /// <summary>The bug of this execution, Coyote having reported one (<paramref name="coyoteText"/>, its words, for the message).</summary>
    public BugReport Bug(string coyoteText) =>
        oursBeforeFailure ?? (coyoteFailure is null ? ours : null) ?? CoyoteOwn(coyoteFailure, coyoteText);

    /// <summary>A failure Coyote found on its own, in our kinds by the failure's type (see the class summary).</summary>
    public static BugReport CoyoteOwn(Exception? failure, string coyoteText) => failure switch
    {
        CoyoteAssertionFailure => new(BugKind.Deadlock, $"Microsoft.Coyote's deadlock detection: {coyoteText}", 0, null),
        null => new(BugKind.UnhandledException, $"Microsoft.Coyote reported a bug without a failure event: {coyoteText}", 0, null),
        _ => new(BugKind.UnhandledException,
            $"an exception escaped an action hosted by Microsoft.Coyote: {(failure.InnerException ?? failure).GetType().Name}: {coyoteText}", 0, null),
    };
}

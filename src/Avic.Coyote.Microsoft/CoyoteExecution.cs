using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using System.Threading;
using Avic.Coyote.Testing;
using CoyoteActorRuntime = Microsoft.Coyote.Actors.IActorRuntime;
using CoyoteRuntimeProvider = Microsoft.Coyote.Runtime.RuntimeProvider;
using CoyoteSpecification = Microsoft.Coyote.Specifications.Specification;

namespace Avic.Coyote.Microsoft;

/// <summary>
/// One execution of one of our tests inside Microsoft.Coyote's TestingEngine. It is the body of every generated
/// <c>[Microsoft.Coyote.SystematicTesting.Test]</c> entry point, and of the in-process runs of
/// <see cref="CoyoteTestRunner"/>.
/// <list type="bullet">
/// <item>Coyote picks the steps (<see cref="CoyoteDriver"/>) and the random values (Coyote's generator).</item>
/// <item>Every trace line goes to Coyote's logger as it happens (<c>vcpu1  READ_ONCE(...) -> true</c>), so Coyote's
/// readable output and <c>dotnet coyote replay</c> show the kernel-terms steps.</item>
/// <item>A bug our runtime finds becomes Coyote's <c>Specification.Assert</c> failure, so Coyote reports it, writes its
/// .trace, and replays it. The message starts with our bug kind: "Deadlock at step 40 in 'vcpu0': ...". The typed
/// report goes to <c>onEnd</c> first (<see cref="CoyoteVerdict"/>); so does a failure of the adapter itself.</item>
/// </list>
/// </summary>
public static class CoyoteExecution
{
    /// <summary>The step bound of a test that sets none: coyote.json's default.</summary>
    public const int DefaultMaxSteps = 2000;

    /// <summary>Runs <paramref name="entry"/> once under the Coyote runtime of the calling thread.</summary>
    /// <param name="maxSteps">The test's step bound (0: <see cref="DefaultMaxSteps"/>), in our steps.</param>
    /// <param name="livenessThreshold">As our engine's: steps a monitor may stay hot (0: only at quiescence).</param>
    /// <param name="onEnd">Receives how the execution ended (steps, our bug report) before Coyote is told of a bug
    /// (for in-process verdicts and figures).</param>
    /// <param name="actors">Coyote's actor runtime of the test (the [Test] method's parameter): each actor of ours
    /// becomes a Coyote actor there, named in Coyote's logs, coverage and graphs. Null: actors run as plain Coyote
    /// operations.</param>
    public static void Run(Func<IActorRuntime, Task> entry, int maxSteps, MemoryModel memoryModel,
        int livenessThreshold = 0, Action<ExecutionEnd>? onEnd = null, CoyoteActorRuntime? actors = null)
    {
        var logger = CoyoteRuntimeProvider.Current.Logger;
        var runtime = new ControlledRuntime();
        CoyoteDriver driver = null!;
        bool reported = false;
        // Reported on the thread that ends the execution, so Coyote runs nothing more of it after a bug.
        void Report(ExecutionOutcome outcome)
        {
            reported = true;
            BugReport? bug = driver.Failure is { } failure ? AdapterFailure(failure, runtime.Step)
                : outcome == ExecutionOutcome.Bug ? runtime.Bug : null;
            // Our typed bug first (onEnd), then Coyote's assert: identity never comes back from Coyote's text.
            onEnd?.Invoke(new ExecutionEnd(outcome, runtime.Step, bug, driver.LostControl));
            // Our message as an argument, not as a format string (it may hold braces).
            if (bug is not null) CoyoteSpecification.Assert(false, "{0}", bug.ToString());
        }
        driver = new CoyoteDriver(line => logger.WriteLine($"[avic] {line}"), Report, actors);
        try
        {
            runtime.RunExecution(entry, new CoyoteChoices(), maxSteps > 0 ? maxSteps : DefaultMaxSteps,
                memoryModel, livenessThreshold, tracing: true, driver);
        }
        catch (Exception e) when (!reported && e is not ThreadInterruptedException)
        {
            // Escaping the test body, Coyote reports it as its own unhandled exception: ours, typed, goes first.
            reported = true;
            onEnd?.Invoke(new ExecutionEnd(ExecutionOutcome.Bug, runtime.Step, AdapterFailure(e, runtime.Step), driver.LostControl));
            throw;
        }
    }

    /// <summary>An exception that escaped the adapter itself (not the model): a defect of the adapter, as a bug.</summary>
    private static BugReport AdapterFailure(Exception e, int step) =>
        new(BugKind.UnhandledException, $"the Coyote adapter failed: {e.GetType().Name}: {e.Message}", step, null);

    /// <summary>Runs <paramref name="test"/> once (its own step bound, else <paramref name="maxSteps"/>; its memory model).</summary>
    public static void Run(TestCase test, int maxSteps = 0, int livenessThreshold = 0, Action<ExecutionEnd>? onEnd = null,
        CoyoteActorRuntime? actors = null) =>
        Run(test.Entry, test.MaxSteps > 0 ? test.MaxSteps : maxSteps, test.MemoryModel, livenessThreshold, onEnd, actors);
}

/// <summary>How one execution on Microsoft.Coyote ended: our outcome, our steps, our bug (null if none), and whether
/// Coyote stopped controlling it first (its own step bound).</summary>
public readonly record struct ExecutionEnd(ExecutionOutcome Outcome, int Steps, BugReport? Bug, bool LostControl);

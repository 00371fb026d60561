using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Minimization;

/// <summary>One execution seen through a <see cref="PreemptionObserver"/>: its bug, the decisions
/// it really took, its length and where it preempted.</summary>
internal sealed record Observation(BugReport? Bug, Decision[] Decisions, int Steps, int[] PreemptionSteps, string[] Operations, bool Diverged)
{
    public int Preemptions => PreemptionSteps.Length;
}

/// <summary>Runs executions of a test with the settings of a schedule file (one runtime, reused).</summary>
internal sealed class ScheduleExecutor(TestCase test, ScheduleFile settings)
{
    private readonly ExecutionRunner runner = ExecutionRunner.For(test, settings);

    public Observation Run(ISchedulingStrategy strategy)
    {
        var observer = new PreemptionObserver(strategy);
        runner.TryRun(observer, 0, out ExecutionOutcome outcome);
        ControlledRuntime runtime = runner.Runtime;
        BugReport? bug = runner.BugOf(outcome, settings.FailOnMaxSteps);
        bool diverged = outcome == ExecutionOutcome.Diverged;
        return new Observation(diverged ? null : bug, runtime.RecordedDecisions(), runtime.Step,
            Preemptions.Steps(observer.Chosen, observer.PreviousStillEnabled), runtime.OperationNames(), diverged);
    }
}

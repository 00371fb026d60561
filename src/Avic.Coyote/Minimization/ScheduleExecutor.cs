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
    private readonly ControlledRuntime runtime = new();

    public Observation Run(ISchedulingStrategy strategy)
    {
        var observer = new PreemptionObserver(strategy);
        observer.PrepareIteration(0);
        ExecutionOutcome outcome = runtime.RunExecution(test.Entry, observer, settings.MaxSteps, settings.MemoryModel,
            settings.LivenessThreshold, tracing: false);
        BugReport? bug = TestingEngine.BugOf(runtime, outcome, settings.MaxSteps, settings.FailOnMaxSteps);
        bool diverged = outcome == ExecutionOutcome.Diverged;
        return new Observation(diverged ? null : bug, runtime.RecordedDecisions(), runtime.Step,
            Preemptions.Steps(observer.Chosen, observer.PreviousStillEnabled), runtime.OperationNames(), diverged);
    }
}

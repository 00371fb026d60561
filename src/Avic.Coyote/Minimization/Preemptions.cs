using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Minimization;

/// <summary>
/// Counts preemptions: context switches away from an operation that was still enabled and could
/// have continued. Switches forced by the running operation blocking or completing are free;
/// bugs that need few preemptions are the ones people can follow (context bounding, Musuvathi and
/// Qadeer, PLDI 2007).
/// </summary>
public static class Preemptions
{
    /// <summary>Steps (1-based) that preempt, from the operation run at each step and whether the
    /// previous step's operation was still enabled then (see <see cref="PreemptionObserver"/>).</summary>
    public static int[] Steps(IReadOnlyList<int> operations, IReadOnlyList<bool> previousStillEnabled)
    {
        if (operations.Count != previousStillEnabled.Count)
            throw new ArgumentException("one enabled flag per step is needed", nameof(previousStillEnabled));
        var steps = new List<int>();
        for (int k = 1; k < operations.Count; k++)
            if (previousStillEnabled[k] && operations[k] != operations[k - 1]) steps.Add(k + 1);
        return steps.ToArray();
    }

    /// <summary>The same from a schedule's decisions (value decisions are skipped).</summary>
    public static int[] Steps(IReadOnlyList<Decision> decisions, IReadOnlyList<bool> previousStillEnabled)
    {
        var operations = new List<int>();
        foreach (Decision d in decisions)
            if (d.Kind == DecisionKind.Operation) operations.Add(d.Value);
        return Steps(operations, previousStillEnabled);
    }

    public static int Count(IReadOnlyList<Decision> decisions, IReadOnlyList<bool> previousStillEnabled) =>
        Steps(decisions, previousStillEnabled).Length;

    /// <summary>Steps (1-based) of <paramref name="schedule"/> that preempt, found by replaying it.
    /// A schedule that diverges is counted up to the divergence.</summary>
    public static int[] Steps(TestCase test, ScheduleFile schedule)
    {
        Observation run = new ScheduleExecutor(test, schedule).Run(new ReplayStrategy(schedule.Decisions));
        return run.PreemptionSteps;
    }

    public static int Count(TestCase test, ScheduleFile schedule) => Steps(test, schedule).Length;
}

using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies;

namespace Avic.Coyote.Minimization;

/// <summary>
/// A strategy decorator that lets <paramref name="inner"/> decide everything and records, per
/// step, which operation ran and whether the operation of the previous step could have gone on
/// (was still enabled). That is what a schedule alone does not say and preemption counting needs.
/// </summary>
public sealed class PreemptionObserver(ISchedulingStrategy inner) : ISchedulingStrategy
{
    private readonly List<int> chosen = new();
    private readonly List<bool> previousStillEnabled = new();

    public string Name => inner.Name;

    public bool IsFair => inner.IsFair;

    public bool IsExhausted => inner.IsExhausted;

    /// <summary>Id of the operation run at each step (index 0 is step 1).</summary>
    public IReadOnlyList<int> Chosen => chosen;

    /// <summary>Per step: the operation of the previous step was enabled when this step was chosen.</summary>
    public IReadOnlyList<bool> PreviousStillEnabled => previousStillEnabled;

    public bool PrepareIteration(int iteration)
    {
        chosen.Clear();
        previousStillEnabled.Clear();
        return inner.PrepareIteration(iteration);
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        bool stillEnabled = false;
        foreach (Operation op in enabled) stillEnabled |= ReferenceEquals(op, current);
        int index = inner.NextOperation(enabled, current, step);
        if (index < 0) return index; // pruned: no step is taken
        chosen.Add(enabled[index].Id);
        previousStillEnabled.Add(stillEnabled);
        return index;
    }

    public bool NextBoolean(int step) => inner.NextBoolean(step);

    public int NextInteger(int maxValue, int step) => inner.NextInteger(maxValue, step);

    public void OnIterationEnd(int steps, ExecutionOutcome outcome) => inner.OnIterationEnd(steps, outcome);

    public bool NeedsFootprints => inner.NeedsFootprints;

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) => inner.OnStepCompleted(op, accesses, global);
}

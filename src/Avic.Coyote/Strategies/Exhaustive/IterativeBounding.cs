using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// `-s dfs`: optimal DPOR in passes of growing preemption bound (<see cref="Bounds"/>), then one pass without a bound —
/// iterative context bounding (Musuvathi and Qadeer, PLDI 2007) in front of the proof. Most bugs need few preemptions,
/// but depth-first order changes the late choices first, so a bug that needs an early preemption waits behind the
/// whole subtree of the late ones (dfs alone missed 22 bug variants of the catalogue in 20,000–100,000 executions each;
/// the bounded search finds 16 of them with at most 3 preemptions). The last pass alone is the proof — every class once,
/// as before — and the bounded passes are extra work in front of it (they run again classes the last pass runs). A pass
/// whose bound skipped nothing covered the whole tree and ends the search there.
/// A bounded pass stops after <see cref="PassBudget"/> executions: a large pass at one bound must not hold back a bug
/// that the next bound reaches at once (a catalogue variant not found in 86,000 executions with at most 3 or 4
/// preemptions was found after 976 with at most 5; bench/results/2026-12-02-dfsorder/).
/// </summary>
public sealed class IterativeBounding : IExhaustiveStrategy, Symmetry.ITarget, IKnowsFootprints, ICheckpointable
{
    /// <summary>The preemption bounds of the passes before the unbounded one. The step from 3 to 5: a model may make an
    /// interrupt an operation of its own, and then one interrupt landing in a task costs two preemptions (the switch to
    /// the interrupt's operation and the switch back).</summary>
    public static readonly IReadOnlyList<int> Bounds = [0, 1, 2, 3, 5];

    /// <summary>Executions (complete or cut short) after which a bounded pass gives way to the next one.</summary>
    public const int PassBudget = 30_000;

    private readonly int maxSteps;
    private readonly int passBudget;
    private int pass; // index into Bounds; Bounds.Count for the unbounded pass
    private OptimalDporStrategy current;
    private int completeBefore, prunedBefore; // executions of the passes before the current one
    private bool over; // the last pass ran out of branches
    private int stoppedPasses; // bounded passes that ran out of their budget before their tree

    public IterativeBounding(int maxSteps, int passBudget = PassBudget)
    {
        this.maxSteps = maxSteps;
        this.passBudget = passBudget;
        current = NewPass();
    }

    private bool Unbounded => pass == Bounds.Count;

    private bool OverBudget => !Unbounded && current.CompleteExecutions + current.PrunedExecutions >= passBudget;

    private OptimalDporStrategy NewPass() => new(maxSteps, preemptionBound: Unbounded ? -1 : Bounds[pass]);

    public string Name => "dfs";

    public bool NeedsFootprints => true;

    bool IKnowsFootprints.KnowsNextFootprint => ((IKnowsFootprints)current).KnowsNextFootprint;

    void Symmetry.ITarget.DeclareSymmetric(IReadOnlyList<Operation> members) => ((Symmetry.ITarget)current).DeclareSymmetric(members);

    /// <summary>Covered the whole tree: the unbounded pass, or a bounded one that skipped nothing, ended with no execution
    /// cut by the step bound.</summary>
    public bool IsExhausted => current.IsExhausted;

    public int CompleteExecutions => completeBefore + current.CompleteExecutions;

    public int PrunedExecutions => prunedBefore + current.PrunedExecutions;

    public bool PrepareIteration(int iteration)
    {
        while (OverBudget || !current.PrepareIteration(iteration))
        {
            // The pass is over: its budget is spent (then what it did not reach is left to the next passes), or its tree is.
            // One that skipped nothing for its bound explored what the next passes would: stop.
            if (OverBudget) stoppedPasses++;
            else if (Unbounded || current.BoundSkips == 0)
            {
                over = true;
                return false;
            }
            completeBefore += current.CompleteExecutions;
            prunedBefore += current.PrunedExecutions;
            pass++;
            current = NewPass();
        }
        return true;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? running, int step) => current.NextOperation(enabled, running, step);

    public bool NextBoolean(int step) => current.NextBoolean(step);

    public int NextInteger(int maxValue, int step) => current.NextInteger(maxValue, step);

    public void OnIterationEnd(int steps, ExecutionOutcome outcome) => current.OnIterationEnd(steps, outcome);

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) => current.OnStepCompleted(op, accesses, global);

    private string PassName => Unbounded ? "the unbounded pass" : $"the pass with at most {Bounds[pass]} preemptions";

    // "bounded passes (0–3 preemptions) ran first: N executions" — what the last pass's own figures leave out.
    private string Before => completeBefore == 0 ? "" :
        $"; before {PassName}, passes with at most {Bounds[0]}–{Bounds[pass - 1]} preemptions ran {completeBefore} executions" +
        (prunedBefore > 0 ? $" ({prunedBefore} more cut short)" : "") +
        (stoppedPasses > 0 ? $", {stoppedPasses} of them stopped at their budget of {passBudget:N0}" : "");

    public string Describe(bool bugFound)
    {
        if (bugFound)
            return $"bug found after {CompleteExecutions} executions" +
                   (PrunedExecutions > 0 ? $", {PrunedExecutions} more cut short as equivalent" : "") + $", in {PassName}";
        if (over || Unbounded) return current.Describe(false) + Before;
        return $"incomplete: stopped by the iteration or time budget after {CompleteExecutions} executions, in {PassName} " +
               $"({current.ProgressText}); dfs runs passes with at most {string.Join(", ", Bounds)} preemptions " +
               $"(each for at most {passBudget:N0} executions), then every class";
    }

    public string? ProgressText => $"{PassName}: {current.ProgressText}";

    /// <summary>The pass, the figures of the passes before it and the pass's own search (<see cref="OptimalDporStrategy.Save"/>).</summary>
    public void Save(CheckpointWriter w)
    {
        w.Int(passBudget);
        w.Int(pass);
        w.Int(completeBefore);
        w.Int(prunedBefore);
        w.Bool(over);
        w.Int(stoppedPasses);
        current.Save(w);
    }

    public void Restore(CheckpointReader r)
    {
        int budget = r.Int();
        if (budget != passBudget) throw r.Error($"the search was saved with a pass budget of {budget:N0}, not {passBudget:N0}");
        pass = r.Int(0, Bounds.Count);
        completeBefore = r.Int();
        prunedBefore = r.Int();
        over = r.Bool();
        stoppedPasses = r.Int();
        current = NewPass();
        current.Restore(r);
    }
}

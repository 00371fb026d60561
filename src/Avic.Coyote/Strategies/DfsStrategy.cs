using Avic.Coyote.Strategies.Exhaustive;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Exhaustive, stateless depth-first search over every scheduling choice and every nondeterministic value, up to the
/// step bound. Each execution re-runs the test from the start, following the current path and then taking the first
/// choice still to explore; backtracking advances the deepest choice point that has one left. At each scheduling
/// choice point the walk asks its <see cref="ChoiceFilter"/> which options to explore: all of them (`-s dfs-full`),
/// those DPOR with sleep sets needs (<see cref="SleepSetReduction"/>, `-s dfs-sleepsets`), or those within a
/// preemption bound (<see cref="BoundedChoices"/>, `-s dfs-bounded-full`); the strategy registry composes them.
/// Completeness is claimed only when the tree was explored, the filter cut nothing, and no execution hit the bound.
/// </summary>
public sealed partial class DfsStrategy : IExhaustiveStrategy
{
    private readonly ChoiceFilter filter;
    private readonly int maxSteps;
    private readonly List<ChoicePoint> path = new();
    private int depth;
    private bool started;
    private bool exhausted;

    /// <param name="name">The registry's name of this composition (schedule files and reports show it).</param>
    /// <param name="filter">Which options each scheduling point explores; null: all of them.</param>
    internal DfsStrategy(string name, int maxSteps, ChoiceFilter? filter = null)
    {
        Name = name;
        this.maxSteps = maxSteps;
        this.filter = filter ?? ChoiceFilter.None;
    }

    public string Name { get; }

    public bool NeedsFootprints => filter.NeedsFootprints;

    /// <summary>True once every path has been explored, none was cut, and no execution hit the bound: a proof.</summary>
    public bool IsExhausted => exhausted && BoundHits == 0 && !filter.CutSchedules;

    /// <summary>Executions that ran to the end (a bug, quiescence, or the bound).</summary>
    public int CompleteExecutions { get; private set; }

    /// <summary>Executions cut short because the filter allowed no enabled operation (a reduction's repeats).</summary>
    public int PrunedExecutions { get; private set; }

    /// <summary>Executions cut by the step bound: while non-zero the search is not a proof.</summary>
    public int BoundHits { get; private set; }

    public bool PrepareIteration(int iteration)
    {
        depth = 0;
        filter.StartExecution();
        if (!started)
        {
            started = true;
            return true;
        }
        if (!Backtrack())
        {
            exhausted = true;
            return false;
        }
        return true;
    }

    /// <summary>Advances the deepest choice that has an alternative left to explore; false when none is left.</summary>
    private bool Backtrack()
    {
        for (int i = path.Count - 1; i >= floor; i--) // floor: a parallel worker's subtree root (0 otherwise)
        {
            ChoicePoint point = path[i];
            int next = NextAlternative(point);
            if (next >= 0)
            {
                point.Chosen = next;
                path.RemoveRange(i + 1, path.Count - i - 1);
                return true;
            }
        }
        path.Clear();
        return false;
    }

    /// <summary>The next option to explore at <paramref name="point"/>: untried and allowed by the filter; -1 if none.</summary>
    private int NextAlternative(ChoicePoint point)
    {
        if (point.IsValue) return point.Chosen + 1 < point.ValueCount ? point.Chosen + 1 : -1;
        for (int k = 0; k < point.Options.Length; k++)
        {
            int id = point.Options[k];
            if (point.Tried.Contains(id)) continue;
            Verdict verdict = filter.Allows(point, id);
            if (verdict == Verdict.Explore) return k;
            if (verdict == Verdict.Never) point.Tried.Add(id); // counted once
        }
        return -1;
    }

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        ChoicePoint point;
        if (depth < path.Count)
        {
            point = path[depth];
            if (point.IsValue || point.Options.Length != enabled.Length)
                throw new InvalidOperationException($"exhaustive search: the test is not deterministic (step {step} differs from an earlier run of the same path)");
        }
        else
        {
            var options = new int[enabled.Length];
            for (int i = 0; i < enabled.Length; i++) options[i] = enabled[i].Id;
            point = filter.Enter(options, current?.Id ?? -1);
            point.Chosen = filter.First(point);
            if (point.Chosen < 0)
            {
                PrunedExecutions++;
                return -1;
            }
            path.Add(point);
        }
        depth++;
        int chosenId = point.Options[point.Chosen];
        point.Tried.Add(chosenId);
        for (int i = 0; i < enabled.Length; i++)
            if (enabled[i].Id == chosenId)
            {
                filter.Took(point, enabled[i]);
                return i;
            }
        throw new InvalidOperationException($"exhaustive search: the test is not deterministic (operation {chosenId} not enabled at step {step})");
    }

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global) => filter.StepCompleted(op, accesses, global);

    public bool NextBoolean(int step) => NextValue(2) == 1;

    public int NextInteger(int maxValue, int step) => NextValue(maxValue);

    private int NextValue(int count)
    {
        ChoicePoint point;
        if (depth < path.Count)
        {
            point = path[depth];
            if (!point.IsValue || point.ValueCount != count)
                throw new InvalidOperationException("exhaustive search: the test is not deterministic (a random choice differs from an earlier run of the same path)");
        }
        else
        {
            point = new ChoicePoint { IsValue = true, ValueCount = count, Chosen = 0 };
            path.Add(point);
        }
        depth++;
        return point.Chosen;
    }

    public void OnIterationEnd(int steps, ExecutionOutcome outcome)
    {
        if (outcome == ExecutionOutcome.Pruned) return;
        if (outcome == ExecutionOutcome.MaxStepsReached) BoundHits++;
        CompleteExecutions++;
    }

    /// <summary>What the search covered, in words, for reports.</summary>
    public string Describe(bool bugFound)
    {
        string cutShort = filter.CutShort(PrunedExecutions);
        if (bugFound) return $"bug found after {CompleteExecutions} executions{cutShort}";
        if (exhausted && filter.CutSchedules) return filter.Incomplete(CompleteExecutions);
        if (IsExhausted)
            return $"complete: all {CompleteExecutions} schedules{filter.Covers} explored{cutShort}, no bug: this configuration is verified up to {maxSteps} steps";
        if (exhausted)
            return $"incomplete: the tree was explored, but {BoundHits} of {CompleteExecutions} executions hit the step bound ({maxSteps})";
        return $"incomplete: stopped by the iteration or time budget after {CompleteExecutions} executions{cutShort}";
    }
}

using Avic.Coyote.Runtime;
using Avic.Coyote.Strategies.Exhaustive;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Exhaustive, stateless depth-first search over every scheduling choice and every nondeterministic
/// value, up to the step bound. Each execution re-runs the test from the start, following the
/// current path and then taking the first choice still to explore; backtracking advances the
/// deepest choice point that has one left.
/// With reduction on, two classic partial-order reductions work together:
/// <list type="bullet">
/// <item>Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005): a choice point only
/// branches where the execution showed a race — two conflicting steps of different operations not
/// ordered by happens-before (vector clocks); then the later step's operation is tried first at the
/// earlier step's choice point (or, if it could not run there, every operation that could).</item>
/// <item>Sleep sets (Godefroid 1996): after exploring operation p at a choice point, p "sleeps" in the
/// sibling branches until a step that conflicts with p's step runs; executions in which every
/// enabled operation sleeps are cut short (pruned), and no two complete executions are equivalent.</item>
/// </list>
/// Steps conflict when they touch the same object and one writes it (their footprints, recorded by
/// the runtime). No two complete executions are equivalent, but not every equivalence class is reached:
/// backtracking only at the last race of each step loses a class when that choice point already sleeps
/// the racing operation (one writer, two readers: 3 of the 4 classes). `-s dfs` is now
/// <see cref="Exhaustive.OptimalDporStrategy"/> (also with a preemption bound: dfs-bounded); this one stays as
/// `-s dfs-sleepsets` for comparison, and as the unreduced search (dfs-full), which with a preemption bound
/// (dfs-bounded-full) covers every schedule with at most K preemptions — a guarantee no reduction keeps.
/// Completeness is claimed only when the tree was explored and no execution hit the bound.
/// </summary>
public sealed partial class DfsStrategy : IExhaustiveStrategy
{
    /// <summary>One choice point on the current path.</summary>
    private sealed class Node
    {
        public required bool IsValue;
        /// <summary>Operation ids enabled here (scheduling node).</summary>
        public int[] Options = [];
        /// <summary>Number of values (value node).</summary>
        public int ValueCount;
        public int Chosen;
        /// <summary>Scheduling nodes: the operation that ran the step before and the preemptions up to here (bound only).</summary>
        public int Previous = -1;
        public int PreemptionsBefore;
        /// <summary>Scheduling nodes: the sleep set on arrival, what was explored, and (with reduction) what must be.</summary>
        public List<Sleeper> SleepOnEntry = [];
        public readonly Dictionary<int, Footprint> Explored = new();
        public readonly HashSet<int> Tried = new();
        public readonly HashSet<int> Backtrack = new();
    }

    /// <summary>An executed step of the current execution, for race detection.</summary>
    private sealed class StepRecord
    {
        public required int Node;
        public required int Operation;
        public required int Index;      // the step's position in its operation (1-based), its own vector-clock entry
        public required Footprint Footprint;
        public required int[] Clock;    // happens-before clock after the step
    }

    private readonly bool reduction;
    private readonly int maxSteps;
    private readonly List<Node> path = new();
    private readonly List<StepRecord> steps = new();
    private readonly Dictionary<int, int[]> operationClocks = new();
    private int[] scratch = new int[16];
    private int clockWidth; // longest clock of this execution: operation ids seen so far + 1
    private readonly StepIndex stepIndex = new(); // steps of this execution by object touched
    private List<Sleeper> sleep = new();
    private int depth;
    private int lastSchedulingNode = -1;
    private bool started;
    private bool exhausted;

    private readonly PreemptionBound? bound;
    private int preemptions;

    /// <param name="preemptionBound">-1: every schedule; k ≥ 0 (without reduction only): every schedule with at most k
    /// preemptions, non-preemptive choices first.</param>
    public DfsStrategy(bool reduction, int maxSteps, int preemptionBound = -1)
    {
        if (reduction && preemptionBound >= 0)
            throw new ArgumentException("DPOR with sleep sets keeps one representative per class, which may need more preemptions than another member: no bound with reduction");
        this.reduction = reduction;
        this.maxSteps = maxSteps;
        if (preemptionBound >= 0) bound = new PreemptionBound(preemptionBound);
    }

    public string Name => bound is not null ? "dfs-bounded-full" : reduction ? "dfs-sleepsets" : "dfs-full";

    public bool NeedsFootprints => reduction;

    /// <summary>True once every path has been explored and no execution hit the bound: a proof.</summary>
    public bool IsExhausted => exhausted && BoundHits == 0 && (bound is null || bound.Skips == 0);

    /// <summary>Executions that ran to the end (a bug, quiescence, or the bound).</summary>
    public int CompleteExecutions { get; private set; }

    /// <summary>Executions cut short because every enabled operation was asleep (reduction only).</summary>
    public int PrunedExecutions { get; private set; }

    /// <summary>Executions cut by the step bound: while non-zero the search is not a proof.</summary>
    public int BoundHits { get; private set; }

    public bool PrepareIteration(int iteration)
    {
        depth = 0;
        preemptions = 0;
        lastSchedulingNode = -1;
        sleep = new List<Sleeper>();
        steps.Clear();
        operationClocks.Clear();
        clockWidth = 0;
        stepIndex.Clear();
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
            Node node = path[i];
            int next = NextAlternative(node);
            if (next >= 0)
            {
                node.Chosen = next;
                path.RemoveRange(i + 1, path.Count - i - 1);
                return true;
            }
        }
        path.Clear();
        return false;
    }

    /// <summary>The next option to explore at <paramref name="node"/>: untried, not asleep, and (with reduction)
    /// in the node's backtrack set; -1 if none.</summary>
    private int NextAlternative(Node node)
    {
        if (node.IsValue) return node.Chosen + 1 < node.ValueCount ? node.Chosen + 1 : -1;
        for (int k = 0; k < node.Options.Length; k++)
        {
            int id = node.Options[k];
            if (node.Tried.Contains(id) || IsAsleep(node.SleepOnEntry, id)) continue;
            if (reduction && !node.Backtrack.Contains(id)) continue;
            if (bound is not null && !bound.Allows(node.PreemptionsBefore, node.Previous, node.Options, id))
            {
                node.Tried.Add(id); // counted once
                continue;
            }
            return k;
        }
        return -1;
    }

    private static bool IsAsleep(List<Sleeper> set, int id) => SleepSets.IsAsleep(set, id);

    public int NextOperation(ReadOnlySpan<Operation> enabled, Operation? current, int step)
    {
        Node node;
        if (depth < path.Count)
        {
            node = path[depth];
            if (node.IsValue || node.Options.Length != enabled.Length)
                throw new InvalidOperationException($"exhaustive search: the test is not deterministic (step {step} differs from an earlier run of the same path)");
        }
        else
        {
            node = new Node
            {
                IsValue = false, Options = new int[enabled.Length], SleepOnEntry = sleep,
                Previous = current?.Id ?? -1, PreemptionsBefore = preemptions,
            };
            for (int i = 0; i < enabled.Length; i++) node.Options[i] = enabled[i].Id;
            node.Chosen = FirstAwake(node);
            if (node.Chosen < 0)
            {
                // Every enabled operation sleeps: all continuations were explored in a sibling branch.
                PrunedExecutions++;
                return -1;
            }
            node.Backtrack.Add(node.Options[node.Chosen]);
            path.Add(node);
        }
        lastSchedulingNode = depth;
        depth++;
        int chosenId = node.Options[node.Chosen];
        node.Tried.Add(chosenId);
        preemptions = node.PreemptionsBefore + PreemptionBound.Cost(node.Previous, node.Options, chosenId);
        for (int i = 0; i < enabled.Length; i++)
            if (enabled[i].Id == chosenId)
            {
                SeedClock(enabled[i]);
                return i;
            }
        throw new InvalidOperationException($"exhaustive search: the test is not deterministic (operation {chosenId} not enabled at step {step})");
    }

    /// <summary>The first choice at a new node: with a bound the previous operation if it can continue, else the first awake one.</summary>
    private int FirstAwake(Node node)
    {
        int previous = Array.IndexOf(node.Options, node.Previous);
        if (bound is not null && previous >= 0 && !IsAsleep(node.SleepOnEntry, node.Previous)) return previous;
        for (int k = 0; k < node.Options.Length; k++)
            if (!IsAsleep(node.SleepOnEntry, node.Options[k]) &&
                (bound is null || bound.Allows(node.PreemptionsBefore, node.Previous, node.Options, node.Options[k]))) return k;
        return -1;
    }

    /// <summary>An operation's first step happens after the step that created it.</summary>
    private void SeedClock(Operation op)
    {
        if (!reduction || operationClocks.ContainsKey(op.Id)) return;
        int creatingStep = op.CreatedAtStep - 1;
        operationClocks[op.Id] = creatingStep >= 0 && creatingStep < steps.Count ? (int[])steps[creatingStep].Clock.Clone() : [];
    }

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
    {
        Node node = path[lastSchedulingNode];
        var footprint = new Footprint(accesses.ToArray(), global);
        node.Explored[op.Id] = footprint;
        DetectRaces(op.Id, footprint, op.EnabledByStep - 1);

        sleep = SleepSets.After(node.SleepOnEntry, node.Explored, op.Id, footprint);
    }

    /// <summary>
    /// Finds the steps this one races with (reversibly conflicting, other operation, not happens-before it) and
    /// schedules the reversal: at the choice point before the latest racing step, this operation
    /// must be tried (or every enabled one, if it could not run there). Then advances the clocks.
    /// </summary>
    private void DetectRaces(int op, Footprint footprint, int enabledBy)
    {
        int[] clock = operationClocks.TryGetValue(op, out int[]? c) ? c : [];
        // The new clock is built in a scratch buffer and copied once: this runs after every step.
        int width = Math.Max(clockWidth, op + 1);
        clockWidth = width;
        if (scratch.Length < width) scratch = new int[width * 2];
        Array.Clear(scratch, 0, width);
        clock.CopyTo(scratch, 0);

        int lastRace = -1;
        void Consider(int j)
        {
            StepRecord earlier = steps[j];
            if (earlier.Operation == op || !earlier.Footprint.RacesWith(footprint)) return;
            // The step that unblocked this one cannot be reversed with it: not the race to backtrack for.
            bool ordered = j == enabledBy || (earlier.Operation < clock.Length && clock[earlier.Operation] >= earlier.Index);
            if (!ordered && j > lastRace) lastRace = j;
            int[] e = earlier.Clock;
            for (int k = 0; k < e.Length; k++) if (e[k] > scratch[k]) scratch[k] = e[k];
        }

        // Only steps that touched one of this step's objects (or touched everything) can race with it.
        if (footprint.IsWildcard)
        {
            for (int j = steps.Count - 1; j >= 0; j--) Consider(j);
        }
        else
        {
            foreach (int j in stepIndex.Wildcards) Consider(j);
            foreach (Access a in footprint.Accesses)
                if (stepIndex.TryGet(a.Key, out List<int> touching))
                    foreach (int j in touching) Consider(j);
        }
        if (lastRace >= 0)
        {
            Node at = path[steps[lastRace].Node];
            if (Array.IndexOf(at.Options, op) >= 0) at.Backtrack.Add(op);
            else foreach (int id in at.Options) at.Backtrack.Add(id);
        }

        int index = (op < clock.Length ? clock[op] : 0) + 1;
        scratch[op] = index;
        int[] updated = scratch.AsSpan(0, width).ToArray();
        operationClocks[op] = updated;
        steps.Add(new StepRecord { Node = lastSchedulingNode, Operation = op, Index = index, Footprint = footprint, Clock = updated });
        stepIndex.Add(steps.Count - 1, footprint);
    }

    public bool NextBoolean(int step) => NextValue(2) == 1;

    public int NextInteger(int maxValue, int step) => NextValue(maxValue);

    private int NextValue(int count)
    {
        Node node;
        if (depth < path.Count)
        {
            node = path[depth];
            if (!node.IsValue || node.ValueCount != count)
                throw new InvalidOperationException("exhaustive search: the test is not deterministic (a random choice differs from an earlier run of the same path)");
        }
        else
        {
            node = new Node { IsValue = true, ValueCount = count, Chosen = 0 };
            path.Add(node);
        }
        depth++;
        return node.Chosen;
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
        string pruned = reduction ? $", {PrunedExecutions} more cut short as equivalent (DPOR + sleep sets)" : "";
        if (bugFound) return $"bug found after {CompleteExecutions} executions{pruned}";
        if (exhausted && bound is { Skips: > 0 })
            return $"incomplete: explored every schedule with at most {bound.Limit} preemptions ({CompleteExecutions} executions), no bug; " +
                   $"{bound.Skips} choices beyond the bound were skipped";
        if (IsExhausted)
            return $"complete: all {CompleteExecutions} schedules{(reduction ? " (one per equivalence class)" : "")} explored{pruned}, no bug: this configuration is verified up to {maxSteps} steps";
        if (exhausted)
            return $"incomplete: the tree was explored, but {BoundHits} of {CompleteExecutions} executions hit the step bound ({maxSteps}); raise --max-steps for a proof";
        return $"incomplete: stopped by the iteration or time budget after {CompleteExecutions} executions{pruned}";
    }
}

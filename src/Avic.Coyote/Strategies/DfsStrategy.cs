using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Exhaustive, stateless depth-first search over every scheduling choice and every nondeterministic
/// value, up to the step bound. Each execution re-runs the test from the start, following the
/// current path and then taking the first untried choice; backtracking advances the deepest choice
/// that has an untried alternative.
/// With reduction on, sleep sets (Godefroid 1996) skip schedules that differ from an explored one
/// only in the order of independent steps: after exploring operation p at a choice point, p "sleeps"
/// in the sibling branches until a step that conflicts with p's step (same object, one a write) runs.
/// Every equivalence class (Mazurkiewicz trace) of complete executions is still explored exactly once;
/// executions in which every enabled operation sleeps are cut short (pruned).
/// Completeness is claimed only when the whole tree was explored and no execution hit the bound.
/// </summary>
public sealed class DfsStrategy : ISchedulingStrategy
{
    /// <summary>One choice point on the current path.</summary>
    private sealed class Node
    {
        public required bool IsValue;
        /// <summary>Operation ids (scheduling node) or the number of values (value node, in <see cref="ValueCount"/>).</summary>
        public int[] Options = [];
        public int ValueCount;
        public int Chosen;
        /// <summary>Scheduling nodes: the sleep set on arrival and the footprints of options explored here.</summary>
        public List<Sleeper> SleepOnEntry = [];
        public readonly Dictionary<int, Footprint> Explored = new();
    }

    private readonly record struct Footprint(Access[] Accesses, bool Global)
    {
        public bool ConflictsWith(Footprint other) =>
            Global || other.Global || Access.Conflict(Accesses, other.Accesses);
    }

    private readonly record struct Sleeper(int OperationId, Footprint Footprint);

    private readonly bool reduction;
    private readonly int maxSteps;
    private readonly List<Node> path = new();
    private List<Sleeper> sleep = new();
    private int depth;
    private int lastSchedulingNode = -1;
    private bool started;
    private bool exhausted;

    public DfsStrategy(bool reduction, int maxSteps)
    {
        this.reduction = reduction;
        this.maxSteps = maxSteps;
    }

    public string Name => reduction ? "dfs" : "dfs-full";

    public bool NeedsFootprints => reduction;

    /// <summary>True once every path has been explored (with or without bound hits; see <see cref="BoundHits"/>).</summary>
    public bool IsExhausted => exhausted && BoundHits == 0;

    /// <summary>Executions that ran to the end (a bug, quiescence, or the bound).</summary>
    public int CompleteExecutions { get; private set; }

    /// <summary>Executions cut short because every enabled operation was asleep (reduction only).</summary>
    public int PrunedExecutions { get; private set; }

    /// <summary>Executions cut by the step bound: while non-zero the search is not a proof.</summary>
    public int BoundHits { get; private set; }

    /// <summary>Whether the tree was explored to the end (completely, or up to the bound).</summary>
    public bool TreeExplored => exhausted;

    public bool PrepareIteration(int iteration)
    {
        depth = 0;
        lastSchedulingNode = -1;
        sleep = new List<Sleeper>();
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

    /// <summary>Advances the deepest choice that has an untried, non-sleeping alternative; false when none is left.</summary>
    private bool Backtrack()
    {
        for (int i = path.Count - 1; i >= 0; i--)
        {
            Node node = path[i];
            int next = NextAlternative(node, node.Chosen + 1);
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

    private int NextAlternative(Node node, int from)
    {
        int count = node.IsValue ? node.ValueCount : node.Options.Length;
        for (int k = from; k < count; k++)
        {
            if (node.IsValue) return k;
            int id = node.Options[k];
            if (!node.Explored.ContainsKey(id) && !IsAsleep(node.SleepOnEntry, id)) return k;
        }
        return -1;
    }

    private static bool IsAsleep(List<Sleeper> set, int id)
    {
        foreach (Sleeper s in set) if (s.OperationId == id) return true;
        return false;
    }

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
            node = new Node { IsValue = false, Options = new int[enabled.Length], SleepOnEntry = sleep };
            for (int i = 0; i < enabled.Length; i++) node.Options[i] = enabled[i].Id;
            node.Chosen = NextAlternative(node, 0);
            if (node.Chosen < 0)
            {
                // Every enabled operation sleeps: all continuations were explored in a sibling branch.
                PrunedExecutions++;
                return -1;
            }
            path.Add(node);
        }
        lastSchedulingNode = depth;
        depth++;
        int chosenId = node.Options[node.Chosen];
        for (int i = 0; i < enabled.Length; i++)
            if (enabled[i].Id == chosenId) return i;
        throw new InvalidOperationException($"exhaustive search: the test is not deterministic (operation {chosenId} not enabled at step {step})");
    }

    public void OnStepCompleted(Operation op, ReadOnlySpan<Access> accesses, bool global)
    {
        Node node = path[lastSchedulingNode];
        var footprint = new Footprint(accesses.ToArray(), global);
        node.Explored[op.Id] = footprint;

        // Sleep set of the next node: earlier sleepers and siblings explored before this choice,
        // kept only while independent of the step just taken.
        var next = new List<Sleeper>();
        foreach (Sleeper s in node.SleepOnEntry)
            if (s.OperationId != op.Id && !s.Footprint.ConflictsWith(footprint)) next.Add(s);
        foreach ((int id, Footprint f) in node.Explored)
            if (id != op.Id && !f.ConflictsWith(footprint) && !IsAsleep(next, id)) next.Add(new Sleeper(id, f));
        sleep = next;
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
        string pruned = reduction ? $", {PrunedExecutions} more cut short as equivalent (sleep sets)" : "";
        if (bugFound) return $"bug found after {CompleteExecutions} executions{pruned}";
        if (IsExhausted)
            return $"complete: all {CompleteExecutions} schedules{(reduction ? " (one per equivalence class)" : "")} explored{pruned}, no bug: this configuration is verified up to {maxSteps} steps";
        if (exhausted)
            return $"incomplete: the tree was explored, but {BoundHits} of {CompleteExecutions} executions hit the step bound ({maxSteps}); raise --max-steps for a proof";
        return $"incomplete: stopped by the iteration or time budget after {CompleteExecutions} executions{pruned}";
    }
}

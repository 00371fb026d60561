using System.Text;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Strategies.Exhaustive.Parallel;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Splitting <see cref="DfsStrategy"/>'s tree for the parallel search. A subtree's exploration reads from the
/// nodes above it only the path (and the preemptions along it) and the sleep set it starts with: its
/// backtracking stops at its root (<see cref="floor"/>), and its race detection only adds options to the
/// backtrack sets above, which commute. So the fork starts with those sets empty and hands back exactly
/// what it added; the owner takes their union in the order subtrees are reached, as the sequential search would.
/// </summary>
public sealed partial class DfsStrategy : ISplittableSearch
{
    /// <summary>A subtree search never backtracks above this node index (0: the whole tree).</summary>
    private int floor;

    /// <summary>A subtree search's copies of the nodes above its root (its path is cleared when it is done).</summary>
    private Node[] ancestors = [];

    int ISplittableSearch.Depth => depth;

    int ISplittableSearch.PathLength => path.Count;

    bool ISplittableSearch.Finished => exhausted;

    string ISplittableSearch.SubtreeKey()
    {
        var key = new StringBuilder();
        foreach (Node n in path) key.Append(n.IsValue ? 'v' : 'o').Append(n.IsValue ? n.Chosen : n.Options[n.Chosen]).Append(' ');
        key.Append('|');
        foreach (Sleeper s in sleep.OrderBy(s => s.OperationId)) AppendSleeper(key, s);
        return key.ToString();
    }

    internal static void AppendSleeper(StringBuilder key, Sleeper s)
    {
        key.Append(s.OperationId).Append(s.Footprint.Global ? "g" : "").Append('[');
        foreach (Access a in s.Footprint.Accesses) key.Append(a.Key).Append(a.IsWrite ? 'w' : 'r').Append(a.IsRelease ? "R" : "").Append(',');
        key.Append(']');
    }

    ISplittableSearch ISplittableSearch.Fork(bool subtree)
    {
        var fork = new DfsStrategy(reduction, maxSteps, bound?.Limit ?? -1)
        {
            floor = subtree ? path.Count : floor,
            // A subtree search's first execution replays the path and starts the new node.
            started = !subtree && started,
            exhausted = !subtree && exhausted,
        };
        foreach (Node n in path)
        {
            var copy = new Node
            {
                IsValue = n.IsValue, Options = n.Options, ValueCount = n.ValueCount, Chosen = n.Chosen,
                Previous = n.Previous, PreemptionsBefore = n.PreemptionsBefore, SleepOnEntry = n.SleepOnEntry,
            };
            foreach ((int id, Footprint f) in n.Explored) copy.Explored[id] = f;
            copy.Tried.UnionWith(n.Tried);
            if (!subtree) copy.Backtrack.UnionWith(n.Backtrack);
            fork.path.Add(copy);
        }
        if (subtree) fork.ancestors = fork.path.ToArray();
        return fork;
    }

    void ISplittableSearch.Absorb(ISplittableSearch subtree)
    {
        var s = (DfsStrategy)subtree;
        for (int i = 0; i < s.ancestors.Length; i++) path[i].Backtrack.UnionWith(s.ancestors[i].Backtrack);
        CompleteExecutions += s.CompleteExecutions;
        PrunedExecutions += s.PrunedExecutions;
        BoundHits += s.BoundHits;
        if (s.bound is not null) bound!.AddSkips(s.bound.Skips);
    }
}

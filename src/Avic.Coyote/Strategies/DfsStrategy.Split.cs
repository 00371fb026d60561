using System.Text;
using Avic.Coyote.Strategies.Exhaustive;
using Avic.Coyote.Strategies.Exhaustive.Parallel;

namespace Avic.Coyote.Strategies;

/// <summary>
/// Splitting <see cref="DfsStrategy"/>'s tree for the parallel search. A subtree's exploration reads from the
/// nodes above it only the path (and what the filter keeps there) and the filter's state at the cut (a sleep set):
/// its backtracking stops at its root (<see cref="floor"/>), and what the filter adds to the points above (DPOR's
/// backtrack sets) commutes. So the fork starts with those additions empty and hands back exactly
/// what it added; the owner takes their union in the order subtrees are reached, as the sequential search would.
/// </summary>
public sealed partial class DfsStrategy : ISplittableSearch
{
    /// <summary>A subtree search never backtracks above this node index (0: the whole tree).</summary>
    private int floor;

    /// <summary>A subtree search's copies of the nodes above its root (its path is cleared when it is done).</summary>
    private ChoicePoint[] ancestors = [];

    int ISplittableSearch.Depth => depth;

    int ISplittableSearch.PathLength => path.Count;

    bool ISplittableSearch.Finished => exhausted;

    string ISplittableSearch.SubtreeKey()
    {
        var key = new StringBuilder();
        foreach (ChoicePoint n in path) key.Append(n.IsValue ? 'v' : 'o').Append(n.IsValue ? n.Chosen : n.Options[n.Chosen]).Append(' ');
        key.Append('|');
        filter.AppendKey(key);
        return key.ToString();
    }

    ISplittableSearch ISplittableSearch.Fork(bool subtree)
    {
        var fork = new DfsStrategy(Name, maxSteps, filter.Fork())
        {
            floor = subtree ? path.Count : floor,
            // A subtree search's first execution replays the path and starts the new node.
            started = !subtree && started,
            exhausted = !subtree && exhausted,
        };
        foreach (ChoicePoint n in path) fork.path.Add(n.Copy(subtree));
        if (subtree) fork.ancestors = fork.path.ToArray();
        return fork;
    }

    void ISplittableSearch.Absorb(ISplittableSearch subtree)
    {
        var s = (DfsStrategy)subtree;
        for (int i = 0; i < s.ancestors.Length; i++) path[i].Absorb(s.ancestors[i]);
        CompleteExecutions += s.CompleteExecutions;
        PrunedExecutions += s.PrunedExecutions;
        BoundHits += s.BoundHits;
        filter.Absorb(s.filter);
    }
}

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// A preemption bound for an exhaustive search (iterative context bounding's observation: most bugs need few
/// preemptions). A preemption is a switch away from an operation that could have continued. The search asks
/// <see cref="Allows"/> before every choice and counts what the bound cut; it never calls a cut search complete.
/// </summary>
internal sealed class PreemptionBound(int limit)
{
    public int Limit => limit;

    /// <summary>Choices left unexplored because they would exceed the bound.</summary>
    public int Skips { get; private set; }

    /// <summary>Running <paramref name="id"/> after <paramref name="previous"/> preempts it if it could continue.</summary>
    public static int Cost(int previous, int[] enabled, int id) =>
        previous >= 0 && id != previous && Array.IndexOf(enabled, previous) >= 0 ? 1 : 0;

    public void CountSkip() => Skips++;

    /// <summary>Takes in the skips of a subtree explored by another thread (parallel search).</summary>
    public void AddSkips(int skips) => Skips += skips;

    /// <summary>True when running <paramref name="id"/> keeps the path within the bound; otherwise the choice is counted as skipped.</summary>
    public bool Allows(int preemptionsBefore, int previous, int[] enabled, int id)
    {
        if (preemptionsBefore + Cost(previous, enabled, id) <= limit) return true;
        Skips++;
        return false;
    }
}

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>
/// For race detection of one step: the releases it waits for (see <see cref="Footprint.HandOverKey"/>). Such a step
/// cannot run before the release, nor before anything the releasing operation did since it took the object, so none
/// of those steps is a race with it, even when it conflicts with them all (it touched an object without a stable id; for dfs-sleepsets, it drew a value); the race to reverse is
/// with the acquire (who takes the lock first).
/// </summary>
internal sealed class HandOvers
{
    private readonly List<(int Op, int Acquired, int Released)> held = new();

    public void Clear() => held.Clear();

    /// <summary>The step being added waits for a release (one was noted).</summary>
    public bool Any => held.Count > 0;

    /// <summary>Notes that the step being added waits for the release <paramref name="release"/> (step position) of
    /// <paramref name="key"/> by operation <paramref name="op"/> (its step index <paramref name="releaseIndex"/>);
    /// returns the position of the operation's acquire before it, -1 if none (a completion: nothing was taken).</summary>
    public int Note(StepIndex index, int release, long key, int op, int releaseIndex, Func<int, (int Op, int Index, Footprint Footprint)> stepAt)
    {
        int acquire = index.LastBefore(release, key, j => stepAt(j) is var s && s.Op == op && s.Footprint.Takes(key));
        held.Add((op, acquire >= 0 ? stepAt(acquire).Index : 0, releaseIndex));
        return acquire;
    }

    /// <summary>The index (in its operation) of the acquire before the noted release of <paramref name="op"/> with index
    /// <paramref name="releaseIndex"/>, 0 if none.</summary>
    public int AcquiredBefore(int op, int releaseIndex)
    {
        foreach ((int o, int acquired, int released) in held)
            if (o == op && released == releaseIndex) return acquired;
        return 0;
    }

    /// <summary>The step (operation, index in it) is the releasing operation's, after its acquire, up to the release.</summary>
    public bool Hides(int op, int stepIndex)
    {
        foreach ((int o, int acquired, int released) in held)
            if (o == op && stepIndex > acquired && stepIndex <= released) return true;
        return false;
    }
}

using Avic.Coyote.Runtime;

namespace Avic.Coyote.Strategies.Exhaustive;

/// <summary>What one step touched (recorded by the runtime), for the exhaustive strategies' reduction.
/// <paramref name="Global"/>: the step depends on every other step (dfs-sleepsets: it made a nondeterministic choice).
/// <paramref name="Drew"/>: the values the step drew, for a strategy that treats a draw as local (optimal DPOR): the
/// step is then the transition (operation, values), and what it depends on is only what it touched.</summary>
internal readonly record struct Footprint(Access[] Accesses, bool Global, Draws? Drew = null)
{
    /// <summary>The steps do not commute (a shared object, one writes it).</summary>
    public bool ConflictsWith(Footprint other) =>
        Global || other.Global || Access.Conflict(Accesses, other.Accesses);

    /// <summary>The conflict can be reversed: any conflict but a hand-over (see <see cref="HandOverKey"/>), whatever else
    /// the steps touched or drew: a lock release never races with the acquire after it (a later acquire cannot move
    /// before it); acquires of the same lock race with each other instead (who gets the lock first).</summary>
    public bool RacesWith(Footprint other) => ConflictsWith(other) && HandOverKey(other) is null;

    /// <summary>The object one of the steps releases and the other touches with a write on one side (an unlock and a
    /// lock, a reader's release and a writer's lock, a completion and a join), or null: the later step waits for the
    /// release, so it cannot run before it.</summary>
    public long? HandOverKey(Footprint other)
    {
        foreach (Access x in Accesses)
            foreach (Access y in other.Accesses)
                if (x.Key == y.Key && x.Key != Access.Unknown && (x.IsRelease || y.IsRelease) && (x.IsWrite || y.IsWrite)) return x.Key;
        return null;
    }

    /// <summary>The step released something (only then can it hand an object over, see <see cref="HandOverKey"/>).</summary>
    public bool Releases
    {
        get
        {
            foreach (Access a in Accesses) if (a.IsRelease) return true;
            return false;
        }
    }

    /// <summary>The step took <paramref name="key"/>: touched it without releasing it (an acquire).</summary>
    public bool Takes(long key)
    {
        foreach (Access a in Accesses) if (a.Key == key && !a.IsRelease) return true;
        return false;
    }

    /// <summary>A step that conflicts with every other (a random choice, or an object without a stable id).</summary>
    public bool IsWildcard
    {
        get
        {
            if (Global) return true;
            foreach (Access a in Accesses) if (a.Key == Access.Unknown) return true;
            return false;
        }
    }
}

/// <summary>The values one step drew (in order) and how many there were to draw from at each draw. The count of a draw
/// depends only on what the step read before it and the values drawn before it, so two runs of the same step from
/// equivalent states offer the same counts.</summary>
internal sealed class Draws(int[] values, int[] counts)
{
    public readonly int[] Values = values;
    public readonly int[] Counts = counts;

    /// <summary>The two steps drew the same values (or both drew none): the same transition of their operation.</summary>
    public static bool Same(Draws? a, Draws? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.Values.AsSpan().SequenceEqual(b.Values));
}

/// <summary>An operation that sleeps at a choice point: its step from there, already explored, is
/// independent of everything run since; running it now would only repeat an explored class.</summary>
internal readonly record struct Sleeper(int OperationId, Footprint Footprint);

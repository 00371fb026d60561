namespace Avic.Coyote.Runtime;

/// <summary>
/// A shared object that exhaustive search can tell apart across executions. Ids are handed out in
/// creation order by <see cref="ControlledRuntime.NewResourceId"/>, so the same object created on the
/// same path gets the same id in every execution; objects without one count as touching everything.
/// </summary>
public interface IControlledResource
{
    int ResourceId { get; }
}

/// <summary>A step touched the resource with key <paramref name="Key"/>, writing it or only reading it;
/// <paramref name="IsRelease"/> marks a lock release. Two steps are independent when no key is touched by both with a write.</summary>
public readonly record struct Access(long Key, bool IsWrite, bool IsRelease = false)
{
    /// <summary>Key of objects the engine cannot identify across executions: conflicts with every access.</summary>
    public const long Unknown = long.MinValue;

    /// <summary>Key of the operation table (spawns number operations, so they conflict with each other).</summary>
    public const long OperationTable = -1;

    public static long KeyOf(object resource) => resource switch
    {
        IControlledResource r => r.ResourceId,
        Operation op => -2L - op.Id,
        _ => Unknown,
    };

    /// <summary>Whether two footprints conflict (a shared key with at least one write, or an unknown object).</summary>
    public static bool Conflict(ReadOnlySpan<Access> a, ReadOnlySpan<Access> b)
    {
        foreach (Access x in a)
            foreach (Access y in b)
                if (x.Key == Unknown || y.Key == Unknown || ((x.IsWrite || y.IsWrite) && x.Key == y.Key)) return true;
        return false;
    }

    /// <summary>
    /// The conflicts that can be reversed, for race detection: as <see cref="Conflict"/> but a lock release
    /// never races (a later acquire cannot move before it). Acquires of the same lock race with each
    /// other instead, which is the reversal that matters (who gets the lock first).
    /// </summary>
    public static bool Race(ReadOnlySpan<Access> a, ReadOnlySpan<Access> b)
    {
        foreach (Access x in a)
        {
            if (x.IsRelease) continue;
            foreach (Access y in b)
                if (!y.IsRelease && (x.Key == Unknown || y.Key == Unknown || ((x.IsWrite || y.IsWrite) && x.Key == y.Key))) return true;
        }
        return false;
    }
}

namespace Avic.Coyote;

/// <summary>The kind of shared access an operation is about to make at its scheduling point.
/// The engine records it for traces and for partial-order reduction.</summary>
public enum AccessKind : byte
{
    None,
    Read,
    Write,
    ReadWrite,
    Lock,
    Unlock,
    Receive,
    Send,
    Flush,
    Other,
    /// <summary>A reader's release: commutes with other readers, and, like <see cref="Unlock"/>, never
    /// races with the writer it lets in (a writer cannot take the lock before a reader that holds it leaves).</summary>
    ReadUnlock,
    /// <summary>A memory barrier: orders the operation's own accesses, touches no shared object.</summary>
    Fence,
}

/// <summary>What kind of thing a shared resource is: decided by the primitive that owns it, for traces and pictures.</summary>
public enum ResourceKind : byte
{
    /// <summary>No resource (a step that touches nothing shared).</summary>
    None,
    /// <summary>A shared memory location (a shared variable).</summary>
    Memory,
    /// <summary>A mutual-exclusion lock.</summary>
    Lock,
    /// <summary>Another object operations wait on (a model's semaphore, grace period, completion...).</summary>
    Synchronization,
    /// <summary>An actor's inbox.</summary>
    Inbox,
    /// <summary>A specification monitor.</summary>
    Monitor,
    /// <summary>An operation (joined, or created).</summary>
    Operation,
    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>
/// A shared object that exhaustive search can tell apart across executions. Ids are handed out in
/// creation order by the runtime (<c>ControlledRuntime.NewResourceId</c>), so the same object created on the
/// same path gets the same id in every execution; objects without one count as touching everything.
/// Traces name it with <see cref="ResourceName"/> and group it by <see cref="ResourceKind"/> and <see cref="ResourceGroup"/>.
/// </summary>
public interface IControlledResource
{
    int ResourceId { get; }

    /// <summary>What kind of thing it is; by default a synchronization object if operations wait on it.</summary>
    ResourceKind ResourceKind => this is Blocker ? ResourceKind.Synchronization : ResourceKind.Other;

    /// <summary>The name traces use.</summary>
    string ResourceName => ToString() ?? GetType().Name;

    /// <summary>A finer kind the model gives (e.g. "table" for the entries of one table), or null.</summary>
    string? ResourceGroup => null;
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

    /// <summary>Key of part <paramref name="part"/> (0 to int.MaxValue - 1) of the resource with id <paramref name="resourceId"/>
    /// (a monitor's per-thread state): above every resource id, distinct per (resource, part), so parts of one resource never
    /// conflict with each other nor with the resource's own key (a caller that needs that records the resource too).</summary>
    public static long KeyOfPart(int resourceId, int part) => ((long)part + 1) << 32 | (uint)resourceId;

    /// <summary>The access a scheduling point declared: writes unless it only reads; releases for unlocks.</summary>
    public static Access Declared(object resource, AccessKind kind) =>
        new(KeyOf(resource), kind is not (AccessKind.Read or AccessKind.ReadUnlock), kind is AccessKind.Unlock or AccessKind.ReadUnlock);

    /// <summary>Whether two footprints conflict (a shared key with at least one write, or an unknown object).</summary>
    public static bool Conflict(ReadOnlySpan<Access> a, ReadOnlySpan<Access> b)
    {
        foreach (Access x in a)
            foreach (Access y in b)
                if (x.Key == Unknown || y.Key == Unknown || ((x.IsWrite || y.IsWrite) && x.Key == y.Key)) return true;
        return false;
    }
}

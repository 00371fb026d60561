namespace Avic.Coyote.Runtime;

/// <summary>What an operation is doing between two scheduling steps.</summary>
public enum OperationStatus
{
    /// <summary>Created, its body has not run yet.</summary>
    NotStarted,
    /// <summary>Stopped at a scheduling point; may be blocked by <see cref="Operation.Blocker"/>.</summary>
    Paused,
    /// <summary>Its body returned (or threw).</summary>
    Completed,
}

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
    /// <summary>A reader's release (up_read): commutes with other readers, and, like <see cref="Unlock"/>, never
    /// races with the writer it lets in (a writer cannot take the lock before a reader that holds it leaves).</summary>
    ReadUnlock,
}

/// <summary>
/// Something an operation can wait on (a lock, an inbox, an SRCU grace period...).
/// The engine asks <see cref="CanProceed"/> before offering the operation to the strategy,
/// so a strategy only ever picks operations whose next step can run.
/// </summary>
public abstract class Blocker
{
    /// <summary>True when <paramref name="op"/>'s pending step can run now.</summary>
    public abstract bool CanProceed(Operation op);

    /// <summary>For deadlock reports: what the operation is waiting for, in the model's words.</summary>
    public abstract string Describe(Operation op);
}

/// <summary>
/// One controlled thread of execution: an actor's event loop, a spawned kernel thread, the test's
/// main body, or a store buffer. Only the engine's scheduler resumes it, on the engine's one thread.
/// </summary>
public sealed class Operation
{
    internal Operation(int id, string name, Func<Task>? body)
    {
        Id = id;
        Name = name;
        Body = body;
    }

    /// <summary>Dense id in creation order; schedules refer to operations by it.</summary>
    public int Id { get; }

    /// <summary>The step during which the operation was created (0: before the first step).</summary>
    public int CreatedAtStep { get; internal init; }

    /// <summary>Id of the operation whose step created this one; -1 for the test's main operation.</summary>
    public int CreatedBy { get; internal init; } = -1;

    /// <summary>Name shown in traces and reports (e.g. "vcpu1").</summary>
    public string Name { get; }

    public OperationStatus Status { get; internal set; }

    /// <summary>Non-null while the pending step waits for something.</summary>
    public Blocker? Blocker { get; internal set; }

    /// <summary>True when the operation waits for its next event with nothing to do: quiescent, not deadlocked.</summary>
    public bool IsIdle { get; internal set; }

    /// <summary>The shared object the pending step touches (for traces and reduction); null if none.</summary>
    public object? PendingResource { get; internal set; }

    public AccessKind PendingAccess { get; internal set; }

    /// <summary>
    /// The step (1-based) that made this operation's pending step runnable after it had been blocked (an unlock, an
    /// up_read, a signal, a completion; for a new operation the step that created it); 0 when the step could run as
    /// soon as the operation reached it. Exhaustive search must not take that pair for a reversible race: the enabling
    /// step orders the two, and counting it as the race hides the earlier, reversible one (e.g. a down_read that a
    /// down_write could have preceded).
    /// </summary>
    public int EnabledByStep { get; internal set; }

    /// <summary>Whether the operation was enabled when the runtime last looked (to see which step enabled it).</summary>
    internal bool WasEnabled;

    /// <summary>Free for the strategy to use (e.g. PCT priority bookkeeping); reset each iteration.</summary>
    public int StrategyData;

    internal Func<Task>? Body;
    internal Action? Continuation;
    internal string? PendingLabel;

    /// <summary>Where the operation's code is (set by actors to the running handler), for error messages.</summary>
    internal string? Location;
    internal Task? RootTask;
    internal bool ReachedSchedulingPoint;

    /// <summary>The store buffer of this operation under x86-TSO, created on its first buffered store.</summary>
    internal Sync.StoreBuffer? StoreBuffer;

    /// <summary>Set for the pseudo-operation that drains another operation's store buffer.</summary>
    internal Sync.StoreBuffer? FlushesBuffer;

    /// <summary>True for the pseudo-operation that makes another operation's buffered stores visible (x86-TSO).</summary>
    public bool IsStoreBuffer => FlushesBuffer is not null;

    /// <summary>True when the operation's next step can run now (not completed, not blocked; a store buffer with stores).</summary>
    public bool IsEnabled
    {
        get
        {
            if (Status == OperationStatus.Completed) return false;
            if (FlushesBuffer is not null) return FlushesBuffer.Count > 0;
            return Blocker is null || Blocker.CanProceed(this);
        }
    }

    public override string ToString() => Name;
}

// SRCU (kernel/rcu/srcutree.c) for kvm->srcu: srcu_read_lock/srcu_read_unlock and
// synchronize_srcu, which waits only for the readers that entered BEFORE it started (the reader
// set is snapshotted when synchronize_srcu begins; later readers do not delay it).
// Misuse is reported in the kernel's words: unlock without lock (INV-A5 imbalance), synchronize
// inside one's own read section (INV-A4 deadlock), and the lock-vs-SRCU orders via LockDep.
// Kernel facts: kvm-protocols.md §1.2, §1.3 (SYNC), §1.4 INV-A4/INV-A5.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>One SRCU domain. Also the blocker of operations waiting in synchronize_srcu().</summary>
public sealed class Srcu : Blocker, IControlledResource
{
    private readonly ControlledRuntime runtime;
    private readonly LockDep? lockdep;
    private readonly PerOperation<Reader> readers = new();
    /// <summary>The operations that ever read-locked this domain, in the order they first did (reports list them so).</summary>
    private readonly List<Operation> readerOrder = new();
    /// <summary>The start of each waiting synchronize_srcu()'s grace period (null: the operation is not in one).</summary>
    private readonly PerOperation<long?> waits = new();
    private long nextSequence;

    private struct Reader
    {
        public int Depth;
        public long FirstSequence;
        /// <summary>In <see cref="readerOrder"/>.</summary>
        public bool Listed;
    }

    public Srcu(ControlledRuntime runtime, LockDep? lockdep, string name)
    {
        this.runtime = runtime;
        ResourceId = runtime.NewResourceId();
        this.lockdep = lockdep;
        Name = name;
        Class = lockdep?.Class(name, isSrcu: true) ?? new LockClass(name, isSrcu: true);
        exits = new ReaderExits(runtime.NewResourceId(), name + " (readers' exits)");
    }

    /// <summary>The readers' exits as exhaustive search sees them: what a grace period's end waits for.</summary>
    private readonly ReaderExits exits;

    /// <summary>
    /// The domain's second key. A grace period's start snapshots which readers are inside (srcu_read_lock's side,
    /// the domain's own key); its end waits for those readers' srcu_read_unlock (this key). An unlock and a start
    /// commute: in either order the reader ends up outside, the grace period's start is the same sequence number,
    /// and its end can pass once both happened (srcutree.c: an unlock only bumps srcu_unlock_count, which the
    /// grace period's scan, not its start, reads). A lock and an end commute too: a reader that enters after the
    /// start does not delay that grace period. With one key, optimal DPOR reversed every unlock against every later
    /// synchronize_srcu() start, classes that differ only in whether the grace period had anybody to wait for.
    /// </summary>
    private sealed class ReaderExits(int resourceId, string name) : IControlledResource
    {
        public int ResourceId => resourceId;

        ResourceKind IControlledResource.ResourceKind => ResourceKind.Synchronization;

        public override string ToString() => name;
    }

    /// <summary>Identifies this object to exhaustive search (creation order).</summary>
    public int ResourceId { get; }

    public string Name { get; }

    public LockClass Class { get; }

    /// <summary>True while <paramref name="op"/> is inside a read-side critical section (srcu_read_lock_held).</summary>
    public bool IsReader(Operation op) => readers.Get(op).Depth > 0;

    /// <summary>True while <paramref name="op"/> is inside synchronize_srcu() after its start (its grace period is running).</summary>
    public bool IsSynchronizing(Operation op) => waits.Get(op).HasValue;

    /// <summary>Read-lock nesting depth of <paramref name="op"/>.</summary>
    public int DepthOf(Operation op) => readers.Get(op).Depth;

    // For exhaustive search, read-side entry and exit are reads: two readers commute with each other. The entry
    // conflicts with a grace period's start (a write of the domain: was the reader inside before it?), the exit
    // with its end (a write of the readers' exits: the end waits for it), see ReaderExits.
    public SchedulingPoint<ReadLockAction, Unit> ReadLock() =>
        runtime.Point<ReadLockAction, Unit>(new ReadLockAction(this), this, AccessKind.Read);

    public SchedulingPoint<ReadUnlockAction, Unit> ReadUnlock() =>
        runtime.Point<ReadUnlockAction, Unit>(new ReadUnlockAction(this), exits, AccessKind.Read);

    /// <summary>synchronize_srcu(): two scheduling points, the start (reader snapshot) and the end of the grace period.</summary>
    public async Task Synchronize()
    {
        Operation op = runtime.CurrentOperation;
        lockdep?.BeforeSynchronize(op, this);
        if (lockdep is null && IsReader(op))
            throw runtime.Violation(BugKind.Deadlock, "INV-A4", $"INV-A4: synchronize_srcu() called inside an SRCU read-side critical section ({Name}, by '{op.Name}')");
        await runtime.Point<SyncStartAction, Unit>(new SyncStartAction(this), this, AccessKind.Other);
        await runtime.Point<SyncEndAction, Unit>(new SyncEndAction(this), exits, AccessKind.Other, this);
    }

    /// <summary>The grace period of <paramref name="op"/> is over when no reader that entered before it is left.</summary>
    public override bool CanProceed(Operation op)
    {
        long start = waits.Get(op)!.Value;
        foreach (Operation r in readerOrder)
            if (EnteredBefore(r, start)) return false;
        return true;
    }

    /// <summary>Whether <paramref name="op"/> is a reader that entered before the grace period starting at <paramref name="start"/>.</summary>
    private bool EnteredBefore(Operation op, long start) => readers.Get(op) is { Depth: > 0 } r && r.FirstSequence < start;

    public override string Describe(Operation op)
    {
        long start = waits.Get(op)!.Value;
        var old = readerOrder.Where(r => EnteredBefore(r, start)).Select(r => $"'{r.Name}'");
        return $"synchronize_srcu(&{Name}): the grace period waits for reader(s) {string.Join(", ", old)} that entered before it";
    }

    public override string ToString() => Name;

    public readonly struct ReadLockAction(Srcu s) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            Operation op = rt.CurrentOperation;
            ref Reader r = ref s.readers[op];
            if (!r.Listed)
            {
                r.Listed = true;
                s.readerOrder.Add(op);
            }
            if (r.Depth++ == 0) r.FirstSequence = s.nextSequence++;
            s.lockdep?.Acquired(op, s);
            if (rt.IsTracing) rt.Log($"srcu_read_lock(&{s.Name})");
            return default;
        }
    }

    public readonly struct ReadUnlockAction(Srcu s) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            Operation op = rt.CurrentOperation;
            ref Reader r = ref s.readers[op];
            if (r.Depth == 0)
                throw rt.Violation(BugKind.AssertionFailure,
                    "INV-A5", $"INV-A5: SRCU imbalance: '{op.Name}' calls srcu_read_unlock(&{s.Name}) without holding srcu_read_lock(&{s.Name})");
            r.Depth--;
            s.lockdep?.Released(op, s);
            if (rt.IsTracing) rt.Log($"srcu_read_unlock(&{s.Name})");
            return default;
        }
    }

    public readonly struct SyncStartAction(Srcu s) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            // Readers that enter from now on get a sequence >= this and do not delay the grace period.
            s.waits[rt.CurrentOperation] = s.nextSequence++;
            if (rt.IsTracing)
            {
                long start = s.waits.Get(rt.CurrentOperation)!.Value;
                Srcu srcu = s;
                var old = srcu.readerOrder.Where(r => srcu.EnteredBefore(r, start)).Select(r => r.Name).ToList();
                rt.Log($"synchronize_srcu(&{s.Name}) starts; waits for {(old.Count == 0 ? "no reader" : string.Join(", ", old))}");
            }
            return default;
        }
    }

    public readonly struct SyncEndAction(Srcu s) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            s.waits[rt.CurrentOperation] = null;
            if (rt.IsTracing) rt.Log($"synchronize_srcu(&{s.Name}) returns: grace period over");
            return default;
        }
    }
}

public static partial class Linux
{
    /// <summary>srcu_read_lock(ssp)</summary>
    public static SchedulingPoint<Srcu.ReadLockAction, Unit> srcu_read_lock(Srcu ssp) => ssp.ReadLock();

    /// <summary>srcu_read_unlock(ssp, idx)</summary>
    public static SchedulingPoint<Srcu.ReadUnlockAction, Unit> srcu_read_unlock(Srcu ssp) => ssp.ReadUnlock();

    /// <summary>synchronize_srcu(ssp) / synchronize_srcu_expedited(ssp): waits for pre-existing readers.</summary>
    public static Task synchronize_srcu(Srcu ssp) => ssp.Synchronize();

    /// <summary>srcu_dereference_check(p, ssp, c) under CONFIG_PROVE_RCU: the walk needs SRCU or <paramref name="orLock"/>.</summary>
    public static void srcu_dereference_check(Srcu ssp, KernelMutex? orLock, string what)
    {
        ControlledRuntime rt = ControlledRuntime.Current ?? throw new InvalidOperationException("srcu_dereference_check outside the engine");
        Operation op = rt.CurrentOperation;
        if (ssp.IsReader(op) || (orLock is not null && ReferenceEquals(orLock.Owner, op))) return;
        throw rt.Violation(BugKind.AssertionFailure,
            "INV-A5", $"INV-A5: suspicious rcu_dereference_check() usage: '{op.Name}' walks {what} without holding {ssp.Name}{(orLock is null ? "" : " or " + orLock.Name)}");
    }
}

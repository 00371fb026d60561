// rw_semaphore (kernel/locking/rwsem.c): down_read/up_read/down_write/up_write, e.g.
// kvm->arch.apicv_update_lock. Readers share; a writer excludes readers and writers. Simplified:
// a waiting writer does not stop new readers (no reader/writer hand-off fairness is modelled).
// Each call is one scheduling point; lockdep order checks as for KernelMutex.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A controlled reader-writer semaphore.</summary>
public sealed class RwSemaphore : IControlledResource
{
    private readonly ControlledRuntime runtime;
    private readonly LockDep? lockdep;
    private readonly PerOperation<int> readHolds = new();
    private readonly ReadBlocker readBlocker;
    private readonly WriteBlocker writeBlocker;
    private int readers;

    public RwSemaphore(ControlledRuntime runtime, LockDep? lockdep, string name)
    {
        this.runtime = runtime;
        ResourceId = runtime.NewResourceId();
        this.lockdep = lockdep;
        Name = name;
        Class = lockdep?.Class(name) ?? new LockClass(name, isSrcu: false);
        readBlocker = new ReadBlocker(this);
        writeBlocker = new WriteBlocker(this);
    }

    /// <summary>Identifies this object to exhaustive search (creation order).</summary>
    public int ResourceId { get; }

    public string Name { get; }

    public LockClass Class { get; }

    /// <summary>The writer, or null.</summary>
    public Operation? Writer { get; private set; }

    /// <summary>Number of read holds.</summary>
    public int Readers => readers;

    public SchedulingPoint<Action, Unit> DownRead()
    {
        lockdep?.BeforeAcquire(runtime.CurrentOperation, this, "down_read");
        // Readers commute with each other (exhaustive search sees a read); writers conflict with both.
        return runtime.Point<Action, Unit>(new Action(this, Kind.DownRead), this, AccessKind.Read, readBlocker);
    }

    public SchedulingPoint<Action, Unit> UpRead() =>
        runtime.Point<Action, Unit>(new Action(this, Kind.UpRead), this, AccessKind.ReadUnlock);

    public SchedulingPoint<Action, Unit> DownWrite()
    {
        Operation op = runtime.CurrentOperation;
        lockdep?.BeforeAcquire(op, this, "down_write");
        if (ReferenceEquals(Writer, op) || readHolds.Get(op) > 0)
            throw runtime.Violation(BugKind.Deadlock, "INV-A4", $"INV-A4: '{op.Name}' calls down_write(&{Name}) while already holding it (self-deadlock)");
        return runtime.Point<Action, Unit>(new Action(this, Kind.DownWrite), this, AccessKind.Lock, writeBlocker);
    }

    public SchedulingPoint<Action, Unit> UpWrite() =>
        runtime.Point<Action, Unit>(new Action(this, Kind.UpWrite), this, AccessKind.Unlock);

    public override string ToString() => Name;

    public enum Kind : byte { DownRead, UpRead, DownWrite, UpWrite }

    public readonly struct Action(RwSemaphore s, Kind kind) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            Operation op = rt.CurrentOperation;
            switch (kind)
            {
                case Kind.DownRead:
                    s.readers++;
                    s.readHolds[op]++;
                    s.lockdep?.Acquired(op, s);
                    break;
                case Kind.UpRead:
                    if (s.readHolds.Get(op) == 0)
                        throw rt.Violation(BugKind.AssertionFailure, "DEBUG_RWSEMS", $"'{op.Name}' calls up_read(&{s.Name}) without holding it for read");
                    s.readers--;
                    s.readHolds[op]--;
                    s.lockdep?.Released(op, s);
                    break;
                case Kind.DownWrite:
                    s.Writer = op;
                    s.lockdep?.Acquired(op, s);
                    break;
                default:
                    if (!ReferenceEquals(s.Writer, op))
                        throw rt.Violation(BugKind.AssertionFailure, "DEBUG_RWSEMS", $"'{op.Name}' calls up_write(&{s.Name}) without holding it for write");
                    s.Writer = null;
                    s.lockdep?.Released(op, s);
                    break;
            }
            if (rt.IsTracing)
                rt.Log(kind switch
                {
                    Kind.DownRead => $"down_read(&{s.Name})",
                    Kind.UpRead => $"up_read(&{s.Name})",
                    Kind.DownWrite => $"down_write(&{s.Name})",
                    _ => $"up_write(&{s.Name})",
                });
            return default;
        }
    }

    private sealed class ReadBlocker(RwSemaphore s) : Blocker
    {
        public override bool CanProceed(Operation op) => s.Writer is null;
        public override string Describe(Operation op) => $"down_read(&{s.Name}), held for write by '{s.Writer?.Name}'";
    }

    private sealed class WriteBlocker(RwSemaphore s) : Blocker
    {
        public override bool CanProceed(Operation op) => s.Writer is null && s.readers == 0;
        public override string Describe(Operation op) =>
            s.Writer is not null ? $"down_write(&{s.Name}), held for write by '{s.Writer.Name}'"
                                 : $"down_write(&{s.Name}), held for read by {s.readers} reader(s)";
    }
}

public static partial class Linux
{
    public static SchedulingPoint<RwSemaphore.Action, Unit> down_read(RwSemaphore sem) => sem.DownRead();
    public static SchedulingPoint<RwSemaphore.Action, Unit> up_read(RwSemaphore sem) => sem.UpRead();
    public static SchedulingPoint<RwSemaphore.Action, Unit> down_write(RwSemaphore sem) => sem.DownWrite();
    public static SchedulingPoint<RwSemaphore.Action, Unit> up_write(RwSemaphore sem) => sem.UpWrite();
}

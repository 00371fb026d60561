// mutex_lock()/mutex_unlock() (kernel/locking/mutex.c) as a controlled lock: each call is one
// scheduling point; a waiter is not offered to the strategy until the mutex is free; lockdep
// (LockDep) checks the order before the caller would sleep. Used for kvm->lock, vcpu->mutex,
// kvm->slots_lock, kvm->slots_arch_lock, kvm->mmu_lock.
// Note: acquire/release do not drain the caller's x86-TSO store buffer (the engine has no public
// drain for custom primitives); models that need TSO must add smp_mb() themselves.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A kernel sleeping lock with an owner, an instance name ("vcpu0->mutex") and a lockdep class ("vcpu->mutex").</summary>
public sealed class KernelMutex : Blocker, IControlledResource
{
    private readonly ControlledRuntime runtime;
    private readonly LockDep? lockdep;

    public KernelMutex(ControlledRuntime runtime, LockDep? lockdep, string name, string? className = null)
    {
        this.runtime = runtime;
        ResourceId = runtime.NewResourceId();
        this.lockdep = lockdep;
        Name = name;
        Class = lockdep?.Class(className ?? name) ?? new LockClass(className ?? name, isSrcu: false);
    }

    /// <summary>Identifies this object to exhaustive search (creation order).</summary>
    public int ResourceId { get; }

    public string Name { get; }

    public LockClass Class { get; }

    /// <summary>The operation holding the mutex, or null.</summary>
    public Operation? Owner { get; private set; }

    /// <summary>mutex_lock(): lockdep check now, then a scheduling point that waits until the mutex is free.</summary>
    public SchedulingPoint<LockAction, Unit> Lock()
    {
        Operation op = runtime.CurrentOperation;
        lockdep?.BeforeAcquire(op, this, "mutex_lock");
        if (ReferenceEquals(Owner, op))
            throw runtime.Violation(BugKind.Deadlock, "INV-A4", $"INV-A4: '{op.Name}' calls mutex_lock(&{Name}) while already holding it (self-deadlock)");
        return runtime.Point<LockAction, Unit>(new LockAction(this), this, AccessKind.Lock, this);
    }

    /// <summary>mutex_unlock(): unlocking a mutex the caller does not hold is a bug (DEBUG_MUTEXES warns).</summary>
    public SchedulingPoint<UnlockAction, Unit> Unlock() =>
        runtime.Point<UnlockAction, Unit>(new UnlockAction(this), this, AccessKind.Unlock);

    public override bool CanProceed(Operation op) => Owner is null;

    public override string Describe(Operation op) =>
        $"mutex_lock(&{Name}), held by '{(ReferenceEquals(Owner, op) ? op.Name + "' itself" : Owner?.Name + "'")}";

    public override string ToString() => Name;

    public readonly struct LockAction(KernelMutex m) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            m.Owner = rt.CurrentOperation;
            m.lockdep?.Acquired(m.Owner, m);
            if (rt.IsTracing) rt.Log($"mutex_lock(&{m.Name})");
            return default;
        }
    }

    public readonly struct UnlockAction(KernelMutex m) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            Operation op = rt.CurrentOperation;
            if (!ReferenceEquals(m.Owner, op))
                throw rt.Violation(BugKind.AssertionFailure, "DEBUG_MUTEXES",
                    $"DEBUG_MUTEXES: '{op.Name}' calls mutex_unlock(&{m.Name}), which it does not hold ({(m.Owner is null ? "nobody holds it" : "held by '" + m.Owner.Name + "'")})");
            m.Owner = null;
            m.lockdep?.Released(op, m);
            if (rt.IsTracing) rt.Log($"mutex_unlock(&{m.Name})");
            return default;
        }
    }
}

public static partial class Linux
{
    /// <summary>mutex_lock(&amp;m)</summary>
    public static SchedulingPoint<KernelMutex.LockAction, Unit> mutex_lock(KernelMutex m) => m.Lock();

    /// <summary>mutex_unlock(&amp;m)</summary>
    public static SchedulingPoint<KernelMutex.UnlockAction, Unit> mutex_unlock(KernelMutex m) => m.Unlock();
}

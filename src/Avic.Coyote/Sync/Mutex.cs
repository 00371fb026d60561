using Avic.Coyote.Runtime;

namespace Avic.Coyote.Sync;

/// <summary>
/// A controlled mutual-exclusion lock. Acquire and release are scheduling points; an operation
/// waiting for it is not offered to the strategy until the lock is free, and a cycle of waiters
/// is reported as a deadlock. Acquire and release drain the store buffer (locked instructions).
/// </summary>
public sealed class Mutex : Blocker, IControlledResource
{
    private readonly ControlledRuntime runtime;

    public Mutex(string name) : this(ControlledRuntime.Current ?? throw new InvalidOperationException("create mutexes inside a test"), name)
    {
    }

    public Mutex(ControlledRuntime runtime, string name)
    {
        this.runtime = runtime;
        Name = name;
        ResourceId = runtime.NewResourceId();
    }

    public int ResourceId { get; }

    public string Name { get; }

    /// <summary>A finer kind the model gives the lock for traces and pictures (e.g. "table locks"), or null.</summary>
    public string? Group { get; init; }

    ResourceKind IControlledResource.ResourceKind => ResourceKind.Lock;

    string IControlledResource.ResourceName => Name;

    string? IControlledResource.ResourceGroup => Group;

    /// <summary>The operation holding the lock, or null.</summary>
    public Operation? Owner { get; private set; }

    public SchedulingPoint<LockAction, Unit> Lock() =>
        runtime.Point<LockAction, Unit>(new LockAction(this), this, AccessKind.Lock, this);

    public SchedulingPoint<UnlockAction, Unit> Unlock() =>
        runtime.Point<UnlockAction, Unit>(new UnlockAction(this), this, AccessKind.Unlock);

    public override bool CanProceed(Operation op) => Owner is null;

    public override string Describe(Operation op) =>
        $"{Name} held by '{(ReferenceEquals(Owner, op) ? op.Name + "' itself" : Owner?.Name + "'")}";

    public readonly struct LockAction(Mutex m) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            rt.DrainStoreBuffer();
            m.Owner = rt.CurrentOperation;
            if (rt.IsTracing) rt.Log($"lock({m.Name})");
            return default;
        }
    }

    public readonly struct UnlockAction(Mutex m) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            Operation op = rt.CurrentOperation;
            if (!ReferenceEquals(m.Owner, op))
                throw rt.Violation(BugKind.AssertionFailure,
                    $"'{op.Name}' unlocks {m.Name}, which it does not hold ({(m.Owner is null ? "nobody holds it" : "held by '" + m.Owner.Name + "'")})");
            rt.DrainStoreBuffer();
            m.Owner = null;
            if (rt.IsTracing) rt.Log($"unlock({m.Name})");
            return default;
        }
    }
}

// lockdep for one modelled kernel (one per execution): which locks each operation holds, a
// dependency graph between lock classes seeded with the documented order, and the SRCU rules of
// Documentation/virt/kvm/locking.rst. Like the kernel's lockdep it reports an order inversion the
// first time both orders have been SEEN, even when this schedule did not deadlock. The SRCU rules
// are learned the same way (a lock held across synchronize_srcu, a lock taken inside a read
// section); a model declares only a rule none of its paths shows (DeclareSynchronizedUnder).
// Kernel facts: kvm-protocols.md §1.2 (locking.rst), §1.4 INV-A4.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A lock class (lockdep's key): every vCPU's <c>vcpu->mutex</c> is one class.</summary>
public sealed class LockClass
{
    internal LockClass(string name, bool isSrcu)
    {
        Name = name;
        IsSrcu = isSrcu;
        if (!isSrcu) return;
        SynchronizedUnder = new();
        TakenInside = new();
    }

    public string Name { get; }

    /// <summary>An SRCU domain (read sections never block each other; synchronize waits for them).</summary>
    public bool IsSrcu { get; }

    // Edges "this held, then target taken", with where the order was first seen.
    internal readonly List<(LockClass Target, LockOrigin Origin)> After = new();
    internal int Visit;

    // SRCU only (null for a mutex class): mutex classes held across synchronize_srcu / taken inside read sections.
    internal readonly LockRules? SynchronizedUnder;
    internal readonly LockRules? TakenInside;

    public override string ToString() => Name;
}

/// <summary>The mutex classes an SRCU rule names, with where each was first seen. Asked on every lock taken inside a
/// read section: a model has a handful of classes, and a scan comparing references beats hashing them.</summary>
internal sealed class LockRules
{
    private readonly List<(LockClass Class, LockOrigin Origin)> rules = new();

    public bool TryGetValue(LockClass c, out LockOrigin origin)
    {
        foreach ((LockClass k, LockOrigin o) in rules)
        {
            if (!ReferenceEquals(k, c)) continue;
            origin = o;
            return true;
        }
        origin = default;
        return false;
    }

    /// <summary>Adds the rule for <paramref name="c"/> unless it has one (the first origin is kept).</summary>
    public void TryAdd(LockClass c, LockOrigin origin)
    {
        if (!TryGetValue(c, out _)) rules.Add((c, origin));
    }

    /// <summary>Sets the rule for <paramref name="c"/> (a declared rule replaces a learned one).</summary>
    public void Set(LockClass c, LockOrigin origin)
    {
        for (int i = 0; i < rules.Count; i++)
        {
            if (!ReferenceEquals(rules[i].Class, c)) continue;
            rules[i] = (c, origin);
            return;
        }
        rules.Add((c, origin));
    }
}

/// <summary>Where lockdep first saw an order or rule: a document, the model's declared order, or an operation at a
/// step. Its text is made only when a report quotes it: a model's lockdep learns its orders anew in every execution.</summary>
internal readonly struct LockOrigin
{
    private readonly string? text;
    private readonly string[]? declaredOrder;
    private readonly Operation? op;
    private readonly int step;

    /// <param name="text">A fixed origin, e.g. "Documentation/virt/kvm/locking.rst"; or, with <paramref name="op"/>,
    /// how the order was seen ("first seen in"), which goes on with " '{op}' at step {step}".</param>
    public LockOrigin(string text, Operation? op = null, int step = 0) => (this.text, this.op, this.step) = (text, op, step);

    public LockOrigin(string[] declaredOrder) => this.declaredOrder = declaredOrder;

    public override string ToString() =>
        declaredOrder is not null ? "declared order " + string.Join(" → ", declaredOrder)
        : op is null ? text ?? ""
        : $"{text} '{op.Name}' at step {step}";
}

/// <summary>
/// Held-lock stacks per operation and the checks lockdep would make. Create one per execution
/// (inside the test), pass it to every <see cref="KernelMutex"/>, <see cref="Srcu"/> and
/// <see cref="RwSemaphore"/> of the modelled kernel.
/// </summary>
public sealed class LockDep
{
    private readonly ControlledRuntime runtime;
    /// <summary>The classes by name. A model has a handful, and builds its lockdep in every execution: a scan (the names
    /// are mostly the same literals, so the comparison is usually a reference check) beats building a hash table.</summary>
    private readonly List<LockClass> classes = new(8);
    private readonly PerOperation<List<object>?> held = new();
    private int visitStamp;

    /// <param name="order">Mutex classes from outermost to innermost, e.g. kvm->lock, vcpu->mutex, ...</param>
    public LockDep(ControlledRuntime runtime, params string[] order)
    {
        this.runtime = runtime;
        for (int i = 0; i + 1 < order.Length; i++)
            Class(order[i]).After.Add((Class(order[i + 1]), new LockOrigin(order)));
    }

    /// <summary>The class named <paramref name="name"/> (created on first use).</summary>
    public LockClass Class(string name, bool isSrcu = false)
    {
        for (int i = 0; i < classes.Count; i++)
            if (string.Equals(classes[i].Name, name)) return classes[i];
        var c = new LockClass(name, isSrcu);
        classes.Add(c);
        return c;
    }

    /// <summary>locking.rst: <paramref name="mutex"/> is held across synchronize_srcu(<paramref name="srcu"/>),
    /// so it must not be taken inside <paramref name="srcu"/> read sections.</summary>
    public void DeclareSynchronizedUnder(string srcu, string mutex) =>
        Class(srcu, isSrcu: true).SynchronizedUnder!.Set(Class(mutex), new LockOrigin("Documentation/virt/kvm/locking.rst"));

    /// <summary>The locks <paramref name="op"/> holds, outermost first (KernelMutex, RwSemaphore or Srcu).</summary>
    public IReadOnlyList<object> HeldBy(Operation op) => held.Get(op) ?? (IReadOnlyList<object>)[];

    internal void Acquired(Operation op, object lockObject) => (held[op] ??= new List<object>(4)).Add(lockObject);

    internal void Released(Operation op, object lockObject)
    {
        if (held.Get(op) is { } l)
        {
            for (int i = l.Count - 1; i >= 0; i--)
            {
                if (!ReferenceEquals(l[i], lockObject)) continue;
                l.RemoveAt(i);
                return;
            }
        }
    }

    private static LockClass ClassOf(object o) => o switch
    {
        KernelMutex m => m.Class,
        RwSemaphore r => r.Class,
        Srcu s => s.Class,
        _ => throw new ArgumentException("not a lock", nameof(o)),
    };

    private static string NameOf(object o) => o switch
    {
        KernelMutex m => m.Name,
        RwSemaphore r => r.Name,
        Srcu s => s.Name,
        _ => o.ToString() ?? "",
    };

    /// <summary>lock_acquire() for a sleeping lock, checked before the operation waits for it.</summary>
    internal void BeforeAcquire(Operation op, object lockObject, string what)
    {
        if (held.Get(op) is not { } l) return;
        LockClass target = ClassOf(lockObject);
        for (int i = 0; i < l.Count; i++)
        {
            object h = l[i];
            LockClass hc = ClassOf(h);
            if (hc.IsSrcu)
            {
                // INV-A4(a): a reader must not wait for a lock that is held across synchronize_srcu().
                if (hc.SynchronizedUnder!.TryGetValue(target, out LockOrigin origin))
                    throw runtime.Violation(BugKind.Deadlock,
                        "INV-A4", $"INV-A4(a): possible deadlock: '{op.Name}' waits for {what}({NameOf(lockObject)}) inside a {hc.Name} read-side critical section, " +
                        $"but {target.Name} is held across synchronize_srcu({hc.Name}) ({origin}): the holder waits for this reader, this reader waits for the holder");
                hc.TakenInside!.TryAdd(target, new LockOrigin("first taken inside a read section by", op, runtime.Step));
                continue;
            }
            if (ReferenceEquals(hc, target))
            {
                if (ReferenceEquals(h, lockObject) || !(lockObject is RwSemaphore))
                    throw runtime.Violation(BugKind.AssertionFailure,
                        "INV-A4", $"INV-A4(b): possible recursive locking detected: '{op.Name}' takes {NameOf(lockObject)} while holding {NameOf(h)} (same lock class {hc.Name})");
                continue;
            }
            if (HasEdge(hc, target)) continue;
            if (FindPath(target, hc) is { } why)
                throw runtime.Violation(BugKind.AssertionFailure,
                    "INV-A4", $"INV-A4(b): possible deadlock: lock order: {target.Name} taken while holding {hc.Name} (by '{op.Name}'), " +
                    $"but {hc.Name} is taken while holding {target.Name} elsewhere ({why})");
            hc.After.Add((target, new LockOrigin("first seen in", op, runtime.Step)));
        }
    }

    /// <summary>synchronize_srcu() may sleep until every earlier reader is gone: the SRCU rules.</summary>
    internal void BeforeSynchronize(Operation op, Srcu srcu)
    {
        if (held.Get(op) is not { } l) return;
        LockClass sc = srcu.Class;
        for (int i = 0; i < l.Count; i++)
        {
            object h = l[i];
            if (ReferenceEquals(h, srcu))
                throw runtime.Violation(BugKind.Deadlock,
                    "INV-A4", $"INV-A4: synchronize_srcu() called inside an SRCU read-side critical section ({srcu.Name}, by '{op.Name}'): it waits for its own reader");
            LockClass hc = ClassOf(h);
            if (hc.IsSrcu) continue;
            if (sc.TakenInside!.TryGetValue(hc, out LockOrigin origin))
                throw runtime.Violation(BugKind.Deadlock,
                    "INV-A4", $"INV-A4(c): possible deadlock: '{op.Name}' calls synchronize_srcu({sc.Name}) while holding {NameOf(h)}, " +
                    $"which is taken inside {sc.Name} read-side critical sections ({origin})");
            sc.SynchronizedUnder!.TryAdd(hc, new LockOrigin("first held across synchronize_srcu by", op, runtime.Step));
        }
    }

    private static bool HasEdge(LockClass from, LockClass to)
    {
        foreach ((LockClass t, _) in from.After) if (ReferenceEquals(t, to)) return true;
        return false;
    }

    // Depth-first search from -> ... -> to; returns the origin of the first edge on the path, or null.
    private string? FindPath(LockClass from, LockClass to)
    {
        visitStamp++;
        return Search(from, to, visitStamp);
    }

    private static string? Search(LockClass from, LockClass to, int stamp)
    {
        from.Visit = stamp;
        foreach ((LockClass t, LockOrigin edge) in from.After)
        {
            if (ReferenceEquals(t, to)) return edge.ToString();
            if (t.Visit != stamp && Search(t, to, stamp) is { } found)
            {
                string origin = edge.ToString();
                return origin == found ? origin : $"{origin}; {found}";
            }
        }
        return null;
    }
}

// READ_ONCE/WRITE_ONCE, smp_load_acquire/smp_store_release, xchg, smp_mb as thin kernel-named helpers
// over the engine's SharedVar and Fence, so model code reads like the C: await READ_ONCE(x).
// On x86 an acquire load and a release store are plain MOVs (TSO gives the ordering), so they are
// the same controlled accesses as READ_ONCE/WRITE_ONCE; smp_mb() drains the store buffer.
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;

namespace Avic.Coyote.Models.Kernel;

public static partial class Linux
{
    public static SchedulingPoint<SharedVar<T>.ReadAction, T> READ_ONCE<T>(SharedVar<T> x) => x.Read();

    public static SchedulingPoint<SharedVar<T>.WriteAction, Unit> WRITE_ONCE<T>(SharedVar<T> x, T value) => x.Write(value);

    public static SchedulingPoint<SharedVar<T>.ReadAction, T> smp_load_acquire<T>(SharedVar<T> p) => p.Read();

    public static SchedulingPoint<SharedVar<T>.WriteAction, Unit> smp_store_release<T>(SharedVar<T> p, T value) => p.Write(value);

    /// <summary>xchg(&amp;x, value): an atomic exchange, returns the old value (one access that reads and writes x).</summary>
    public static SchedulingPoint<SharedVar<T>.CompareExchangeAction, T> xchg<T>(SharedVar<T> x, T value) => x.Exchange(value);

    public static SchedulingPoint smp_mb() =>
        (ControlledRuntime.Current ?? throw new InvalidOperationException("smp_mb outside the engine")).Fence();
}

/// <summary>
/// A kernel function whose body is one load and a pure expression of the value ("return READ_ONCE(x) == 0;"):
/// the load's own scheduling point (the same access as READ_ONCE), whose result is <paramref name="map"/> of the value.
/// The caller awaits the point directly: such a function costs no async frame per call (they run at every guest entry).
/// </summary>
public readonly struct ReadOnceMap<T, TResult>(SharedVar<T> x, Func<T, TResult> map) : IResumeAction<TResult>
{
    public TResult Run(ControlledRuntime rt) => map(new SharedVar<T>.ReadAction(x).Run(rt));
}

public static partial class Linux
{
    /// <summary>READ_ONCE(x) then <paramref name="map"/> of the value, as one scheduling point (see <see cref="ReadOnceMap{T, TResult}"/>);
    /// <paramref name="map"/> must be static (no allocation per call) and read nothing shared.</summary>
    public static SchedulingPoint<ReadOnceMap<T, TResult>, TResult> READ_ONCE_map<T, TResult>(SharedVar<T> x, Func<T, TResult> map) =>
        (ControlledRuntime.Current ?? throw new InvalidOperationException("READ_ONCE outside the engine"))
            .Point<ReadOnceMap<T, TResult>, TResult>(new ReadOnceMap<T, TResult>(x, map), x, AccessKind.Read);
}

// READ_ONCE/WRITE_ONCE, smp_load_acquire/smp_store_release, smp_mb as thin kernel-named helpers
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

    public static SchedulingPoint smp_mb() =>
        (ControlledRuntime.Current ?? throw new InvalidOperationException("smp_mb outside the engine")).Fence();
}

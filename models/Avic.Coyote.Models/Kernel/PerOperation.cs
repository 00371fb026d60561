// Per-thread state of a kernel primitive (the locks a task holds, its SRCU read depth): one slot per operation,
// indexed by the operation's id (ids are 0..n-1 in creation order in every execution), so the lookups on every lock
// and unlock are an array index rather than a hash of the operation.
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Kernel;

/// <summary>A value per operation of the execution, default until set.</summary>
internal sealed class PerOperation<T>
{
    private T[] slots = new T[8];

    /// <summary>The slot of <paramref name="op"/> (made on first use).</summary>
    public ref T this[Operation op]
    {
        get
        {
            if (op.Id >= slots.Length) Array.Resize(ref slots, Math.Max(op.Id + 1, slots.Length * 2));
            return ref slots[op.Id];
        }
    }

    /// <summary>The value of <paramref name="op"/>'s slot, without making it.</summary>
    public T? Get(Operation op) => op.Id < slots.Length ? slots[op.Id] : default;
}

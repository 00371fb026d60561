using Avic.Coyote.Runtime;

namespace Avic.Coyote.Sync;

/// <summary>A shared location whose stores can sit in a store buffer (x86-TSO).</summary>
public abstract class StoreTarget : IControlledResource
{
    protected StoreTarget(ControlledRuntime runtime, string name)
    {
        Name = name;
        ResourceId = runtime.NewResourceId();
    }

    public int ResourceId { get; }

    /// <summary>The name used in traces, e.g. "table[1]".</summary>
    public string Name { get; }

    internal abstract void Commit(long bits, object? boxed);

    internal abstract string Format(long bits, object? boxed);
}

/// <summary>
/// The FIFO store buffer of one operation under x86-TSO. A companion pseudo-operation
/// ("vcpu1.sb") drains one store per step when the strategy picks it, so when a store becomes
/// visible is explored like any other scheduling choice and recorded in schedules.
/// </summary>
internal sealed class StoreBuffer
{
    private struct Entry
    {
        public StoreTarget Target;
        public long Bits;
        public object? Boxed;
    }

    private Entry[] entries = new Entry[4];
    private int head;
    private int count;

    public StoreBuffer(Operation owner) => Owner = owner;

    public Operation Owner { get; }

    public int Count => count;

    public void Enqueue(StoreTarget target, long bits, object? boxed)
    {
        if (count == entries.Length)
        {
            var bigger = new Entry[entries.Length * 2];
            for (int i = 0; i < count; i++) bigger[i] = entries[(head + i) % entries.Length];
            entries = bigger;
            head = 0;
        }
        entries[(head + count) % entries.Length] = new Entry { Target = target, Bits = bits, Boxed = boxed };
        count++;
    }

    /// <summary>Store-to-load forwarding: the newest buffered store to <paramref name="target"/>.</summary>
    public bool TryForward(StoreTarget target, out long bits, out object? boxed)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            ref Entry e = ref entries[(head + i) % entries.Length];
            if (ReferenceEquals(e.Target, target))
            {
                bits = e.Bits;
                boxed = e.Boxed;
                return true;
            }
        }
        bits = 0;
        boxed = null;
        return false;
    }

    public void FlushOldest(ControlledRuntime runtime)
    {
        ref Entry e = ref entries[head];
        e.Target.Commit(e.Bits, e.Boxed);
        runtime.RecordAccess(e.Target, write: true);
        if (runtime.IsTracing) runtime.Log($"store buffer of {Owner.Name} flushes {e.Target.Name} = {e.Target.Format(e.Bits, e.Boxed)}");
        e = default;
        head = (head + 1) % entries.Length;
        count--;
    }

    public void DrainAll(ControlledRuntime runtime)
    {
        while (count > 0) FlushOldest(runtime);
    }
}

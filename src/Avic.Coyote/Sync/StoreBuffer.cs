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

    /// <summary>A finer kind the model gives the location for traces and pictures (e.g. "table" for the entries of
    /// one table), or null: <c>new SharedVar&lt;int&gt;("t[0]") { Group = "table" }</c>.</summary>
    public string? Group { get; init; }

    ResourceKind IControlledResource.ResourceKind => ResourceKind.Memory;

    string IControlledResource.ResourceName => Name;

    string? IControlledResource.ResourceGroup => Group;

    internal abstract void Commit(long bits, object? boxed);

    internal abstract string Format(long bits, object? boxed);
}

/// <summary>
/// The x86-TSO plug-in of one execution: each operation's store buffer (kept in the operation's typed slot) and
/// the barrier that drains it. Created by the first buffered store; under sequential consistency it never exists.
/// </summary>
internal sealed class TsoMemory : IMemoryOrder
{
    private readonly ControlledRuntime runtime;

    private TsoMemory(ControlledRuntime runtime) => this.runtime = runtime;

    public static TsoMemory Of(ControlledRuntime runtime) => runtime.Extensions.GetOrAdd(static rt =>
    {
        var tso = new TsoMemory(rt);
        rt.Extensions.MemoryOrder = tso;
        return tso;
    });

    /// <summary>The store buffer of <paramref name="op"/>, made with its draining pseudo-operation on its first store.</summary>
    public StoreBuffer BufferOf(Operation op)
    {
        if (op.Get<StoreBuffer>() is { } existing) return existing;
        var buffer = new StoreBuffer(runtime, op);
        op.Set(buffer);
        runtime.AddEngineOperation(op.Name + ".sb", buffer);
        return buffer;
    }

    public void Drain(Operation op) => op.Get<StoreBuffer>()?.DrainAll();
}

/// <summary>
/// The FIFO store buffer of one operation under x86-TSO. A companion pseudo-operation
/// ("cpu1.sb") drains one store per step when the strategy picks it, so when a store becomes
/// visible is explored like any other scheduling choice and recorded in schedules.
/// </summary>
internal sealed class StoreBuffer(ControlledRuntime runtime, Operation owner) : IEngineStep
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

    public Operation Owner => owner;

    public int Count => count;

    public bool CanStep => count > 0;

    public void Step() => FlushOldest();

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

    public void FlushOldest()
    {
        ref Entry e = ref entries[head];
        e.Target.Commit(e.Bits, e.Boxed);
        runtime.RecordAccess(e.Target, write: true);
        if (runtime.IsTracing)
        {
            // In its own lane the buffer needs no name; drained by its owner (a barrier), the owner's lane says whose.
            string who = ReferenceEquals(runtime.CurrentOperation, owner) ? $"store buffer of {owner.Name} " : "";
            runtime.LogEvent(TraceEventKind.Access, $"{who}flushes {e.Target.Name} = {e.Target.Format(e.Bits, e.Boxed)}", e.Target, AccessKind.Flush);
        }
        e = default;
        head = (head + 1) % entries.Length;
        count--;
    }

    public void DrainAll()
    {
        while (count > 0) FlushOldest();
    }
}

// The AVIC physical APIC ID table as controlled shared memory, so that the shared entry-update fast
// path (src/Avic.Kvm.Avic AvicEntryUpdate, also benchmarked) runs unchanged inside the model.
//
// AvicEntryUpdate is synchronous (read → compute → write), so it cannot await a scheduling point per
// access. The model therefore places ONE scheduling point (on the entry) right before calling it,
// and this accessor performs the accesses inside that step: the read with the engine's load
// semantics (own store buffer first under TSO), the write as an engine store (buffered under TSO).
// Why one point is enough: table[v] is written only by the thread running vCPU v (on its own pCPU,
// with preemption off, and since 4c08e737f056 under ir_list_lock) — kvm-protocols.md B-LOAD/B-PUT.
// The owner's own read of the entry therefore commutes with every other operation's step (others
// only read it); only the store is visible to others (the sender's AVIC reading IsRunning/host id).
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using Avic.Kvm.Avic;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>A physical APIC ID table entry as a value whose trace form is its decoded layout.</summary>
public readonly record struct TableEntry(ulong Value)
{
    public bool IsRunning => AvicPhysicalIdEntry.IsRunning(Value);

    public int HostId => AvicPhysicalIdEntry.HostPhysicalId(Value);

    public override string ToString() => AvicPhysicalIdEntry.Format(Value);
}

/// <summary>
/// <see cref="IPhysicalIdTable"/> over controlled shared locations. Call its methods only in the
/// step right after a scheduling point on the entry (see the file comment), never across awaits.
/// </summary>
public struct ControlledPhysicalIdTable : IPhysicalIdTable
{
    private readonly ControlledRuntime runtime;
    private readonly SharedVar<TableEntry>[] entries;
    private readonly ulong[] stored;

    public ControlledPhysicalIdTable(ControlledRuntime runtime, ulong[] initial)
    {
        this.runtime = runtime;
        entries = new SharedVar<TableEntry>[initial.Length];
        stored = (ulong[])initial.Clone();
        for (int i = 0; i < initial.Length; i++)
            entries[i] = new SharedVar<TableEntry>(runtime, EntryNames[i], new TableEntry(initial[i]));
    }

    // "table[i]", made once (the table is built anew in every execution).
    private static readonly string[] EntryNames = [.. Enumerable.Range(0, DoorbellConfig.MaxVcpus).Select(i => $"table[{i}]")];

    /// <summary>The shared location of entry <paramref name="index"/> (what the sender's AVIC reads).</summary>
    public readonly SharedVar<TableEntry> Entry(int index) => entries[index];

    /// <summary>The last value stored to the entry in program order (memory under SC; under TSO it may
    /// still sit in the writer's store buffer). What the writer believes the entry is.</summary>
    public readonly ulong Stored(int index) => stored[index];

    public readonly ulong Read(int index) => new SharedVar<TableEntry>.ReadAction(entries[index]).Run(runtime).Value;

    public readonly void Write(int index, ulong value)
    {
        stored[index] = value;
        new SharedVar<TableEntry>.WriteAction(entries[index], new TableEntry(value)).Run(runtime);
    }

    public readonly ulong CompareExchange(int index, ulong value, ulong comparand)
    {
        ulong observed = new SharedVar<TableEntry>.CompareExchangeAction(entries[index], new TableEntry(value), new TableEntry(comparand))
            .Run(runtime).Value;
        if (observed == comparand) stored[index] = value;
        return observed;
    }
}

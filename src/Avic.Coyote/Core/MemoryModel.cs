namespace Avic.Coyote;

/// <summary>How shared-variable stores become visible to other operations.</summary>
public enum MemoryModel
{
    /// <summary>Every store is visible to all operations at once (the default).</summary>
    SequentialConsistency,

    /// <summary>
    /// x86-TSO: each operation has a FIFO store buffer; its loads see its own buffer first; when a
    /// buffered store reaches memory is a scheduling decision; fences and locked operations drain it.
    /// Needed to see store-buffering bugs (a missing full barrier between a store and a later load).
    /// </summary>
    X86Tso,
}

using System;
using System.Threading;
using System.Runtime.CompilerServices;

namespace Avic.Kvm.Avic;

/// <summary>
/// Access to the physical APIC ID table memory, one 64-bit entry per guest physical APIC ID.
/// Update code is generic over <c>TTable : struct, IPhysicalIdTable</c> and takes the table by
/// <c>ref</c>, so the JIT specialises it per implementation: with <see cref="PlainPhysicalIdTable"/>
/// the interface calls disappear; a model-checked implementation can insert scheduling points.
/// </summary>
public interface IPhysicalIdTable
{
    /// <summary><c>READ_ONCE(table[index])</c>.</summary>
    ulong Read(int index);

    /// <summary><c>WRITE_ONCE(table[index], value)</c>.</summary>
    void Write(int index, ulong value);

    /// <summary>Atomic compare-and-exchange; returns the value observed before the operation.</summary>
    ulong CompareExchange(int index, ulong value, ulong comparand);
}

/// <summary>
/// The table as ordinary memory: a <see cref="T:ulong[]"/>, with <see cref="Volatile"/> reads and
/// writes modelling READ_ONCE/WRITE_ONCE (single, untorn 64-bit accesses the compiler may not
/// elide or merge) and <see cref="Interlocked.CompareExchange(ref ulong, ulong, ulong)"/>
/// (a locked cmpxchg on x86).
/// </summary>
public readonly struct PlainPhysicalIdTable : IPhysicalIdTable
{
    private readonly ulong[] _entries;

    /// <summary>Wraps an existing array (not copied).</summary>
    public PlainPhysicalIdTable(ulong[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries;
    }

    /// <summary>A zeroed table of <paramref name="length"/> entries.</summary>
    public PlainPhysicalIdTable(int length) : this(new ulong[length])
    {
    }

    /// <summary>Number of entries.</summary>
    public int Length => _entries.Length;

    /// <summary>The backing array (for setup and inspection; not for concurrent use).</summary>
    public ulong[] Entries => _entries;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Read(int index) => Volatile.Read(ref _entries[index]);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(int index, ulong value) => Volatile.Write(ref _entries[index], value);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong CompareExchange(int index, ulong value, ulong comparand)
        => Interlocked.CompareExchange(ref _entries[index], value, comparand);
}

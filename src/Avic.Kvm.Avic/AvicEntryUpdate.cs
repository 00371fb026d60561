using System;
using System.Runtime.CompilerServices;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Kvm.Avic;

/// <summary>How the computed entry reaches the table.</summary>
public enum EntryWritePolicy
{
    /// <summary>
    /// Code before seed 002 (arch/x86/kvm/svm/avic.c, <c>__avic_vcpu_load</c>): always
    /// <c>WRITE_ONCE(*(svm->avic_physical_id_cache), entry)</c>, even if nothing changed.
    /// </summary>
    AlwaysWrite = 0,

    /// <summary>
    /// Seed 002 (RFC v3 18/19, "add optional non strict AVIC doorbell mode", Apr 2022):
    /// <c>if (old_entry != new_entry) WRITE_ONCE(...)</c>; an unchanged entry's cache line is not dirtied.
    /// </summary>
    ElidedWrite = 1,

    /// <summary>
    /// Alternative not found in any kernel version: a locked compare-exchange against the value read,
    /// re-reading and recomputing if another writer intervened. It always issues the locked RMW,
    /// even when the value is unchanged.
    /// </summary>
    CompareExchange = 2,
}

/// <summary>
/// Outcome of one read → compute → write step.
/// </summary>
/// <param name="OldEntry">
/// The entry the computation started from: the table value (seed-era code) or, for the 2025
/// shadowed methods, the old shadow. The kernel's strict-mode check is
/// <c>WARN_ON(OldEntry &amp; IS_RUNNING)</c> on load (see <see cref="OldIsRunning"/>).
/// </param>
/// <param name="NewEntry">The computed entry (seed era: the value now in the table; 2025: the new shadow).</param>
/// <param name="Stored">
/// True if the table received a store: always for <see cref="EntryWritePolicy.AlwaysWrite"/>,
/// only if the value differed for <see cref="EntryWritePolicy.ElidedWrite"/>, and a successful
/// locked RMW (even of an equal value) for <see cref="EntryWritePolicy.CompareExchange"/>.
/// </param>
public readonly record struct EntryUpdateResult(ulong OldEntry, ulong NewEntry, bool Stored)
{
    /// <summary>True if the computed entry differs from the old one.</summary>
    public bool Changed => OldEntry != NewEntry;

    /// <summary>The strict-mode load WARN condition: <c>old &amp; IS_RUNNING</c>.</summary>
    public bool OldIsRunning => (OldEntry & IsRunningMask) != 0;

    /// <summary>The 2025 put WARN condition (<c>WARN_ON_ONCE(e &amp; GA_LOG_INTR)</c>) on the old shadow.</summary>
    public bool OldGaLogIntr => (OldEntry & GaLogIntrMask) != 0;
}

/// <summary>A pure entry transformation, used to share the policy code (JIT-specialised per struct).</summary>
public interface IEntryTransform
{
    /// <summary>Compute the new entry from the old one.</summary>
    ulong Apply(ulong oldEntry);
}

/// <summary>
/// The physical APIC ID table entry update fast path of arch/x86/kvm/svm/avic.c:
/// <c>__avic_vcpu_load</c> and <c>__avic_vcpu_put</c>. One source for the benchmark
/// (with <see cref="PlainPhysicalIdTable"/>) and the model (with a controlled table).
/// The pure computations are separate so a model can reuse them on its own state.
/// </summary>
public static class AvicEntryUpdate
{
    // ------------------------------------------------------------------ pure computations

    /// <summary>
    /// <c>__avic_vcpu_load</c> entry computation (seed 002, ≤ v6.14-era code where
    /// <c>avic_physical_id_cache</c> points into the table):
    /// <c>new = (old &amp; ~HOST_PHYSICAL_ID_MASK) | (h_physical_id &amp; HOST_PHYSICAL_ID_MASK) | IS_RUNNING</c>.
    /// Backing page, VALID and every other bit are preserved.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ComputeLoadEntry(ulong oldEntry, int hostPhysicalId, HostIdWidth width = HostIdWidth.Bits12)
        => WithHostPhysicalId(oldEntry, hostPhysicalId, width) | IsRunningMask;

    /// <summary>
    /// 2025 <c>__avic_vcpu_load</c> on the shadow <c>svm->avic_physical_id_entry</c>
    /// (kvm-protocols.md B-LOAD.3.3): <c>e = (e &amp; ~(HOST_ID | GA_LOG_INTR)) | phys_apicid(cpu) | IS_RUNNING</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ComputeLoadShadow(ulong oldShadow, int hostPhysicalId, HostIdWidth width = HostIdWidth.Bits12)
        => ComputeLoadEntry(oldShadow & ~GaLogIntrMask, hostPhysicalId, width);

    /// <summary>
    /// <c>__avic_vcpu_put</c> entry computation: <c>e &amp;= ~IS_RUNNING</c>. The host id is kept:
    /// "Keep the previous APIC ID in the entry so that a rogue doorbell from hardware is at least
    /// restricted to a CPU associated with the vCPU." (kvm-protocols.md B-PUT.4.4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ComputePutEntry(ulong oldEntry) => oldEntry & ~IsRunningMask;

    /// <summary>
    /// 2025 <c>__avic_vcpu_put</c> on the shadow (kvm-protocols.md B-PUT.4.4 and 4.6): clear
    /// IS_RUNNING, keep the host id, and set GA_LOG_INTR (shadow only) when the action is START_BLOCKING.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ComputePutShadow(ulong oldShadow, bool startBlocking)
        => ComputePutEntry(oldShadow) | (startBlocking ? GaLogIntrMask : 0UL);

    /// <summary>
    /// What the 2025 code writes to the table for a shadow value (kvm-protocols.md §2.1, B-LOAD.3.4,
    /// INV-B2): GA_LOG_INTR never ("a synthetic flag that usurps an unused should-be-zero bit"), and
    /// IS_RUNNING only if <c>enable_ipiv</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TableValue(ulong shadow, bool enableIpiv)
        => shadow & ~(GaLogIntrMask | (enableIpiv ? 0UL : IsRunningMask));

    // ------------------------------------------------------------------ read → compute → write

    /// <summary>
    /// <c>__avic_vcpu_load</c> table step as in seed 002 (arch/x86/kvm/svm/avic.c):
    /// <c>old = READ_ONCE(entry)</c>, <see cref="ComputeLoadEntry"/>, then store per <paramref name="policy"/>.
    /// The caller (model) asserts <c>WARN_ON(old &amp; IS_RUNNING)</c> in strict mode via
    /// <see cref="EntryUpdateResult.OldIsRunning"/>; the RFC removed that WARN (kvm-protocols.md §2.5).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EntryUpdateResult Load<TTable>(ref TTable table, int index, int hostPhysicalId,
        EntryWritePolicy policy, HostIdWidth width = HostIdWidth.Bits12)
        where TTable : struct, IPhysicalIdTable
        => Update(ref table, index, new LoadTransform(hostPhysicalId, width), policy);

    /// <summary>
    /// <c>__avic_vcpu_put</c> table step (seed-era code): <c>old = READ_ONCE(entry)</c>,
    /// <see cref="ComputePutEntry"/>, store per <paramref name="policy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EntryUpdateResult Put<TTable>(ref TTable table, int index, EntryWritePolicy policy)
        where TTable : struct, IPhysicalIdTable
        => Update(ref table, index, default(PutTransform), policy);

    /// <summary>
    /// 2025 <c>__avic_vcpu_load</c> (kvm-protocols.md B-LOAD.3.2-3.4; caller holds <c>ir_list_lock</c>):
    /// shadow := <see cref="ComputeLoadShadow"/>, then table[index] := <see cref="TableValue"/>(shadow, enableIpiv)
    /// per <paramref name="policy"/> (the 2025 kernel always writes, i.e. <see cref="EntryWritePolicy.AlwaysWrite"/>).
    /// The result's <see cref="EntryUpdateResult.OldEntry"/>/<see cref="EntryUpdateResult.NewEntry"/> are the
    /// old/new shadow, for <c>WARN_ON_ONCE(e &amp; IS_RUNNING)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EntryUpdateResult LoadShadowed<TTable>(ref TTable table, int index, ref ulong shadow,
        int hostPhysicalId, bool enableIpiv, EntryWritePolicy policy, HostIdWidth width = HostIdWidth.Bits12)
        where TTable : struct, IPhysicalIdTable
    {
        ulong oldShadow = shadow;
        ulong newShadow = ComputeLoadShadow(oldShadow, hostPhysicalId, width);
        shadow = newShadow;
        bool stored = Update(ref table, index, new SetTransform(TableValue(newShadow, enableIpiv)), policy).Stored;
        return new EntryUpdateResult(oldShadow, newShadow, stored);
    }

    /// <summary>
    /// 2025 <c>__avic_vcpu_put</c> (kvm-protocols.md B-PUT.4.3-4.6; caller holds <c>ir_list_lock</c>):
    /// <c>e = shadow &amp; ~IS_RUNNING</c>; if <paramref name="enableIpiv"/>, table[index] := e per
    /// <paramref name="policy"/> (without IPIv the table never held IS_RUNNING, so it is not written);
    /// then shadow := e | (START_BLOCKING ? GA_LOG_INTR : 0). The result's old entry is the old shadow,
    /// for <c>WARN_ON_ONCE(e &amp; GA_LOG_INTR)</c> (<see cref="EntryUpdateResult.OldGaLogIntr"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EntryUpdateResult PutShadowed<TTable>(ref TTable table, int index, ref ulong shadow,
        bool startBlocking, bool enableIpiv, EntryWritePolicy policy)
        where TTable : struct, IPhysicalIdTable
    {
        ulong oldShadow = shadow;
        ulong e = ComputePutEntry(oldShadow);
        bool stored = false;
        if (enableIpiv)
        {
            stored = Update(ref table, index, new SetTransform(TableValue(e, enableIpiv: true)), policy).Stored;
        }

        ulong newShadow = ComputePutShadow(oldShadow, startBlocking);
        shadow = newShadow;
        return new EntryUpdateResult(oldShadow, newShadow, stored);
    }

    /// <summary>
    /// The shared policy step: <c>old = Read(index)</c>, <c>new = transform(old)</c>, then
    /// <list type="bullet">
    /// <item><see cref="EntryWritePolicy.AlwaysWrite"/>: <c>Write(index, new)</c>;</item>
    /// <item><see cref="EntryWritePolicy.ElidedWrite"/>: <c>if (old != new) Write(index, new)</c>;</item>
    /// <item><see cref="EntryWritePolicy.CompareExchange"/>: <c>CompareExchange(index, new, old)</c>,
    /// re-reading and recomputing until it succeeds.</item>
    /// </list>
    /// With a constant <paramref name="policy"/> and inlining, the JIT folds the switch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static EntryUpdateResult Update<TTable, TTransform>(ref TTable table, int index, TTransform transform,
        EntryWritePolicy policy)
        where TTable : struct, IPhysicalIdTable
        where TTransform : struct, IEntryTransform
    {
        ulong oldEntry = table.Read(index);
        ulong newEntry = transform.Apply(oldEntry);
        switch (policy)
        {
            case EntryWritePolicy.AlwaysWrite:
                table.Write(index, newEntry);
                return new EntryUpdateResult(oldEntry, newEntry, Stored: true);

            case EntryWritePolicy.ElidedWrite:
                if (oldEntry != newEntry)
                {
                    table.Write(index, newEntry);
                    return new EntryUpdateResult(oldEntry, newEntry, Stored: true);
                }

                return new EntryUpdateResult(oldEntry, newEntry, Stored: false);

            case EntryWritePolicy.CompareExchange:
                ulong observed = table.CompareExchange(index, newEntry, oldEntry);
                if (observed == oldEntry)
                {
                    return new EntryUpdateResult(oldEntry, newEntry, Stored: true);
                }

                return CompareExchangeRetry(ref table, index, transform, observed);

            default:
                return ThrowBadPolicy(policy);
        }
    }

    /// <summary>Cold path: another writer changed the entry between our read and our CAS.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EntryUpdateResult CompareExchangeRetry<TTable, TTransform>(ref TTable table, int index,
        TTransform transform, ulong observed)
        where TTable : struct, IPhysicalIdTable
        where TTransform : struct, IEntryTransform
    {
        while (true)
        {
            ulong oldEntry = observed;
            ulong newEntry = transform.Apply(oldEntry);
            observed = table.CompareExchange(index, newEntry, oldEntry);
            if (observed == oldEntry)
            {
                return new EntryUpdateResult(oldEntry, newEntry, Stored: true);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static EntryUpdateResult ThrowBadPolicy(EntryWritePolicy policy)
        => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown EntryWritePolicy");

    // ------------------------------------------------------------------ transforms

    /// <summary><see cref="ComputeLoadEntry"/> as a transform.</summary>
    public readonly struct LoadTransform(int hostPhysicalId, HostIdWidth width) : IEntryTransform
    {
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Apply(ulong oldEntry) => ComputeLoadEntry(oldEntry, hostPhysicalId, width);
    }

    /// <summary><see cref="ComputePutEntry"/> as a transform.</summary>
    public readonly struct PutTransform : IEntryTransform
    {
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Apply(ulong oldEntry) => ComputePutEntry(oldEntry);
    }

    /// <summary>Replace the entry with a fixed value (the 2025 table write from the shadow).</summary>
    public readonly struct SetTransform(ulong value) : IEntryTransform
    {
        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Apply(ulong oldEntry) => value;
    }
}

using System;
using System.Runtime.CompilerServices;

namespace Avic.Kvm.Avic;

/// <summary>
/// Width of the host physical APIC ID field (bits 11:0 or 7:0) of a physical APIC ID table entry.
/// </summary>
public enum HostIdWidth
{
    /// <summary>Older kernels: <c>AVIC_PHYSICAL_ID_ENTRY_HOST_PHYSICAL_ID_MASK = 0xFFULL</c> (bits 7:0).</summary>
    Bits8Legacy = 0,

    /// <summary>Current kernels: <c>GENMASK_ULL(11, 0)</c> (bits 11:0), widened for x2AVIC-era hosts.</summary>
    Bits12 = 1,
}

/// <summary>
/// One 64-bit entry of the AMD AVIC physical APIC ID table, as laid out in the kernel's
/// arch/x86/include/asm/svm.h (source: /work/shared/kvm-protocols.md §2.1, which cites the
/// sean-jc/linux tree). The entry is a plain <see cref="ulong"/>; KVM writes it with a single
/// WRITE_ONCE, so every helper here is a pure function on the value.
/// </summary>
/// <remarks>
/// Layout (kvm-protocols.md §2.1):
/// <list type="bullet">
/// <item>11:0  AVIC_PHYSICAL_ID_ENTRY_HOST_PHYSICAL_ID_MASK = GENMASK_ULL(11, 0) (older: 0xFF, bits 7:0)</item>
/// <item>51:12 AVIC_PHYSICAL_ID_ENTRY_BACKING_PAGE_MASK = 0xFFFFFFFFFFULL &lt;&lt; 12</item>
/// <item>61    AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR = BIT_ULL(61) (software-only, 2025 shadow copy)</item>
/// <item>62    AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK = 1ULL &lt;&lt; 62</item>
/// <item>63    AVIC_PHYSICAL_ID_ENTRY_VALID_MASK = 1ULL &lt;&lt; 63</item>
/// </list>
/// </remarks>
public static class AvicPhysicalIdEntry
{
    /// <summary><c>AVIC_PHYSICAL_ID_ENTRY_HOST_PHYSICAL_ID_MASK = GENMASK_ULL(11, 0)</c>.</summary>
    public const ulong HostPhysicalIdMask = 0xFFFUL;

    /// <summary>The older <c>AVIC_PHYSICAL_ID_ENTRY_HOST_PHYSICAL_ID_MASK = 0xFFULL</c> (bits 7:0).</summary>
    public const ulong HostPhysicalIdMaskLegacy = 0xFFUL;

    /// <summary><c>AVIC_PHYSICAL_ID_ENTRY_BACKING_PAGE_MASK = 0xFFFFFFFFFFULL &lt;&lt; 12</c> (bits 51:12).</summary>
    public const ulong BackingPageMask = 0xFF_FFFF_FFFFUL << 12;

    /// <summary><c>AVIC_PHYSICAL_ID_ENTRY_GA_LOG_INTR = BIT_ULL(61)</c>: synthetic, shadow-only flag (2025 code).</summary>
    public const ulong GaLogIntrMask = 1UL << 61;

    /// <summary><c>AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK = 1ULL &lt;&lt; 62</c>.</summary>
    public const ulong IsRunningMask = 1UL << 62;

    /// <summary><c>AVIC_PHYSICAL_ID_ENTRY_VALID_MASK = 1ULL &lt;&lt; 63</c>.</summary>
    public const ulong ValidMask = 1UL << 63;

    /// <summary>The host-ID mask for the given layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HostIdMask(HostIdWidth width)
        => width == HostIdWidth.Bits12 ? HostPhysicalIdMask : HostPhysicalIdMaskLegacy;

    /// <summary>The host physical APIC ID field (the pCPU a doorbell goes to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HostPhysicalId(ulong entry, HostIdWidth width = HostIdWidth.Bits12)
        => (int)(entry & HostIdMask(width));

    /// <summary>
    /// <c>(entry &amp; ~HOST_ID_MASK) | (hostPhysicalId &amp; HOST_ID_MASK)</c>, exactly as
    /// <c>__avic_vcpu_load</c> does (seed 002). <paramref name="hostPhysicalId"/> is a C <c>int</c>
    /// in the kernel (<c>kvm_cpu_get_apicid(cpu)</c>); the AND with the u64 mask sign-extends it,
    /// so out-of-range and negative ids are silently truncated (e.g. -1 becomes 0xFFF). Use
    /// <see cref="IsHostIdInRange"/> if a caller wants to flag that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong WithHostPhysicalId(ulong entry, int hostPhysicalId, HostIdWidth width = HostIdWidth.Bits12)
    {
        ulong mask = HostIdMask(width);
        return (entry & ~mask) | ((ulong)(long)hostPhysicalId & mask);
    }

    /// <summary>True if <paramref name="hostPhysicalId"/> fits the field without truncation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHostIdInRange(int hostPhysicalId, HostIdWidth width = HostIdWidth.Bits12)
        => ((ulong)(long)hostPhysicalId & ~HostIdMask(width)) == 0;

    /// <summary>IsRunning (bit 62): hardware doorbells this vCPU's pCPU instead of taking a VM-exit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsRunning(ulong entry) => (entry & IsRunningMask) != 0;

    /// <summary>Valid (bit 63).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Valid(ulong entry) => (entry & ValidMask) != 0;

    /// <summary>GA_LOG_INTR (bit 61), meaningful only in KVM's 2025 shadow entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GaLogIntr(ulong entry) => (entry & GaLogIntrMask) != 0;

    /// <summary>System physical address of the vAPIC backing page (bits 51:12, still in place).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong BackingPage(ulong entry) => entry & BackingPageMask;

    /// <summary>
    /// B-INIT (<c>avic_init_backing_page</c>, arch/x86/kvm/svm/avic.c; kvm-protocols.md §2.2):
    /// <c>entry = backing_page_pa | VALID</c>, IsRunning 0, host id 0. The address is ANDed with
    /// BACKING_PAGE_MASK, so bits outside 51:12 (an unaligned offset, or bits ≥ 52) are dropped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Create(ulong backingPagePa) => (backingPagePa & BackingPageMask) | ValidMask;

    /// <summary>Bits that no field above defines (for the given layout): should be zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReservedBits(ulong entry, HostIdWidth width = HostIdWidth.Bits12)
        => entry & ~(HostIdMask(width) | BackingPageMask | GaLogIntrMask | IsRunningMask | ValidMask);

    /// <summary>
    /// Trace form, e.g. <c>"valid running host=3 page=0x12345000"</c>; adds <c>" ga-log-intr"</c>
    /// when bit 61 is set and <c>" rsvd=0x…"</c> when undefined bits are set. Not for hot paths.
    /// </summary>
    public static string Format(ulong entry, HostIdWidth width = HostIdWidth.Bits12)
    {
        string s = (Valid(entry) ? "valid" : "invalid")
            + (IsRunning(entry) ? " running" : " not-running")
            + (GaLogIntr(entry) ? " ga-log-intr" : "")
            + " host=" + HostPhysicalId(entry, width).ToString(System.Globalization.CultureInfo.InvariantCulture)
            + " page=0x" + BackingPage(entry).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        ulong rsvd = ReservedBits(entry, width);
        return rsvd == 0 ? s : s + " rsvd=0x" + rsvd.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }
}

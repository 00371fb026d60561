// Protocol A (kvm-protocols.md §1): configuration of the APIC-access memslot model (the kernel variants are KernelVariants.cs).
namespace Avic.Coyote.Models.Memslot;

/// <summary>The host CPU's APIC virtualization (kvm-protocols.md §1.1 table).</summary>
public enum Hardware
{
    /// <summary>AMD AVIC without x2AVIC: allow_apicv_in_x2apic_without_x2apic_virtualization = true.</summary>
    Hybrid,
    /// <summary>AMD AVIC with x2AVIC: AVIC MMIO is not decoded in x2APIC mode; flag false.</summary>
    X2Avic,
    /// <summary>Intel APICv: independent xAPIC/x2APIC controls; flag false, no inhibition.</summary>
    IntelApicv,
}

/// <summary>What the guest does with a hotplugged vCPU (H-A1: its own x2APIC switch can close the window).</summary>
public enum HotplugGuest
{
    /// <summary>The vCPU runs and touches 0xFEE00000 twice in xAPIC mode (the default program).</summary>
    XapicMmio,
    /// <summary>The guest never onlines it: the vCPU never enters guest mode (an AP left waiting for SIPI).</summary>
    NeverOnlined,
    /// <summary>The guest onlines it like Linux does with x2APIC on: the AP enables x2APIC, then reports itself online.</summary>
    OnlinedX2apic,
}

/// <summary>When the boot vCPUs make their x2APIC-mode accesses to 0xFEE00000 (the guest's own ordering).</summary>
public enum AccessOrder
{
    /// <summary>No ordering: the accesses race with everything else.</summary>
    Anytime,
    /// <summary>After the hotplug ioctl returned (the guest waits halted until then).</summary>
    AfterHotplug,
    /// <summary>After the hotplugged AP reported itself online (Linux's BSP waits for the AP in cpu_up()).</summary>
    AfterOnline,
    /// <summary>After the VMM's late VM-wide inhibit flip completed.</summary>
    AfterFlip,
}

/// <summary>How INV-A3 is checked (kvm-protocols.md §1.4 has a strong and a weak form).</summary>
public enum InvA3Check
{
    /// <summary>Both forms: the strong one at every x2APIC VMRUN, the weak one at each access.</summary>
    AtEveryEntry,
    /// <summary>Only the weak form (the impact): an x2APIC-mode access that reaches the vAPIC backing page.</summary>
    AtAccess,
    /// <summary>Not checked, to see what the access leads to (the ICR/WARN path).</summary>
    Off,
}

/// <summary>The modelled VM and its threads.</summary>
public sealed record MemslotConfig
{
    /// <summary>vCPUs created before the vCPU threads start (2..4).</summary>
    public int Vcpus { get; init; } = 2;

    /// <summary>A hotplug thread creates one more vCPU (A-CREATE) and runs it.</summary>
    public bool Hotplug { get; init; }

    /// <summary>Two address spaces (kvm_arch_nr_memslot_as_ids = 2).</summary>
    public bool Smm { get; init; }

    public Hardware Hardware { get; init; } = Hardware.Hybrid;

    /// <summary>H-A1: an inhibit (PIT reinjection) exists while the initial vCPUs are created and the inhibitor clears it later.</summary>
    public bool ActivatedMayChange { get; init; }

    /// <summary>A-INHIBITOR thread: sets then clears APICV_INHIBIT_REASON_BLOCKIRQ (KVM_SET_GUEST_DEBUG).</summary>
    public bool Inhibitor { get; init; }

    /// <summary>A-NESTED: vcpu0 takes a nested VM-exit forced from an ioctl (no SRCU held; §4 MA7 premise).</summary>
    public bool Nested { get; init; }

    /// <summary>A-USERMEM: a userspace KVM_SET_USER_MEMORY_REGION thread.</summary>
    public bool UserMem { get; init; }

    /// <summary>vcpu0's first entry loads a shadow NPT root (its L1 runs a nested guest with NPT), so
    /// mmu_first_shadow_root_alloc() takes slots_arch_lock inside its SRCU read side.</summary>
    public bool NestedNpt { get; init; }

    /// <summary>vcpu0 enters x2APIC through host KVM_SET_LAPIC (no SRCU) before KVM_RUN, instead of a guest WRMSR.</summary>
    public bool HostSetLapic { get; init; }

    /// <summary>vcpu0's guest sets AutoEOI on a Hyper-V SynIC SINT (a WRMSR that inhibits APICv from the vCPU thread, §3 A-2), then halts.</summary>
    public bool HypervSynic { get; init; }

    /// <summary>Check INV-A1. Off in the H-A1 runs that watch the late allocation go on to break INV-A3 or INV-A7.</summary>
    public bool CheckInvA1 { get; init; } = true;

    public InvA3Check InvA3 { get; init; } = InvA3Check.AtEveryEntry;

    /// <summary>What the guest does with the hotplugged vCPU (only with <see cref="Hotplug"/>).</summary>
    public HotplugGuest HotplugGuest { get; init; } = HotplugGuest.XapicMmio;

    /// <summary>After the hotplug, the VMM sets and clears a VM-wide inhibit (BLOCKIRQ), so every vCPU handles
    /// KVM_REQ_APICV_UPDATE again.</summary>
    public bool LateFlip { get; init; }

    /// <summary>When the boot vCPUs make their x2APIC-mode accesses; other than Anytime, each boot vCPU halts
    /// after enabling x2APIC until the event, then touches 0xFEE00000 twice (the first access may fault the
    /// SPTE in, the second then goes through it, as a re-executed instruction would).</summary>
    public AccessOrder X2apicAccess { get; init; } = AccessOrder.Anytime;

    /// <summary>The boot vCPUs' last x2APIC-mode access is an xAPIC-format ICR write through 0xFEE00300: a fixed
    /// IPI, physical destination = the hotplugged vCPU (which must never run, so its IsRunning bit stays 0).</summary>
    public bool IcrWrite { get; init; }

    /// <summary>The one-line error for a configuration the model does not support, or null.</summary>
    public string? Problem() =>
        (X2apicAccess, HotplugGuest) switch
        {
            (not AccessOrder.Anytime, _) when !Hotplug => "an ordered x2APIC access needs Hotplug",
            (AccessOrder.AfterOnline, not HotplugGuest.OnlinedX2apic) => "AfterOnline needs HotplugGuest.OnlinedX2apic",
            (AccessOrder.AfterFlip, _) when !LateFlip => "AfterFlip needs LateFlip",
            _ when LateFlip && !Hotplug => "LateFlip needs Hotplug",
            _ when IcrWrite && (HotplugGuest != HotplugGuest.NeverOnlined || X2apicAccess != AccessOrder.AfterHotplug) =>
                "IcrWrite needs HotplugGuest.NeverOnlined and AccessOrder.AfterHotplug (its target must exist and never run)",
            _ => null,
        };
}

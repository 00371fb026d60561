// Protocol A (kvm-protocols.md §1): configuration and variants of the APIC-access memslot model.
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

/// <summary>Which code the model runs: as merged, the seed's v4, hand-made mutants (§4), historical bugs (§3).</summary>
public enum Variant
{
    /// <summary>2008fab34530 as merged (v6.3).</summary>
    Merged,
    /// <summary>Seed 000 v4: kvm_vcpu_update_apicv tests the APICV_INHIBIT_REASON_X2APIC bit via check_apicv_inhibit_reasons.</summary>
    V4InhibitBit,
    /// <summary>enabled=false written before A-DELETE.</summary>
    MA1,
    /// <summary>inhibited never set.</summary>
    MA2,
    /// <summary>SRCU kept across mutex_lock(slots_lock).</summary>
    MA3,
    /// <summary>no recheck of enabled under slots_lock.</summary>
    MA4,
    /// <summary>kvm_alloc_apic_access_page checks only enabled.</summary>
    MA5,
    /// <summary>nested_svm_vmexit calls kvm_vcpu_update_apicv (memslot-aware) without SRCU held.</summary>
    MA7,
    /// <summary>the memslot is deleted inside the APIC_BASE write, SRCU held.</summary>
    MA8,
    /// <summary>A-DELETE publishes ABSENT without the INVALID phase and zaps before synchronize_srcu.</summary>
    MA9,
    /// <summary>vcpu_enter_guest skips the request re-check after IN_GUEST_MODE (A-RUN.5).</summary>
    MA11,
    /// <summary>the inhibitor writes apicv_inhibit_reasons before kvm_make_all_cpus_request.</summary>
    MA12,
    /// <summary>A-DELETE keeps the INVALID phase but drops its first grace period (A-DELETE.5): the zap races with faults that saw VALID.</summary>
    MA14,
    /// <summary>§3 A-2: the inhibit path toggles the memslot (synchronize_srcu) from a vCPU with SRCU held.</summary>
    A2,
    /// <summary>§3 A-3: the VM-wide flip does not wait for vCPUs in guest mode (no KVM_REQUEST_WAIT ack).</summary>
    A3,
    /// <summary>§3 A-5(i): every vCPU's update deletes the memslot, no shared flag protocol.</summary>
    A5i,
    /// <summary>§3 A-5(ii): kvm_lapic_set_base calls kvm_vcpu_update_apicv directly (host ioctl, no SRCU).</summary>
    A5ii,
    /// <summary>Not upstream: the fix proposed in docs/findings for H-A1 — an x2APIC vCPU that finds the memslot
    /// not enabled still marks it inhibited (under slots_lock) unless it already is.</summary>
    HA1Fix,
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

    /// <summary>vcpu0 enters x2APIC through host KVM_SET_LAPIC (no SRCU) before KVM_RUN, instead of a guest WRMSR.</summary>
    public bool HostSetLapic { get; init; }

    /// <summary>What-if: the fault path checks kvm_apicv_activated() BEFORE snapshotting mmu_invalidate_seq.
    /// Released kernels snapshot first (direct_page_fault before 2024, kvm_mmu_faultin_pfn's first statement
    /// after); an intermediate patch of the 2024 faultin series had this order as posted [UNCERTAIN].</summary>
    public bool FaultSeqAfterApicvCheck { get; init; }

    /// <summary>Check INV-A1. Off only in the exploratory run that watches H-A1 go on to break INV-A3.</summary>
    public bool CheckInvA1 { get; init; } = true;
}

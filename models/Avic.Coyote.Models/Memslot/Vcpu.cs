// struct kvm_vcpu for Protocol A: the kernel-primitive part (mode, requests, kick) plus the APIC
// state the memslot protocol reads. apic_base and apicv_active are written only by the vCPU's own
// thread (under vcpu->mutex), so they are plain fields; the shared state lives in Kvm.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Memslot;

/// <summary>What the guest does in one trip into guest mode (the model's guest program).</summary>
public enum GuestAction
{
    /// <summary>Touch GPA 0xFEE00000 (xAPIC MMIO; in x2APIC mode this is the access INV-A3 forbids to reach the vAPIC page).</summary>
    ApicMmioAccess,
    /// <summary>WRMSR IA32_APIC_BASE with X2APIC_ENABLE: exits to A-SETBASE.</summary>
    EnableX2apic,
    /// <summary>WRMSR to an MSR that sets an APICv inhibit from the vCPU thread (Hyper-V SynIC AutoEOI; §3 A-2).</summary>
    SynicInhibitMsr,
    /// <summary>HLT as the guest's last action: KVM_RUN returns (nothing would wake the vCPU).</summary>
    Hlt,
    /// <summary>HLT until the guest's ordering event (<see cref="MemslotConfig.X2apicAccess"/>): the vCPU blocks in vcpu_block().</summary>
    HltUntilEvent,
    /// <summary>The hotplugged AP tells the BSP it is online: an x2APIC ICR write (WRMSR exit) whose IPI wakes the BSP.</summary>
    ReportOnline,
    /// <summary>xAPIC-format write of ICR2 then ICR through 0xFEE00300/0xFEE00310: fixed, edge, physical destination
    /// = the hotplugged vCPU's APIC ID in ICR2[31:24].</summary>
    IcrMmioWrite,
}

/// <summary>vcpu->arch.mp_state (the two values the model needs).</summary>
#pragma warning disable CA1707
public enum MpState { KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_HALTED }
#pragma warning restore CA1707

public sealed class Vcpu : KernelVcpu
{
    public Vcpu(ControlledRuntime runtime, LockDep lockdep, int vcpuId, GuestAction[] guest)
        : base(runtime, vcpuId)
    {
        mutex = new KernelMutex(runtime, lockdep, Names.Field("->mutex"), "vcpu->mutex");
        Guest = guest;
    }

#pragma warning disable CA1707, IDE1006 // kernel field names
    /// <summary>vcpu->mutex, held for every vCPU ioctl including KVM_RUN.</summary>
    public readonly KernelMutex mutex;
    /// <summary>vcpu->arch.mp_state: written by the vCPU's own thread only (kvm_emulate_halt, vcpu_block).</summary>
    public MpState mp_state;
#pragma warning restore CA1707, IDE1006

    /// <summary>apic_x2apic_mode(vcpu->arch.apic): X2APIC_ENABLE in apic_base.</summary>
    public bool X2apicMode { get; set; }

    /// <summary>vcpu->arch.apic->apicv_active (and the VMCB's AVIC enable that follows it).</summary>
    public bool ApicvActive { get; set; }

    /// <summary>INV-A3 starts to hold: this vCPU handled KVM_REQ_APICV_UPDATE after entering x2APIC mode.</summary>
    public bool X2apicUpdateHandled { get; set; }

    /// <summary>vcpu->arch.mmu->root.hpa != INVALID_PAGE (Kvm.Mmu.cs kvm_mmu_reload).</summary>
    public bool RootHpaValid { get; set; }

    /// <summary>The guest's program, one action per entry into guest mode.</summary>
    public GuestAction[] Guest { get; }
}

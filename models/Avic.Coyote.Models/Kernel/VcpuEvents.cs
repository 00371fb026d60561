// What drives a vCPU thread in KVM, as the events its state machine (VcpuThread.cs) handles:
// the VMM's ioctls on the vCPU fd (virt/kvm/kvm_main.c kvm_vcpu_ioctl), the guest's exits
// (#VMEXIT: arch/x86/kvm/svm/svm.c svm_exit_handlers), the host scheduler's preempt notifiers
// (kvm_sched_out / kvm_sched_in), and kicks, IPIs and wake-ups from other threads.
// Events a model needs beyond these derive from the same bases in the model's folder.
using Avic.Coyote.Actors;

namespace Avic.Coyote.Models.Kernel;

// ---- the VMM (userspace) ----------------------------------------------------------------------

/// <summary>An ioctl on a vCPU fd, issued by the userspace thread the vCPU runs on.</summary>
public abstract record VcpuIoctl : Event;

/// <summary>ioctl(vcpu_fd, KVM_RUN).</summary>
public sealed record KvmRun : VcpuIoctl
{
    /// <summary>The one instance senders use (the event carries nothing).</summary>
    public static readonly KvmRun Instance = new();
}

/// <summary>ioctl(vcpu_fd, KVM_SET_LAPIC): a state restore (kvm_vcpu_ioctl_set_lapic).</summary>
public sealed record KvmSetLapic : VcpuIoctl;

/// <summary>ioctl(vcpu_fd, KVM_SET_NESTED_STATE) leaving nested mode: forces a nested VM-exit.</summary>
public sealed record KvmSetNestedState : VcpuIoctl;

/// <summary>ioctl(vm_fd, KVM_CREATE_VCPU, id) (kvm_vm_ioctl_create_vcpu): to the VMM, which then starts the vCPU's thread.</summary>
public sealed record KvmCreateVcpu(int Id) : Event;

// ---- the guest: #VMEXIT reasons -------------------------------------------------------------------

/// <summary>A #VMEXIT: what the guest did that returned control to KVM (svm_handle_exit dispatches on it).</summary>
public abstract record GuestExit : Event;

/// <summary>WRMSR IA32_APIC_BASE setting X2APIC_ENABLE (SVM_EXIT_MSR, msr_interception).</summary>
public sealed record WrmsrX2apicEnable : GuestExit
{
    public static readonly WrmsrX2apicEnable Instance = new();
}

/// <summary>WRMSR to another intercepted MSR (<paramref name="Msr"/>), e.g. a Hyper-V SynIC MSR (msr_interception).</summary>
public sealed record Wrmsr(uint Msr) : GuestExit;

/// <summary>A guest access to the xAPIC page at GPA 0xFEE00000. <paramref name="Npf"/>: no SPTE maps it, so the
/// access exits with SVM_EXIT_NPF (npf_interception); otherwise the access was served and the exit has nothing to do.</summary>
public sealed record ApicMmioAccess(bool Npf) : GuestExit
{
    private static readonly ApicMmioAccess Faulting = new(Npf: true), Served = new(Npf: false);

    /// <summary>The instance senders use for <paramref name="npf"/> (the event carries nothing else).</summary>
    public static ApicMmioAccess Of(bool npf) => npf ? Faulting : Served;
}

/// <summary>A guest write to the APIC's ICR (an IPI). <paramref name="IncompleteIpi"/>: AVIC sent it and the target
/// is not running (SVM_EXIT_AVIC_INCOMPLETE_IPI); <paramref name="Npf"/>: the write faulted (no SPTE);
/// <paramref name="Dest"/>: the destination APIC ID; <paramref name="X2apic"/>: a WRMSR to the x2APIC ICR.</summary>
public sealed record IcrWrite(int Dest, bool X2apic = false, bool IncompleteIpi = false, bool Npf = false) : GuestExit;

/// <summary>HLT (SVM_EXIT_HLT, halt_interception): the vCPU blocks in kvm_vcpu_block until a wake-up.</summary>
public sealed record Hlt : GuestExit
{
    public static readonly Hlt Instance = new();
}

/// <summary>A host interrupt or any exit with nothing to handle for the protocol (SVM_EXIT_INTR).</summary>
public sealed record ExternalInterrupt : GuestExit
{
    public static readonly ExternalInterrupt Instance = new();
}

// ---- the host scheduler ---------------------------------------------------------------------------

/// <summary>The vCPU's task is preempted: __schedule() runs the preempt notifier kvm_sched_out().</summary>
public sealed record SchedOut : Event;

/// <summary>The vCPU's task runs again on <paramref name="Cpu"/> (a migration when it differs): kvm_sched_in().</summary>
public sealed record SchedIn(int Cpu) : Event;

// ---- other threads --------------------------------------------------------------------------------

/// <summary>kvm_vcpu_kick(): make the vCPU leave guest mode / wake it from kvm_vcpu_block.</summary>
public sealed record Kick : Event;

/// <summary>An IPI delivered to the vCPU's APIC (<paramref name="From"/>: the sender's APIC ID).</summary>
public sealed record Ipi(int From, int Vector) : Event;

/// <summary>kvm_vcpu_wake_up(): an interrupt or event the guest waits for arrived (<paramref name="Why"/> names it).</summary>
public sealed record WakeUp(string Why) : Event;

// One vCPU of the Protocol B model: the shared fields other threads race on (SharedVar: every access
// a scheduling point), the fields only the vCPU's own thread touches (plain), and ghost state the
// invariants judge (set in the same step as the kernel action it mirrors).
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Sync;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>vcpu->mode (include/linux/kvm_host.h).</summary>
public enum VcpuMode
{
    OUTSIDE_GUEST_MODE,
    IN_GUEST_MODE,
    EXITING_GUEST_MODE,
}

/// <summary>Why the guest exited (the subset the model needs).</summary>
public enum ExitReason
{
    /// <summary>The entry was cancelled by kvm_vcpu_exit_request (a request arrived).</summary>
    EntryCancelled,
    /// <summary>A host interrupt (timer, kick IPI): nothing to handle.</summary>
    ExternalInterrupt,
    /// <summary>SVM_EXIT_AVIC_INCOMPLETE_IPI (TARGET_NOT_RUNNING).</summary>
    AvicIncompleteIpi,
    /// <summary>ICR write trapped because AVIC is off on the sender (APIC write emulation).</summary>
    ApicWrite,
    Hlt,
    /// <summary>WRMSR IA32_APIC_BASE (x2APIC enable).</summary>
    MsrWrite,
    /// <summary>The 'S' guest stopped waiting (it got its interrupt, or gave up): a voluntary exit with nothing to handle.</summary>
    Pause,
}

public sealed partial class Vcpu
{
    public const int KVM_REQ_EVENT = 1 << 0;
    public const int KVM_REQ_APICV_UPDATE = 1 << 1;

    /// <summary>An IRR value for traces, as the bits it is (bit i: the IPI vector of vcpu i), e.g. 0b10.</summary>
    public static string Bits(int irr) => "0b" + Convert.ToString(irr, 2);

    internal Vcpu(ControlledRuntime rt, AvicKvm kvm, int id, string program, HostTask task)
    {
        Id = id;
        Name = $"vcpu{id}";
        Program = program;
        Task = task;
        Irr = new SharedVar<int>(rt, $"{Name}->apic->IRR", 0);
        Mode = new SharedVar<VcpuMode>(rt, $"{Name}->mode", VcpuMode.OUTSIDE_GUEST_MODE);
        Cpu = new SharedVar<int>(rt, $"{Name}->cpu", task.Cpu);
        ApicvActive = new SharedVar<bool>(rt, $"{Name}->apic->apicv_active", true);
        Requests = new SharedVar<int>(rt, $"{Name}->requests", 0);
        WaitTask = new SharedVar<bool>(rt, $"{Name}->wait.task", false);
        IrrPending = new SharedVar<bool>(rt, $"{Name}->apic->irr_pending", true);
        IrListLock = new Avic.Coyote.Sync.Mutex(rt, $"{Name}->ir_list_lock");
        Changed = new VcpuChanged(kvm, this);
        Posted = new IrqPosted(this);
        Accepted = new IrqAccepted(this);
        BlockStarted = new VcpuBlocking(this);
        BlockEnded = new VcpuUnblocked(this);
        CpuView = task.Cpu;
        Entered = new GuestEntered(kvm, this);
        SpinWait = new GuestSpinWait(kvm, this);
    }

    public int Id { get; }

    public string Name { get; }

    public string Program { get; }

    /// <summary>The host thread running KVM_RUN for this vCPU.</summary>
    public HostTask Task { get; }

    // ---- shared with other threads -------------------------------------------------------

    /// <summary>IRR of the vAPIC backing page (one 32-bit IRR word; bit s = the IPI vector of sender s).</summary>
    public SharedVar<int> Irr { get; }

    /// <summary>vcpu->mode (smp_store_release in vcpu_enter_guest / smp_load_acquire by senders).</summary>
    public SharedVar<VcpuMode> Mode { get; }

    /// <summary>vcpu->cpu (avic_ring_doorbell, kvm_vcpu_kick read it; may be stale).</summary>
    public SharedVar<int> Cpu { get; }

    /// <summary>vcpu->arch.apic->apicv_active.</summary>
    public SharedVar<bool> ApicvActive { get; }

    /// <summary>vcpu->requests.</summary>
    public SharedVar<int> Requests { get; }

    /// <summary>apic->irr_pending: with APICv off, KVM searches IRR only when it is set (apic_find_highest_irr).
    /// Always true under APICv. Modelled only with the inhibitor (otherwise APICv is always on).</summary>
    public SharedVar<bool> IrrPending { get; }

    /// <summary>vcpu->wait.task != NULL (rcuwait; kvm_vcpu_is_blocking()).</summary>
    public SharedVar<bool> WaitTask { get; }

    /// <summary>svm->ir_list_lock (a raw spinlock): the entry update and the IRTE walk vs avic_pi_update_irte.</summary>
    public Avic.Coyote.Sync.Mutex IrListLock { get; }

    /// <summary>svm->ir_list: the posted-interrupt IRTEs targeting this vCPU (under <see cref="IrListLock"/>).</summary>
    public List<Irte> IrList { get; } = new();

    // ---- owner-only (no scheduling point needed: only this vCPU's thread writes them) --------

    /// <summary>2025: svm->avic_physical_id_entry, KVM's shadow of the table entry.</summary>
    public ulong Shadow;

    /// <summary>The owner's view of <see cref="WaitTask"/> (it is the only writer).</summary>
    public bool IsBlocking;

    /// <summary>The owner's view of <see cref="ApicvActive"/>.</summary>
    public bool ApicvActiveView = true;

    /// <summary>The owner's view of <see cref="Cpu"/>.</summary>
    public int CpuView;

    // ---- ghost state for the invariants --------------------------------------------------

    /// <summary>pCPU between kvm_arch_vcpu_load and kvm_arch_vcpu_put, or -1.</summary>
    public int LoadedOn = -1;

    /// <summary>pCPU of the last __avic_vcpu_load that set IsRunning, and the one before.</summary>
    public int LastLoadCpu = -1, PreviousLoadCpu = -1;

    /// <summary>Between kvm_arch_vcpu_blocking and finish_rcuwait.</summary>
    public bool InBlockingRegion;

    /// <summary>Inside __kvm_vcpu_update_apicv (apicv_active written, the refresh not yet done).</summary>
    public bool UpdatingApicv;

    /// <summary>The thread ended asleep in schedule() (nothing could wake it).</summary>
    public bool SleepsForever;

    /// <summary>The event that makes the IsRunning monitor re-check this vCPU (cached: no allocation per step).</summary>
    internal VcpuChanged Changed { get; }

    internal IrqPosted Posted { get; }

    internal IrqAccepted Accepted { get; }

    internal VcpuBlocking BlockStarted { get; }

    internal VcpuUnblocked BlockEnded { get; }

    public override string ToString() => Name;
}

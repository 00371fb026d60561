// One vCPU of the Protocol B model: the shared fields other threads race on (SharedVar: every access
// a scheduling point), the fields only the vCPU's own thread touches (plain), and ghost state the
// invariants judge (set in the same step as the kernel action it mirrors).
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Sync;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>Why the guest exited (the subset the model needs).</summary>
public enum ExitReason
{
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

/// <summary>A Protocol B vCPU: struct kvm_vcpu (Kernel/: vcpu->mode, vcpu->requests, vcpu_id) with the
/// lapic and vcpu_svm fields the protocol races on.</summary>
public sealed partial class Vcpu : KernelVcpu
{
    /// <summary>An IRR value for traces, as the bits it is (bit i: the IPI vector of vcpu i), e.g. 0b10.</summary>
    public static string Bits(int irr) => "0b" + Convert.ToString(irr, 2);

    internal Vcpu(ControlledRuntime rt, AvicKvm kvm, int id, string program, HostTask task, ulong entry)
        : base(rt, id)
    {
        Program = program;
        Task = task;
        Fields names = FieldsById[id] ??= new Fields(Names);
        irr = new SharedVar<int>(rt, names.Irr, 0);
        cpu = new SharedVar<int>(rt, names.Cpu, task.Cpu);
        apicv_active = new SharedVar<bool>(rt, names.ApicvActive, true);
        wait_task = new SharedVar<bool>(rt, names.WaitTask, false);
        irr_pending = new SharedVar<bool>(rt, names.IrrPending, true);
        ir_list_lock = new Avic.Coyote.Sync.Mutex(rt, names.IrListLock);
        avic_physical_id_entry = entry;
        Changed = new VcpuChanged(kvm, this);
        Posted = new IrqPosted(this);
        Accepted = new IrqAccepted(this);
        BlockStarted = new VcpuBlocking(this);
        BlockEnded = new VcpuUnblocked(this);
        CpuView = task.Cpu;
        Entered = new GuestEntered(kvm, this);
        SpinWait = new GuestSpinWait(kvm, this);
    }

    // The fields' names ("vcpu0->apic->IRR"...), looked up once per vCPU id: the vCPUs are built anew in every execution.
    private static readonly Fields?[] FieldsById = new Fields?[DoorbellConfig.MaxVcpus];

    private sealed class Fields(FieldNames names)
    {
        public readonly string Irr = names.Field("->apic->IRR");
        public readonly string Cpu = names.Field("->cpu");
        public readonly string ApicvActive = names.Field("->apic->apicv_active");
        public readonly string WaitTask = names.Field("->wait.task");
        public readonly string IrrPending = names.Field("->apic->irr_pending");
        public readonly string IrListLock = names.Field("->ir_list_lock");
    }

    public string Program { get; }

    /// <summary>The host thread running KVM_RUN for this vCPU.</summary>
    public HostTask Task { get; }

#pragma warning disable CA1707, IDE1006 // kernel field names
    // ---- shared with other threads -------------------------------------------------------

    /// <summary>IRR of the vAPIC backing page (one 32-bit IRR word; bit s = the IPI vector of sender s).</summary>
    public readonly SharedVar<int> irr;

    /// <summary>vcpu->cpu (avic_ring_doorbell, kvm_vcpu_kick read it; may be stale).</summary>
    public readonly SharedVar<int> cpu;

    /// <summary>vcpu->arch.apic->apicv_active.</summary>
    public readonly SharedVar<bool> apicv_active;

    /// <summary>apic->irr_pending: with APICv off, KVM searches IRR only when it is set (apic_find_highest_irr).
    /// Always true under APICv. Modelled only with the inhibitor (otherwise APICv is always on).</summary>
    public readonly SharedVar<bool> irr_pending;

    /// <summary>vcpu->wait.task != NULL (rcuwait; kvm_vcpu_is_blocking()).</summary>
    public readonly SharedVar<bool> wait_task;

    /// <summary>svm->ir_list_lock (a raw spinlock): the entry update and the IRTE walk vs avic_pi_update_irte.</summary>
    public readonly Avic.Coyote.Sync.Mutex ir_list_lock;

    /// <summary>svm->ir_list: the posted-interrupt IRTEs targeting this vCPU (under <see cref="ir_list_lock"/>).</summary>
    public readonly List<Irte> ir_list = new();

#pragma warning restore CA1707, IDE1006

    // ---- owner-only (no scheduling point needed: only this vCPU's thread writes them) --------

    /// <summary>2025: svm->avic_physical_id_entry, KVM's shadow of the table entry.</summary>
    public ulong avic_physical_id_entry;

    /// <summary>The owner's view of <see cref="wait_task"/> (it is the only writer).</summary>
    public bool IsBlocking;

    /// <summary>The owner's view of <see cref="apicv_active"/>.</summary>
    public bool ApicvActiveView = true;

    /// <summary>The owner's view of <see cref="cpu"/>.</summary>
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

}

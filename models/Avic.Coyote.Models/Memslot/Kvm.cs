// struct kvm for Protocol A (kvm-protocols.md §1.2 "Shared state") and the model's entry point:
// the VMM creates the initial vCPUs, then vCPU threads (KVM_RUN), and optionally a hotplug thread,
// the VM-wide inhibitor and a userspace memslot ioctl run concurrently. The kernel functions are
// in the Kvm.*.cs files named after the kernel files they model.
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using Avic.Coyote.Sync;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

/// <summary>State of APIC_ACCESS_PAGE_PRIVATE_MEMSLOT in one address space's active memslots.</summary>
#pragma warning disable CA1707
public enum SlotState { ABSENT, VALID, INVALID }
#pragma warning restore CA1707

public sealed partial class Kvm
{
    // enum kvm_apicv_inhibit bits used here (arch/x86/include/asm/kvm_host.h).
    public const int APICV_INHIBIT_REASON_PIT_REINJ = 1 << 4;
    public const int APICV_INHIBIT_REASON_BLOCKIRQ = 1 << 6;
    public const int APICV_INHIBIT_REASON_HYPERV = 1 << 2;

    private readonly ControlledRuntime rt;

    public Kvm(ControlledRuntime runtime, MemslotConfig config, Variant variant)
    {
        rt = runtime;
        Config = config;
        Variant = variant;
        // locking.rst order (kvm-protocols.md §1.2). Its SRCU rules are derived from what the model does
        // (slots_lock held across synchronize_srcu in kvm_set_memslot; slots_arch_lock taken inside the read
        // side by mmu_first_shadow_root_alloc), except kvm->lock, which no modelled path holds across
        // synchronize_srcu (kvm_vm_ioctl_set_pmu_event_filter does, in arch/x86/kvm/pmu.c).
        lockdep = new LockDep(runtime, "kvm->lock", "vcpu->mutex", "kvm->slots_lock", "kvm->slots_arch_lock");
        lockdep.DeclareSynchronizedUnder("kvm->srcu", "kvm->lock");
        kvm_lock = new KernelMutex(runtime, lockdep, "kvm->lock");
        slots_lock = new KernelMutex(runtime, lockdep, "kvm->slots_lock");
        slots_arch_lock = new KernelMutex(runtime, lockdep, "kvm->slots_arch_lock");
        mmu_lock = new KernelMutex(runtime, lockdep, "kvm->mmu_lock");
        srcu = new Srcu(runtime, lockdep, "kvm->srcu");
        apicv_update_lock = new RwSemaphore(runtime, lockdep, "kvm->arch.apicv_update_lock");
        apic_access_memslot_enabled = new SharedVar<bool>(runtime, "kvm->arch.apic_access_memslot_enabled", false);
        apic_access_memslot_inhibited = new SharedVar<bool>(runtime, "kvm->arch.apic_access_memslot_inhibited", false);
        apicv_inhibit_reasons = new SharedVar<int>(runtime, "kvm->arch.apicv_inhibit_reasons",
            config.ActivatedMayChange ? APICV_INHIBIT_REASON_PIT_REINJ : 0);
        int addressSpaces = config.Smm ? 2 : 1;
        apic_access_slot = new SharedVar<SlotState>[addressSpaces];
        for (int i = 0; i < addressSpaces; i++)
            apic_access_slot[i] = new SharedVar<SlotState>(runtime, $"kvm->memslots[{i}].APIC_ACCESS_PAGE_PRIVATE_MEMSLOT", SlotState.ABSENT);
        user_slot = new SharedVar<SlotState>(runtime, "kvm->memslots[0].user_slot", SlotState.ABSENT);
        apic_access_spte = new SharedVar<bool>(runtime, "NPT spte(gfn 0xfee00)", false);
        mmu_invalidate_seq = new SharedVar<int>(runtime, "kvm->mmu_invalidate_seq", 0);
        if (config.X2apicAccess != AccessOrder.Anytime)
            accessGate = new GuestEvent(runtime, config.X2apicAccess switch
            {
                AccessOrder.AfterHotplug => "guest event: the hotplug ioctl returned",
                AccessOrder.AfterOnline => "guest event: the hotplugged AP reported itself online",
                _ => "guest event: the VMM's late inhibit flip completed",
            });
        shadow_root_allocated = new SharedVar<bool>(runtime, "kvm->arch.shadow_root_allocated", false);
    }

    public MemslotConfig Config { get; }

    public Variant Variant { get; }

    public LockDep Lockdep => lockdep;

    private readonly LockDep lockdep;

#pragma warning disable CA1707, IDE1006 // kernel field names
    public readonly KernelMutex kvm_lock, slots_lock, slots_arch_lock, mmu_lock;
    public readonly Srcu srcu;
    public readonly RwSemaphore apicv_update_lock;
    public readonly SharedVar<bool> apic_access_memslot_enabled, apic_access_memslot_inhibited;
    public readonly SharedVar<int> apicv_inhibit_reasons;
    /// <summary>APIC_ACCESS_PAGE_PRIVATE_MEMSLOT in each address space (2 with SMM).</summary>
    public readonly SharedVar<SlotState>[] apic_access_slot;
    /// <summary>A userspace memslot (A-USERMEM), only for contention.</summary>
    public readonly SharedVar<SlotState> user_slot;
    /// <summary>The leaf NPT SPTE for gfn 0xFEE00 (TLBs are taken as flushed with it).</summary>
    public readonly SharedVar<bool> apic_access_spte;
    public readonly SharedVar<int> mmu_invalidate_seq;
    /// <summary>The guest's ordering event for the boot vCPUs' x2APIC-mode accesses (null: no ordering).</summary>
    private readonly GuestEvent? accessGate;
    public readonly SharedVar<bool> shadow_root_allocated;
    /// <summary>kvm->vcpu_array: the online vCPUs (published at the end of kvm_vm_ioctl_create_vcpu).</summary>
    public readonly List<Vcpu> vcpus = new();
    private int created_vcpus;
#pragma warning restore CA1707, IDE1006

    /// <summary>kvm_x86_ops.allow_apicv_in_x2apic_without_x2apic_virtualization: set by avic_hardware_setup() when !x2avic_enabled.</summary>
    public bool AllowApicvInX2apicWithoutX2apicVirtualization => Config.Hardware == Hardware.Hybrid;

    // ---- the model's threads -------------------------------------------------------------------

    /// <summary>Runs one execution of the model: the VMM thread (this one) and the concurrent threads.</summary>
    public static async Task Run(IActorRuntime runtime, MemslotConfig config, Variant variant)
    {
        var rt = (ControlledRuntime)runtime;
        if (config.Problem() is { } problem) throw new ArgumentException($"MemslotConfig: {problem}", nameof(config));
        var kvm = new Kvm(rt, config, variant);
        rt.RegisterMonitor<ProtocolAInvariants>();
        rt.Monitor<ProtocolAInvariants>(new ProtocolAInvariants.Init(kvm));

        // The VMM creates the boot vCPUs before starting their threads.
        for (int id = 0; id < config.Vcpus; id++) await kvm.kvm_vm_ioctl_create_vcpu(id);

        var threads = new List<Operation>();
        foreach (Vcpu v in kvm.vcpus.ToArray()) threads.Add(kvm.SpawnVcpuThread(v));
        if (config.Hotplug) threads.Add(rt.Spawn("hotplug", kvm.HotplugThread));
        if (config.Inhibitor || config.ActivatedMayChange)
            threads.Add(rt.Spawn("inhibitor", kvm.InhibitorThread));
        if (config.UserMem)
            threads.Add(rt.Spawn("usermem", kvm.kvm_vm_ioctl_set_memory_region));
        foreach (Operation t in threads) await rt.WhenCompleted(t);
    }

    private Operation SpawnVcpuThread(Vcpu v)
    {
        Operation op = rt.Spawn(v.Name, () => VcpuThread(v));
        v.Thread = op;
        return op;
    }

    /// <summary>The VMM's thread for one vCPU: optional restore ioctls, then KVM_RUN.</summary>
    private async Task VcpuThread(Vcpu v)
    {
        v.Thread = rt.CurrentOperation;
        if (v.vcpu_id == 0 && Config.HostSetLapic) await kvm_vcpu_ioctl_set_lapic(v);
        if (v.vcpu_id == 0 && Config.Nested) await kvm_vcpu_ioctl_leave_nested(v);
        await kvm_arch_vcpu_ioctl_run(v);
    }

    /// <summary>The VMM hotplugs a vCPU (KVM_CREATE_VCPU) and runs it unless the guest never onlines it; a late
    /// VM-wide inhibit flip, if configured, is a VMM ioctl ordered after the creation.</summary>
    private async Task HotplugThread()
    {
        Vcpu v = await kvm_vm_ioctl_create_vcpu(Config.Vcpus);
        if (Config.X2apicAccess == AccessOrder.AfterHotplug) await accessGate!.Signal();
        Operation? flip = Config.LateFlip ? rt.Spawn("vmm-flip", LateFlipThread) : null;
        if (Config.HotplugGuest != HotplugGuest.NeverOnlined) await VcpuThread(v);
        if (flip is not null) await rt.WhenCompleted(flip);
    }

    /// <summary>A late VM-wide inhibit flip (KVM_SET_GUEST_DEBUG's BLOCKIRQ set, then cleared): every vCPU gets
    /// KVM_REQ_APICV_UPDATE, so x2APIC vCPUs run kvm_inhibit_apic_access_page() again.</summary>
    private async Task LateFlipThread()
    {
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: true);
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: false);
        if (Config.X2apicAccess == AccessOrder.AfterFlip) await accessGate!.Signal();
    }

    /// <summary>A-INHIBITOR: a VM ioctl toggling a VM-wide inhibit (KVM_SET_GUEST_DEBUG's BLOCKIRQ, or H-A1's
    /// KVM_REINJECT_CONTROL clearing PIT_REINJ).</summary>
    private async Task InhibitorThread()
    {
        if (Config.ActivatedMayChange)
        {
            await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_PIT_REINJ, set: false);
            if (!Config.Inhibitor) return;
        }
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: true);
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: false);
    }

    /// <summary>The guest program of a vCPU: an xAPIC guest touching its APIC page, switching to x2APIC,
    /// then (maliciously) touching 0xFEE00000 again, possibly after halting until the guest's ordering event.
    /// The hotplugged vCPU follows <see cref="MemslotConfig.HotplugGuest"/>.</summary>
    private GuestAction[] GuestProgram(int id)
    {
        if (id >= Config.Vcpus)
            return Config.HotplugGuest == HotplugGuest.OnlinedX2apic
                ? [GuestAction.EnableX2apic, GuestAction.ReportOnline]
                : [GuestAction.ApicMmioAccess, GuestAction.ApicMmioAccess];
        if (Config.X2apicAccess != AccessOrder.Anytime)
            return [GuestAction.ApicMmioAccess, GuestAction.EnableX2apic, GuestAction.HltUntilEvent,
                    GuestAction.ApicMmioAccess, Config.IcrWrite ? GuestAction.IcrMmioWrite : GuestAction.ApicMmioAccess];
        if (Variant == Variant.A2 && id == 0) return [GuestAction.SynicInhibitMsr, GuestAction.Hlt];
        if (id == 0 && Config.HostSetLapic) return [GuestAction.ApicMmioAccess, GuestAction.Hlt];
        return [GuestAction.ApicMmioAccess, GuestAction.EnableX2apic, GuestAction.ApicMmioAccess];
    }

    /// <summary>A kernel-level trace line; formatted only while tracing (see <see cref="TraceText"/>).</summary>
    internal void Log(ref TraceText text) => rt.Log(ref text);

    internal void Log(string text)
    {
        if (rt.IsTracing) rt.Log(text);
    }

    private Exception Bug(BugKind kind, string invariant, string message) => rt.Violation(kind, invariant, message);
}

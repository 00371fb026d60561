// The environment of Protocol A as actors: the VMM (userspace) creates the vCPUs and issues their
// ioctls; its VM-ioctl threads set and clear APICv inhibits (the VM-wide inhibitor) and add a
// userspace memslot. The vCPU threads are MemslotVcpuThread state machines.
//
// Which ioctls each thread issues, and in which order, is the scenario of the catalogue's
// configuration (MemslotConfig) and stays scripted on purpose: every verdict is declared for one
// such scenario, and what is explored is how the threads' kernel code interleaves (every shared
// access is a scheduling point). The explorer already decides when each event is handled relative to
// the other threads: the receiving thread's dequeue is a scheduling point.
using Avic.Coyote.Actors;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Runtime;
using static Avic.Coyote.Models.Kernel.Linux;

namespace Avic.Coyote.Models.Memslot;

/// <summary>The VMM. Its machine init (<see cref="machine_init"/>, on the test's main thread) creates the boot vCPUs
/// (KVM_CREATE_VCPU) and starts their threads, its main loop (this actor) and its VM-ioctl threads; the main loop
/// hotplugs a vCPU when the operator asks (<see cref="KvmCreateVcpu"/>).</summary>
public sealed class Vmm : StateMachine
{
    public sealed record Boot(Kvm Kvm) : Event;

    private Kvm kvm = null!;

    private MemslotConfig Config => kvm.Config;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        kvm = ((Boot)initialEvent!).Kvm;
        return Task.CompletedTask;
    }

    [Start]
    [OnEventDoAction(typeof(KvmCreateVcpu), nameof(hotplug))]
    private sealed class MainLoop : State;

    /// <summary>Machine init: the boot vCPUs are created before any thread runs, then the threads start: each vCPU's
    /// (vcpu0 may first restore x2APIC mode with KVM_SET_LAPIC and leave nested mode, a forced nested VM-exit), the
    /// main loop with the operator's hotplug request, the inhibitor, the userspace memslot ioctl.</summary>
    public static async Task machine_init(IActorRuntime rt, Kvm kvm)
    {
        MemslotConfig config = kvm.Config;
        for (int id = 0; id < config.Vcpus; id++) await kvm.kvm_vm_ioctl_create_vcpu(id);
        foreach (Vcpu v in kvm.vcpus.ToArray())
        {
            ActorId thread = VcpuThread.Start<MemslotVcpuThread>(rt, new MemslotVcpuThread.Start(kvm, v));
            if (v.vcpu_id == 0 && config.HostSetLapic) rt.SendEvent(thread, new KvmSetLapic());
            if (v.vcpu_id == 0 && config.Nested) rt.SendEvent(thread, new KvmSetNestedState());
            rt.SendEvent(thread, KvmRun.Instance);
        }
        if (config.Hotplug) rt.SendEvent(rt.CreateActor<Vmm>(new Boot(kvm), "vmm"), new KvmCreateVcpu(config.Vcpus));
        if (config.Inhibitor || config.ActivatedMayChange) VmIoctlThread.Start(rt, "inhibitor", kvm.inhibitor_ioctls);
        if (config.UserMem) VmIoctlThread.Start(rt, "usermem", kvm.kvm_vm_ioctl_set_memory_region);
    }

    /// <summary>KVM_CREATE_VCPU for a hotplugged vCPU, then (unless the guest never onlines it) its thread's KVM_RUN;
    /// a late VM-wide inhibit flip, if configured, is a VM ioctl ordered after the creation.</summary>
    private async Task hotplug(Event e)
    {
        Vcpu v = await kvm.kvm_vm_ioctl_create_vcpu(((KvmCreateVcpu)e).Id);
        if (Config.X2apicAccess == AccessOrder.AfterHotplug) kvm.wake_boot_vcpus("the hotplug ioctl returned");
        if (Config.LateFlip) VmIoctlThread.Start(Runtime, "vmm-flip", kvm.late_flip_ioctls);
        if (Config.HotplugGuest == HotplugGuest.NeverOnlined) return;   // an AP left waiting for SIPI: its thread never runs
        SendEvent(VcpuThread.Start<MemslotVcpuThread>(Runtime, new MemslotVcpuThread.Start(kvm, v)), KvmRun.Instance);
    }
}

/// <summary>A VMM thread issuing VM ioctls (its script: kernel functions of <see cref="Kvm"/>), concurrently with the vCPUs.</summary>
public sealed class VmIoctlThread : Actor
{
    public sealed record Ioctls(Func<Task> Run) : Event;

    public static ActorId Start(IActorRuntime runtime, string name, Func<Task> ioctls) =>
        runtime.CreateActor<VmIoctlThread>(new Ioctls(ioctls), name);

    protected override Task OnInitializeAsync(Event? initialEvent) => ((Ioctls)initialEvent!).Run();
}

public partial class Kvm
{
    /// <summary>A-INHIBITOR: a VM ioctl toggling a VM-wide inhibit (KVM_SET_GUEST_DEBUG's BLOCKIRQ, or H-A1's
    /// KVM_REINJECT_CONTROL clearing PIT_REINJ).</summary>
    internal async Task inhibitor_ioctls()
    {
        if (Config.ActivatedMayChange)
        {
            await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_PIT_REINJ, set: false);
            if (!Config.Inhibitor) return;
        }
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: true);
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: false);
    }

    /// <summary>A late VM-wide inhibit flip (KVM_SET_GUEST_DEBUG's BLOCKIRQ set, then cleared): every vCPU gets
    /// KVM_REQ_APICV_UPDATE, so x2APIC vCPUs run kvm_inhibit_apic_access_page() again.</summary>
    internal async Task late_flip_ioctls()
    {
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: true);
        await kvm_set_or_clear_apicv_inhibit(APICV_INHIBIT_REASON_BLOCKIRQ, set: false);
        if (Config.X2apicAccess == AccessOrder.AfterFlip) wake_boot_vcpus("the VMM's late inhibit flip completed");
    }

    /// <summary>The guest's ordering event for the boot vCPUs' x2APIC-mode accesses (an interrupt the VMM injects):
    /// kvm_vcpu_wake_up() on each boot vCPU, which waits halted in kvm_vcpu_block().</summary>
    internal void wake_boot_vcpus(string why)
    {
        Log($"guest event: {why}: the boot vCPUs are woken");
        foreach (Vcpu v in vcpus)
            if (v.vcpu_id < Config.Vcpus) kvm_vcpu_wake_up(v, why);
    }
}

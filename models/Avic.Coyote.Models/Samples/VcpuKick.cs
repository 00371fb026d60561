using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;
using Avic.Coyote.Specifications;
using Avic.Coyote.Sync;
using Avic.Coyote.Testing;

namespace Avic.Coyote.Models.Samples;

/// <summary>
/// A small actor sample: two vCPU state machines, one halting and one sending it an IPI, and the lost wake-up
/// that KVM avoids by publishing "I am blocking" before checking for pending work. Simplified (not a kernel model)
/// from virt/kvm/kvm_main.c: kvm_vcpu_block() sets the task state before kvm_vcpu_check_block() looks for work,
/// and the IPI sender sets the IRQ pending before kvm_vcpu_kick() looks at the target. It is the catalogue's
/// example of state machines that run on both engines (on Microsoft.Coyote as real Coyote state machines).
/// </summary>
public static class VcpuKick
{
    [Test(Name = "Samples.VcpuKick",
        Description = "a vCPU halts while another sends it an IPI; the halting vCPU publishes BLOCKED before checking for a pending IRQ")]
    public static void Fixed(IActorRuntime runtime) => Run<Vcpu>(runtime);

    [Test(Name = "Samples.VcpuKick.CheckBeforeBlock", Expect = Expectation.Liveness, Invariant = "LOST-WAKEUP",
        Description = "the halting vCPU checks for a pending IRQ before publishing BLOCKED; the IPI's kick is lost")]
    public static void CheckBeforeBlock(IActorRuntime runtime) => Run<VcpuCheckBeforeBlock>(runtime);

    private static void Run<TVcpu>(IActorRuntime runtime) where TVcpu : Vcpu
    {
        runtime.RegisterMonitor<WakeupMonitor>();
        var irqPending = new SharedVar<bool>("vcpu0->irq_pending");
        var mode = new SharedVar<VcpuMode>("vcpu0->mode", VcpuMode.OutsideGuestMode);
        ActorId vcpu0 = runtime.CreateActor<TVcpu>(new Vcpu.Config(irqPending, mode), "vcpu0");
        ActorId vcpu1 = runtime.CreateActor<TVcpu>(new Vcpu.Config(irqPending, mode), "vcpu1");
        // The VMM runs both vCPUs; vcpu0's guest then executes HLT while vcpu1's guest sends it an IPI.
        runtime.SendEvent(vcpu0, new KvmRun());
        runtime.SendEvent(vcpu1, new KvmRun());
        runtime.SendEvent(vcpu0, new Hlt());
        runtime.SendEvent(vcpu1, new IcrWrite(vcpu0));
    }
}

public enum VcpuMode { OutsideGuestMode, InGuestMode, Blocked }

/// <summary>The VMM's KVM_RUN ioctl.</summary>
public sealed record KvmRun : Event;

/// <summary>The guest executed HLT (an exit to KVM).</summary>
public sealed record Hlt : Event;

/// <summary>The guest wrote the ICR: an IPI to <paramref name="Target"/>.</summary>
public sealed record IcrWrite(ActorId Target) : Event;

/// <summary>kvm_vcpu_kick(): wakes a blocked vCPU.</summary>
public sealed record Kick : Event;

/// <summary>
/// A vCPU thread (handlers are protected so the bug variant, a subclass, shares them). States: in userspace until
/// KVM_RUN, in guest mode, blocked in kvm_vcpu_block() until kicked.
/// </summary>
public class Vcpu : StateMachine
{
    public sealed record Config(SharedVar<bool> IrqPending, SharedVar<VcpuMode> Mode) : Event;

    /// <summary>vcpu0's IRQ and mode (the halting vCPU's).</summary>
    private Config vcpu0 = null!;

    protected override Task OnInitializeAsync(Event? initialEvent)
    {
        vcpu0 = (Config)initialEvent!;
        return Task.CompletedTask;
    }

    [Start]
    [OnEventGotoState(typeof(KvmRun), typeof(InGuestMode))]
    [DeferEvents(typeof(Hlt), typeof(IcrWrite))]
    private sealed class InUserspace : State;

    [OnEventDoAction(typeof(Hlt), nameof(kvm_vcpu_halt))]
    [OnEventDoAction(typeof(IcrWrite), nameof(kvm_apic_send_ipi))]
    [IgnoreEvents(typeof(Kick))]
    private sealed class InGuestMode : State;

    [OnEventGotoState(typeof(Kick), typeof(InGuestMode), nameof(kvm_vcpu_wake_up))]
    private sealed class Blocked : State;

    /// <summary>HLT: block until an IRQ is pending (kvm_vcpu_halt → kvm_vcpu_block).</summary>
    protected async Task kvm_vcpu_halt()
    {
        if (await kvm_vcpu_block()) RaiseGotoStateEvent<Blocked>();
    }

    /// <summary>True when the vCPU sleeps: it publishes BLOCKED, then checks for a pending IRQ (virt/kvm/kvm_main.c).</summary>
    protected virtual async Task<bool> kvm_vcpu_block()
    {
        await vcpu0.Mode.Write(VcpuMode.Blocked);
        Monitor<WakeupMonitor>(new WakeupMonitor.Blocking(true));
        if (!await kvm_vcpu_check_block()) return true;
        await vcpu0.Mode.Write(VcpuMode.InGuestMode);
        Monitor<WakeupMonitor>(new WakeupMonitor.Blocking(false));
        return false;
    }

    /// <summary>Whether there is work (a pending IRQ) that must keep the vCPU awake.</summary>
    protected async Task<bool> kvm_vcpu_check_block() => await vcpu0.IrqPending.Read();

    /// <summary>The guest's ICR write: make the IRQ pending, then kick the target if it is blocked (kvm_vcpu_kick).</summary>
    protected async Task kvm_apic_send_ipi(IcrWrite e)
    {
        await vcpu0.IrqPending.Write(true);
        Monitor<WakeupMonitor>(new WakeupMonitor.IrqPending());
        if (await vcpu0.Mode.Read() == VcpuMode.Blocked) SendEvent(e.Target, new Kick());
    }

    /// <summary>Woken by the kick: back in guest mode.</summary>
    protected async Task kvm_vcpu_wake_up()
    {
        await vcpu0.Mode.Write(VcpuMode.InGuestMode);
        Monitor<WakeupMonitor>(new WakeupMonitor.Blocking(false));
    }

    /// <summary>Publishes BLOCKED only after the check: an IPI between the check and the write is never kicked.</summary>
    protected async Task<bool> kvm_vcpu_block_unpublished()
    {
        if (await kvm_vcpu_check_block()) return false;
        await vcpu0.Mode.Write(VcpuMode.Blocked);
        Monitor<WakeupMonitor>(new WakeupMonitor.Blocking(true));
        return true;
    }
}

/// <summary>The bug variant: <c>kvm_vcpu_block</c> checks for work before publishing BLOCKED.</summary>
public sealed class VcpuCheckBeforeBlock : Vcpu
{
    protected override Task<bool> kvm_vcpu_block() => kvm_vcpu_block_unpublished();
}

/// <summary>Hot while vcpu0 is blocked with an IRQ pending: a wake-up was lost (a liveness property).</summary>
public sealed class WakeupMonitor : Monitor
{
    public sealed record Blocking(bool Blocked) : Event;
    public sealed record IrqPending : Event;

    // Whole monitor (the default AccessOf): both events touch vcpu0's one pair of flags, and their order decides the verdict.
    private bool blocked, pending;

    [Start, Cold]
    [OnEventDoAction(typeof(Blocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(IrqPending), nameof(OnIrqPending))]
    private sealed class Awake : State;

    [Hot("LOST-WAKEUP: vcpu0 is blocked with an IRQ pending and nobody kicks it", Invariant = "LOST-WAKEUP")]
    [OnEventDoAction(typeof(Blocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(IrqPending), nameof(OnIrqPending))]
    private sealed class BlockedWithIrqPending : State;

    private void OnBlocking(Blocking e) { blocked = e.Blocked; Follow(); }

    private void OnIrqPending() { pending = true; Follow(); }

    private void Follow()
    {
        bool hot = blocked && pending;
        if (hot == IsHot) return;
        if (hot) RaiseGotoStateEvent<BlockedWithIrqPending>();
        else RaiseGotoStateEvent<Awake>();
    }
}

// Specification monitors of Protocol B (kvm-protocols.md §2.4). Violation messages start with the
// invariant id. INV-B3 and INV-B6 are checked where the kernel (or the AVIC) acts, in AvicKvm.
using Avic.Coyote.Actors;
using Avic.Coyote.Specifications;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>Something INV-B1 depends on changed for this vCPU (table entry, loaded pCPU, blocking, APICv).</summary>
public sealed record VcpuChanged(AvicKvm Kvm, Vcpu Vcpu) : Event;

/// <summary>An IRR bit was set for the vCPU (by a sender's AVIC or by KVM's software delivery).</summary>
public sealed record IrqPosted(Vcpu Vcpu) : Event, IVcpuEvent;

/// <summary>The vCPU took its pending IRR bits (VMRUN evaluated IRR, or KVM injected them).</summary>
public sealed record IrqAccepted(Vcpu Vcpu) : Event, IVcpuEvent;

/// <summary>prepare_to_rcuwait(): the vCPU is blocking (kvm_vcpu_is_blocking() is true).</summary>
public sealed record VcpuBlocking(Vcpu Vcpu) : Event, IVcpuEvent;

/// <summary>finish_rcuwait(): the vCPU left kvm_vcpu_block's wait loop.</summary>
public sealed record VcpuUnblocked(Vcpu Vcpu) : Event, IVcpuEvent;

/// <summary>An event about one vCPU: the per-vCPU monitors (INV-B4, INV-B7) keep its share of their state apart.</summary>
public interface IVcpuEvent
{
    Vcpu Vcpu { get; }
}

/// <summary>
/// INV-B1 (strict) / INV-B1-NS (non-strict): if table[v].IsRunning (the shadow's when enable_ipiv=0)
/// then v is loaded there (strict) or last loaded there (non-strict), APICv is active, and v is not
/// blocking; with enable_ipiv=0 the table never has IsRunning. Judged on the value the owner stored
/// (its program order), since only the owner writes the entry.
/// The converse, judged at VMRUN with AVIC on (both modes): the entry has IsRunning=1 and names the
/// pCPU the vCPU runs on. Elsewhere the kernel leaves a loaded, non-blocking vCPU with IsRunning=0 on
/// purpose: between kvm_arch_vcpu_blocking and prepare_to_rcuwait and between finish_rcuwait and
/// kvm_arch_vcpu_unblocking (IPIs then exit and kvm_vcpu_check_block reads IRR), while APICv is
/// inhibited or being toggled (__kvm_vcpu_update_apicv), and in the table with enable_ipiv=0 (the
/// shadow has it: every IPI exits and KVM's software doorbell reaches a target in guest mode). None
/// of these windows includes VMRUN; a guest running with IsRunning=0 makes every IPI to it exit, and
/// without the software doorbell (MB18) such an IPI waits for an unrelated exit (INV-B7).
/// </summary>
public sealed class IsRunningConsistency : Monitor
{
    [Start]
    [OnEventDoAction(typeof(VcpuChanged), nameof(Check))]
    [OnEventDoAction(typeof(GuestEntered), nameof(CheckEntry))]
    private sealed class Watching : State;

    // Observations: no fields, one state; the checks read only the vCPU's own fields and table entry, which only its
    // thread writes and only its thread notifies about (program order orders them), so no other step's order matters.
    protected override MonitorAccess AccessOf(Event e) => MonitorAccess.Observation;

    private void CheckEntry(GuestEntered e)
    {
        DoorbellConfig cfg = e.Kvm.Config;
        Vcpu v = e.Vcpu;
        bool ipivOff = !cfg.EnableIpiv;
        ulong entry = ipivOff ? v.avic_physical_id_entry : e.Kvm.Table.Stored(v.vcpu_id);
        string id = cfg.Strict ? "INV-B1" : "INV-B1-NS";
        if (!(IsRunning(entry) && HostPhysicalId(entry) == v.Task.Cpu)) Specification.Assert(false,
            id + "-CONVERSE", $"{id} (converse): {v} enters the guest (VMRUN) on pCPU {v.Task.Cpu} with AVIC on, but {(ipivOff ? "its shadow entry" : $"table[{v.vcpu_id}]")} = {Format(entry)}: " +
            "every IPI to it takes an AVIC_INCOMPLETE_IPI exit on the sender");
    }

    private void Check(VcpuChanged e)
    {
        AvicKvm kvm = e.Kvm;
        Vcpu v = e.Vcpu;
        DoorbellConfig cfg = kvm.Config;
        ulong table = kvm.Table.Stored(v.vcpu_id);
        bool ipivOff = !cfg.EnableIpiv;
        if (ipivOff)
            if (IsRunning(table)) Specification.Assert(false,
                "INV-B1", $"INV-B1: enable_ipiv=0 but table[{v.vcpu_id}] = {Format(table)} exposes IsRunning to the AVIC");
        ulong entry = ipivOff ? v.avic_physical_id_entry : table;
        if (!IsRunning(entry)) return;

        string id = cfg.Strict ? "INV-B1" : "INV-B1-NS";
        int host = HostPhysicalId(entry);
        if (cfg.Strict)
        {
            if (v.LoadedOn < 0) Specification.Assert(false,
                "INV-B1", $"INV-B1: table[{v.vcpu_id}] has IsRunning=1 (host {host}) but {v} is not loaded on any pCPU");
            if (host != v.LoadedOn) Specification.Assert(false,
                "INV-B1", $"INV-B1: table[{v.vcpu_id}] has IsRunning=1 with host {host}, but {v} is loaded on pCPU {v.LoadedOn}");
        }
        else
        {
            if (host != v.LastLoadCpu) Specification.Assert(false,
                "INV-B1-NS", $"INV-B1-NS: table[{v.vcpu_id}] has IsRunning=1 with host {host}, but the last __avic_vcpu_load of {v} was on pCPU {v.LastLoadCpu}");
        }
        if (!(v.ApicvActiveView || v.UpdatingApicv)) Specification.Assert(false,
            id, $"{id}: table[{v.vcpu_id}] has IsRunning=1 but {v}'s apicv_active is false");
        if (v.InBlockingRegion) Specification.Assert(false,
            id, $"{id}: table[{v.vcpu_id}] has IsRunning=1 while {v} is blocking (between kvm_arch_vcpu_blocking and finish_rcuwait): " +
            "peers' IPIs ring a doorbell instead of taking the VM-exit that would wake it");
    }
}

/// <summary>
/// INV-B4 (liveness): an IRQ posted to a vCPU that is blocking is hot until the vCPU leaves the
/// wait (finish_rcuwait) or takes the IRQ. Still hot at quiescence = the vCPU sleeps with IRR set.
/// </summary>
public sealed class NoLostWakeup : Monitor
{
    private readonly PendingWhileWaiting state = new();

    [Start]
    [Cold]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(VcpuBlocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(VcpuUnblocked), nameof(OnUnblocked))]
    private sealed class NoIrqWaitsOnABlockedVcpu : State;

    [Hot("INV-B4 (no lost wakeup): an IRQ is pending on a vCPU blocked in kvm_vcpu_block() and nothing will wake it", Invariant = "INV-B4")]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(VcpuBlocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(VcpuUnblocked), nameof(OnUnblocked))]
    private sealed class IrqPendingOnBlockedVcpu : State;

    /// <summary>The vCPU the monitor is hot for (-1 when cold).</summary>
    public int Culprit => state.Culprit;

    // Per vCPU: an event sets only its vCPU's flags, and hot/cold is recomputed from all flags (Follow), so events about
    // different vCPUs commute; no assertion.
    protected override MonitorAccess AccessOf(Event e) => PendingWhileWaiting.AccessOf(e);

    private void OnPosted(IrqPosted e) { state.Pending(e.Vcpu.vcpu_id, true); Follow(); }

    private void OnAccepted(IrqAccepted e) { state.Pending(e.Vcpu.vcpu_id, false); Follow(); }

    private void OnBlocking(VcpuBlocking e) { state.Waiting(e.Vcpu.vcpu_id, true); Follow(); }

    private void OnUnblocked(VcpuUnblocked e) { state.Waiting(e.Vcpu.vcpu_id, false); Follow(); }

    private void Follow()
    {
        bool hot = state.Culprit >= 0;
        if (hot == IsHot) return;
        if (hot) RaiseGotoStateEvent<IrqPendingOnBlockedVcpu>();
        else RaiseGotoStateEvent<NoIrqWaitsOnABlockedVcpu>();
    }
}

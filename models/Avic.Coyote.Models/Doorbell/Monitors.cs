// Specification monitors of Protocol B (kvm-protocols.md §2.4). Violation messages start with the
// invariant id. INV-B3 and INV-B6 are checked where the kernel (or the AVIC) acts, in AvicKvm.
using Avic.Coyote.Actors;
using Avic.Coyote.Specifications;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>Something INV-B1 depends on changed for this vCPU (table entry, loaded pCPU, blocking, APICv).</summary>
public sealed record VcpuChanged(AvicKvm Kvm, Vcpu Vcpu) : Event;

/// <summary>An IRR bit was set for the vCPU (by a sender's AVIC or by KVM's software delivery).</summary>
public sealed record IrqPosted(Vcpu Vcpu) : Event;

/// <summary>The vCPU took its pending IRR bits (VMRUN evaluated IRR, or KVM injected them).</summary>
public sealed record IrqAccepted(Vcpu Vcpu) : Event;

/// <summary>prepare_to_rcuwait(): the vCPU is blocking (kvm_vcpu_is_blocking() is true).</summary>
public sealed record VcpuBlocking(Vcpu Vcpu) : Event;

/// <summary>finish_rcuwait(): the vCPU left kvm_vcpu_block's wait loop.</summary>
public sealed record VcpuUnblocked(Vcpu Vcpu) : Event;

/// <summary>
/// INV-B1 (strict) / INV-B1-NS (non-strict): if table[v].IsRunning (the shadow's when enable_ipiv=0)
/// then v is loaded there (strict) or last loaded there (non-strict), APICv is active, and v is not
/// blocking; with enable_ipiv=0 the table never has IsRunning. Judged on the value the owner stored
/// (its program order), since only the owner writes the entry.
/// </summary>
public sealed class IsRunningConsistency : Monitor
{
    [Start]
    [OnEventDoAction(typeof(VcpuChanged), nameof(Check))]
    private sealed class Watching : State;

    private void Check(VcpuChanged e)
    {
        AvicKvm kvm = e.Kvm;
        Vcpu v = e.Vcpu;
        DoorbellConfig cfg = kvm.Config;
        ulong table = kvm.Table.Stored(v.Id);
        bool ipivOff = cfg.Era == CodeEra.ShadowEntry && !cfg.EnableIpiv;
        if (ipivOff)
            Specification.Assert(!IsRunning(table),
                $"INV-B1: enable_ipiv=0 but table[{v.Id}] = {Format(table)} exposes IsRunning to the AVIC");
        ulong entry = ipivOff ? v.Shadow : table;
        if (!IsRunning(entry)) return;

        string id = cfg.Strict ? "INV-B1" : "INV-B1-NS";
        int host = HostPhysicalId(entry);
        if (cfg.Strict)
        {
            Specification.Assert(v.LoadedOn >= 0,
                $"INV-B1: table[{v.Id}] has IsRunning=1 (host {host}) but {v} is not loaded on any pCPU");
            Specification.Assert(host == v.LoadedOn,
                $"INV-B1: table[{v.Id}] has IsRunning=1 with host {host}, but {v} is loaded on pCPU {v.LoadedOn}");
        }
        else
        {
            Specification.Assert(host == v.LastLoadCpu,
                $"INV-B1-NS: table[{v.Id}] has IsRunning=1 with host {host}, but the last __avic_vcpu_load of {v} was on pCPU {v.LastLoadCpu}");
        }
        Specification.Assert(v.ApicvActiveView || v.UpdatingApicv,
            $"{id}: table[{v.Id}] has IsRunning=1 but {v}'s apicv_active is false");
        Specification.Assert(!v.InBlockingRegion,
            $"{id}: table[{v.Id}] has IsRunning=1 while {v} is blocking (between kvm_arch_vcpu_blocking and finish_rcuwait): " +
            "peers' IPIs ring a doorbell instead of taking the VM-exit that would wake it");
    }
}

/// <summary>
/// INV-B4 (liveness): an IRQ posted to a vCPU that is blocking is hot until the vCPU leaves the
/// wait (finish_rcuwait) or takes the IRQ. Still hot at quiescence = the vCPU sleeps with IRR set.
/// </summary>
public sealed class NoLostWakeup : Monitor
{
    private readonly bool[] blocking = new bool[8];
    private readonly bool[] pending = new bool[8];
    private int culprit = -1;

    [Start]
    [Cold]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(VcpuBlocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(VcpuUnblocked), nameof(OnUnblocked))]
    private sealed class NoIrqWaitsOnABlockedVcpu : State;

    [Hot("INV-B4 (no lost wakeup): an IRQ is pending on a vCPU blocked in kvm_vcpu_block() and nothing will wake it")]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(VcpuBlocking), nameof(OnBlocking))]
    [OnEventDoAction(typeof(VcpuUnblocked), nameof(OnUnblocked))]
    private sealed class IrqPendingOnBlockedVcpu : State;

    /// <summary>The vCPU the monitor is hot for (-1 when cold).</summary>
    public int Culprit => culprit;

    private void OnPosted(IrqPosted e) => Set(pending, e.Vcpu.Id, true);

    private void OnAccepted(IrqAccepted e) => Set(pending, e.Vcpu.Id, false);

    private void OnBlocking(VcpuBlocking e) => Set(blocking, e.Vcpu.Id, true);

    private void OnUnblocked(VcpuUnblocked e) => Set(blocking, e.Vcpu.Id, false);

    private void Set(bool[] which, int vcpu, bool value)
    {
        which[vcpu] = value;
        culprit = -1;
        for (int i = 0; i < blocking.Length; i++)
            if (blocking[i] && pending[i]) { culprit = i; break; }
        bool hot = culprit >= 0;
        if (hot == IsHot) return;
        if (hot) RaiseGotoStateEvent<IrqPendingOnBlockedVcpu>();
        else RaiseGotoStateEvent<NoIrqWaitsOnABlockedVcpu>();
    }
}

// The AVIC hardware (not kernel code), kvm-protocols.md B-ENTER.4 and B-HWIPI: what the sender's CPU
// does for a guest ICR write, and what VMRUN does with the backing page's IRR. It runs in the
// sender vCPU's thread (it is that pCPU executing the ICR write), so its stores sit in that pCPU's
// store buffer under x86-TSO.
using System.Runtime.CompilerServices;
using Avic.Coyote.Models.Kernel;
using Avic.Coyote.Specifications;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>Who rings a doorbell: a sender's AVIC, KVM (avic_ring_doorbell), or the IOMMU.</summary>
public enum DoorbellSource
{
    Avic,
    Software,
    Iommu,
}

public partial class AvicKvm
{
    // B-HWIPI 3-5: set IRR in the target's backing page, then read table[t].IsRunning: doorbell the
    // host id, or exit with AVIC_INCOMPLETE_IPI(TARGET_NOT_RUNNING). Steps 3 and 4 need a store→load
    // fence; erratum #1235 (B-8, mutant MB8) is the CPU failing to provide it.
    protected internal virtual async Task<ExitReason> avic_hw_icr_write(Vcpu sender, Vcpu target)
    {
        int vector = 1 << sender.vcpu_id;
        if (rt.IsTracing) rt.Log($"{sender}: guest writes ICR: IPI to {target}; its AVIC sets IRR bit {Vcpu.Bits(vector)}, then reads table[{target.vcpu_id}].IsRunning");
        await avic_hw_set_irr(target, vector);
        IrqPostedTo(target);

        TableEntry entry = await Table.Entry(target.vcpu_id).Read();
        if (!entry.IsRunning)
        {
            if (rt.IsTracing) rt.Log($"{sender}'s AVIC: table[{target.vcpu_id}].IsRunning=0: #VMEXIT AVIC_INCOMPLETE_IPI (TARGET_NOT_RUNNING)");
            return ExitReason.AvicIncompleteIpi;
        }
        RingDoorbell(entry.HostId, target, DoorbellSource.Avic, sender);
        return ExitReason.ExternalInterrupt;   // accelerated: the guest runs on until some host interrupt
    }

    // B-HWIPI 3: an atomic set, a full barrier before the IsRunning read.
    protected internal virtual Task avic_hw_set_irr(Vcpu target, int vector) => atomic_fetch_or(target.irr, vector);

    // VMRUN with AVIC enabled evaluates IRR: pending bits are delivered to the guest.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected internal virtual async ValueTask avic_vmrun_evaluate_irr(Vcpu v)
    {
        int irr = await v.irr.Exchange(0);
        if (irr == 0) return;
        if (rt.IsTracing) rt.Log($"VMRUN: {v} takes IRR={Vcpu.Bits(irr)}");
        IrqTakenBy(v);
    }

    /// <summary>
    /// A doorbell (MSR_AMD64_SVM_AVIC_DOORBELL) to pCPU <paramref name="cpu"/> for <paramref name="target"/>.
    /// If the target runs there in guest mode the CPU re-evaluates IRR; otherwise it only interrupts
    /// whatever runs there (counted: the non-strict RFC's noisy-neighbour cost). Hardware doorbells are
    /// judged by INV-B3.
    /// </summary>
    private protected void RingDoorbell(int cpu, Vcpu target, DoorbellSource source, Vcpu? senderVcpu)
    {
        bool hardware = source != DoorbellSource.Software;
        metrics.Doorbells++;
        HostTask? there = sched.CurrentOn(cpu);
        bool targetThere = ReferenceEquals(there, target.Task);
        if (targetThere && target.HwInGuest) LatchDoorbell(target);
        if (!targetThere)
        {
            metrics.DoorbellsToPcpuNotRunningTarget++;
            if (hardware) metrics.HardwareDoorbellsToPcpuNotRunningTarget++;
        }
        // A metric, not model state: the hardware's own view (HwInGuest: after VMRUN, before #VMEXIT), not a read of
        // vcpu->mode, which the AVIC never reads (a Peek would make the doorbell race with the target's mode writes).
        else if (!target.HwInGuest) metrics.DoorbellsToTargetInHostMode++;
        string Sender() => source switch
        {
            DoorbellSource.Avic => $"{senderVcpu}'s AVIC",
            DoorbellSource.Software => $"avic_ring_doorbell() by {senderVcpu}",
            _ => "the IOMMU",
        };
        if (rt.IsTracing)
        {
            string what = !targetThere
                ? $"which runs {(there is null ? "no vCPU" : there.Name)}"
                : target.HwInGuest ? $"where {target} is in guest mode" : $"where {target} is in host mode (no VM-exit, no wake-up)";
            rt.Log($"{Sender()}: doorbell for {target} to pCPU {cpu}, {what}");
        }
        if (!hardware || !Config.Checking(Invariant.DoorbellTarget)) return;

        if (Config.Strict)
            if (!targetThere) Specification.Assert(false,
                "INV-B3", $"INV-B3: {Sender()} doorbells pCPU {cpu} for {target}, but {target} is not on pCPU {cpu} " +
                $"({(target.Task.OffCpu ? "it is scheduled out" : $"it runs on pCPU {target.Task.Cpu}")})");
        else
            if (!(cpu == target.LastLoadCpu || cpu == target.PreviousLoadCpu)) Specification.Assert(false,
                "INV-B3", $"INV-B3: {Sender()} doorbells pCPU {cpu} for {target}, which last ran on pCPU {target.LastLoadCpu}");
    }
}

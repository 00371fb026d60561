// The 'S' guest (INV-B7): a guest that waits in guest mode, interrupts enabled, for an interrupt, e.g.
// a CPU spinning on a flag its peer sets before sending an IPI. Such a guest makes no exit of its own,
// so an IRQ posted to it after its VMRUN reaches it only through a doorbell to its pCPU (the AVIC's,
// or KVM's avic_ring_doorbell from svm_complete_interrupt_delivery, arch/x86/kvm/svm/svm.c) or an
// exit some host IPI causes (kvm_vcpu_kick). Timer ticks are not modelled in guest mode (a nohz_full
// host): an IRQ that only an unrelated exit would deliver is the bug INV-B7 reports.
//
// The model's bound: the guest waits as a blocked operation until a doorbell or a host IPI reaches
// it, or no other operation of the model can act any more. Then, with an IRQ in its IRR, it would spin
// until some unrelated exit: INV-B7 is violated there and then (a liveness bug, reported with the
// monitor's obligation, which is hot at that point; the model's only report that is not a
// Specification.Assert: the bound decides a liveness bug here and now, and letting the other guests
// run on past it would judge a different, unbounded execution); with IRR empty nobody sent it
// anything, and it gives up (a voluntary exit, e.g. PAUSE-loop exiting) and runs its next action.
using Avic.Coyote.Actors;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Models.Doorbell;

public partial class AvicKvm
{
    // The guest part of vcpu_enter_guest for an 'S' action, after VMRUN (which took any IRR already set).
    private async Task<ExitReason> guest_wait_for_interrupt(Vcpu v)
    {
        if (v.Accepts != v.AcceptsAtActionStart) return ExitReason.Pause;   // it already got one: the guest goes on
        v.Spinning = true;
        NotifyDelivery(new GuestWaits(v, true));
        while (true)
        {
            await rt.Point(v.irr, AccessKind.Read, v.SpinWait, "the guest spins in guest mode, waiting for an interrupt");
            if (v.KickLatched)
            {
                if (rt.IsTracing) rt.Log($"{v}: a host IPI makes it exit; the guest resumes its wait after the next VMRUN");
                v.Spinning = false;
                NotifyDelivery(new GuestWaits(v, false));
                return ExitReason.ExternalInterrupt;
            }
            if (v.DoorbellLatched)
            {
                v.DoorbellLatched = false;
                if (v.ApicvActiveView && await avic_doorbell_evaluate_irr(v)) break;
                continue;
            }
            // No other operation can act: nothing will ring this pCPU any more.
            if (v.irr.Peek() != 0 && checkDelivery)
                throw rt.Violation(BugKind.Liveness, "INV-B7",
                    $"{rt.GetMonitor<InterruptDelivery>()!.Describe()}: {v} waits in guest mode with IRR={v.irr.Peek():x}, " +
                    "no other operation can act any more, and only an unrelated exit would deliver it");
            if (rt.IsTracing) rt.Log($"{v}: no interrupt reached the guest and nothing can send one any more; it stops waiting (voluntary exit)");
            break;
        }
        v.Spinning = false;
        NotifyDelivery(new GuestWaits(v, false));
        return ExitReason.Pause;
    }

    // The AVIC in guest mode: a doorbell makes the CPU evaluate the backing page's IRR and deliver it
    // (kvm-protocols.md B-ENTER.5). Returns true when it delivered something.
    private async Task<bool> avic_doorbell_evaluate_irr(Vcpu v)
    {
        int irr = await v.irr.Exchange(0);
        if (irr == 0) return false;
        metrics.DoorbellDeliveriesInGuestMode++;
        if (rt.IsTracing) rt.Log($"doorbell: {v} takes IRR={irr:x} in guest mode");
        IrqTakenBy(v);
        return true;
    }

    /// <summary>True when every operation other than <paramref name="spinner"/> has finished or cannot take a
    /// step (store buffers aside: they ring no doorbell); another waiting guest counts as stuck unless a
    /// doorbell or a host IPI reached it.</summary>
    internal bool NothingElseCanAct(Operation spinner)
    {
        foreach (Operation op in rt.Operations)
        {
            if (ReferenceEquals(op, spinner) || op.IsStoreBuffer || op.Status == OperationStatus.Completed) continue;
            if (WaitingGuestOf(op) is { } other)
            {
                if (other.DoorbellLatched || other.KickLatched) return false;
                continue;
            }
            if (op.Blocker is { } b && !b.CanProceed(op)) continue;
            return false;
        }
        return true;
    }

    // The vCPU whose 'S' guest runs in this operation and waits (null: none). A loop, not a lambda:
    // the engine asks the blocker at every step.
    private Vcpu? WaitingGuestOf(Operation op)
    {
        foreach (Vcpu v in Vcpus)
            if (ReferenceEquals(v.Thread, op)) return v.Spinning ? v : null;
        return null;
    }

    /// <summary>A doorbell for <paramref name="target"/> reached its pCPU while it is in guest mode there.</summary>
    private static void LatchDoorbell(Vcpu target) => target.DoorbellLatched = true;

    /// <summary>A host IPI (smp_send_reschedule from kvm_vcpu_kick or a request) for a vCPU whose mode was
    /// IN_GUEST_MODE: it exits guest mode (or right after VMRUN, interrupts being off until then).</summary>
    private static void SendKickIpi(Vcpu target) => target.KickLatched = true;

    private void NotifyDelivery(Event e)
    {
        if (checkDelivery) rt.Monitor<InterruptDelivery>(e);
    }
}

/// <summary>What the 'S' guest waits for: a doorbell or a host IPI to its pCPU, or the end of everything else.</summary>
public sealed class GuestSpinWait(AvicKvm kvm, Vcpu v) : Blocker
{
    public override bool CanProceed(Operation op) => v.DoorbellLatched || v.KickLatched || kvm.NothingElseCanAct(op);

    public override string Describe(Operation op) => $"a doorbell or a host IPI for {v} in guest mode";
}

// The part of a Protocol B vCPU that INV-B1's converse and INV-B7 need: what its pCPU does while the
// vCPU is in guest mode (between VMRUN and #VMEXIT), the doorbells and host interrupts that reach
// it there, and the 'S' guest that waits for an interrupt in guest mode (GuestSpin.cs).

namespace Avic.Coyote.Models.Doorbell;

public sealed partial class Vcpu
{
    // ---- hardware state of the vCPU's pCPU (ghost: no kernel code reads it) ----------------------

    /// <summary>Between VMRUN and #VMEXIT: a doorbell to this pCPU makes the CPU evaluate IRR now.</summary>
    public bool HwInGuest;

    /// <summary>A doorbell reached the pCPU while the vCPU was in guest mode; the CPU has not evaluated IRR yet.</summary>
    public bool DoorbellLatched;

    /// <summary>A host IPI (kvm_vcpu_kick, a request kick) reached the pCPU after vcpu->mode said IN_GUEST_MODE:
    /// the guest exits at once (or right after VMRUN, interrupts being off until then).</summary>
    public bool KickLatched;

    // ---- the 'S' guest --------------------------------------------------------------------------------

    /// <summary>The guest waits in guest mode for an interrupt.</summary>
    public bool Spinning;

    /// <summary>IRR bits the vCPU took (VMRUN, a doorbell, or KVM's injection); the 'S' guest waits for this to move.</summary>
    public int Accepts;

    /// <summary><see cref="Accepts"/> when the current guest action began.</summary>
    public int AcceptsAtActionStart;

    internal GuestEntered Entered { get; }

    internal GuestSpinWait SpinWait { get; }
}

// INV-B7 (interrupt delivery, liveness) and the bookkeeping it shares with INV-B4: per vCPU, "waits"
// (blocked in kvm_vcpu_block for INV-B4, waiting in guest mode for INV-B7) and "an IRQ is pending"
// (posted, not yet taken); the monitor is hot while some vCPU has both.
using Avic.Coyote.Actors;
using Avic.Coyote.Specifications;

namespace Avic.Coyote.Models.Doorbell;

/// <summary>The 'S' guest of <see cref="Vcpu"/> starts (true) or stops (false) waiting for an interrupt in guest mode.</summary>
public sealed record GuestWaits(Vcpu Vcpu, bool Waiting) : Event, IVcpuEvent;

/// <summary>VMRUN with AVIC on (INV-B1's converse is judged here).</summary>
public sealed record GuestEntered(AvicKvm Kvm, Vcpu Vcpu) : Event;

/// <summary>Which vCPUs wait and which have an IRQ pending; the culprit is the first vCPU with both.</summary>
internal sealed class PendingWhileWaiting
{
    private readonly bool[] waiting = new bool[8];
    private readonly bool[] pending = new bool[8];

    /// <summary>The first vCPU that waits with an IRQ pending, or -1.</summary>
    public int Culprit { get; private set; } = -1;

    /// <summary>The part of a per-vCPU monitor an event touches: the one flag of its vCPU it sets, "pending" (a post, a
    /// take) or "waiting" (the rest); the whole monitor for any other event. A post to a vCPU and that vCPU's blocking set
    /// different flags and commute (hot/cold is a function of all flags), as the kernel steps they follow may.</summary>
    public static MonitorAccess AccessOf(Event e) => e is IVcpuEvent v
        ? MonitorAccess.Part(2 * v.Vcpu.vcpu_id + (e is IrqPosted or IrqAccepted ? 0 : 1))
        : MonitorAccess.Whole;

    public void Waiting(int vcpu, bool value) => Set(waiting, vcpu, value);

    public void Pending(int vcpu, bool value) => Set(pending, vcpu, value);

    private void Set(bool[] which, int vcpu, bool value)
    {
        which[vcpu] = value;
        Culprit = -1;
        for (int i = 0; i < waiting.Length; i++)
            if (waiting[i] && pending[i]) { Culprit = i; break; }
    }
}

/// <summary>
/// INV-B7 (liveness): an IRQ posted to a vCPU whose guest waits for it in guest mode is hot until the
/// vCPU takes it (VMRUN, a doorbell, KVM's injection) or a host IPI makes it exit. Still hot at the
/// end = the guest spins forever with the IRQ in IRR (it would wait for an unrelated exit).
/// </summary>
public sealed class InterruptDelivery : Monitor
{
    private readonly PendingWhileWaiting state = new();

    [Start]
    [Cold]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(GuestWaits), nameof(OnWaits))]
    private sealed class NoIrqWaitsInGuestMode : State;

    [Hot("INV-B7 (interrupt delivery): an IRQ is pending on a vCPU whose guest waits for it in guest mode, and no doorbell or exit will deliver it", Invariant = "INV-B7")]
    [OnEventDoAction(typeof(IrqPosted), nameof(OnPosted))]
    [OnEventDoAction(typeof(IrqAccepted), nameof(OnAccepted))]
    [OnEventDoAction(typeof(GuestWaits), nameof(OnWaits))]
    private sealed class IrqPendingInGuestMode : State;

    /// <summary>The vCPU the monitor is hot for (-1 when cold).</summary>
    public int Culprit => state.Culprit;

    // Per vCPU, as NoLostWakeup: an event sets only its vCPU's flags, hot/cold is a function of all of them; no assertion.
    protected override MonitorAccess AccessOf(Event e) => PendingWhileWaiting.AccessOf(e);

    private void OnPosted(IrqPosted e) { state.Pending(e.Vcpu.vcpu_id, true); Follow(); }

    private void OnAccepted(IrqAccepted e) { state.Pending(e.Vcpu.vcpu_id, false); Follow(); }

    private void OnWaits(GuestWaits e) { state.Waiting(e.Vcpu.vcpu_id, e.Waiting); Follow(); }

    private void Follow()
    {
        bool hot = state.Culprit >= 0;
        if (hot == IsHot) return;
        if (hot) RaiseGotoStateEvent<IrqPendingInGuestMode>();
        else RaiseGotoStateEvent<NoIrqWaitsInGuestMode>();
    }
}

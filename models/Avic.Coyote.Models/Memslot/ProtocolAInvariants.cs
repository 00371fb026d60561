// The Protocol A invariants (kvm-protocols.md §1.4) as a monitor the model notifies at the steps
// that matter; it checks the shared state with Peek (no scheduling points). INV-A3's strong form at
// VMRUN is a plain check (CheckAtVmrun), not a notification: it reads no monitor field, and as a
// notification it ordered every VMRUN against every deletion step and false read of another vCPU,
// which the C does not (those steps share no memory with VMRUN). INV-A4 (deadlock
// freedom: engine deadlocks, lock order, SRCU rules) and INV-A5 (SRCU balance) are checked by the
// kernel primitives (Kernel/LockDep.cs, Kernel/Srcu.cs); INV-A6 (the WARN) in vcpu_enter_guest; INV-A3's
// weak form in the guest's access (Kvm.X86.cs); INV-A7 (the IPI-path WARN) in Kvm.Avic.cs.
// Every message starts with the invariant id and says what it means; every check, here and in the
// kernel code, reports through Specification.Assert(false, "INV-x", message) under the failed condition (so the
// message is only built for a failure: these checks run at every guest entry).
using Avic.Coyote.Actors;
using Avic.Coyote.Specifications;

namespace Avic.Coyote.Models.Memslot;

public sealed class ProtocolAInvariants : Monitor
{
    public sealed record Init(Kvm Kvm) : Event;
    /// <summary>A-INHIBIT.1: a vCPU read apic_access_memslot_enabled == false out of slots_lock (a read of true is not sent:
    /// it checks nothing).</summary>
    public sealed record EnabledReadFalse(Vcpu Vcpu) : Event;
    /// <summary>The deletion critical section is entered (A-INHIBIT.6).</summary>
    public sealed record DeletionEntered(string By) : Event;
    /// <summary>A-DELETE.12 done (vm_munmap).</summary>
    public sealed record DeletionDone : Event;
    /// <summary>kvm_alloc_apic_access_page() creates the memslot (A-CREATE.7).</summary>
    public sealed record MemslotCreated(string By) : Event;

    private Kvm kvm = null!;
    private string? firstDeleter;
    private bool deletionInProgress;
    private bool deletionCompleted;
    /// <summary>Bit v: vcpu v read apic_access_memslot_enabled == false (one bit per vCPU: each is its reader's part).</summary>
    private uint falseReaders;

    [Start]
    [OnEventDoAction(typeof(Init), nameof(OnInit))]
    [OnEventDoAction(typeof(EnabledReadFalse), nameof(OnEnabledReadFalse))]
    [OnEventDoAction(typeof(DeletionEntered), nameof(OnDeletionEntered))]
    [OnEventDoAction(typeof(DeletionDone), nameof(OnDeletionDone))]
    [OnEventDoAction(typeof(MemslotCreated), nameof(OnMemslotCreated))]
    private sealed class Watching : State;

    // With INV-A1 off a false read changes nothing here: an observation (a read of 'true' is not sent). Otherwise it writes only its
    // reader's bit and reads what the whole-monitor events (deletion, creation) write, so it is the reader's part: two
    // vCPUs' racy reads of apic_access_memslot_enabled commute, as the two plain loads do in kvm_inhibit_apic_access_page()
    // (arch/x86/kvm/lapic.c), while each stays ordered against the deletion and the creation it is checked against.
    protected override MonitorAccess AccessOf(Event e) => e switch
    {
        EnabledReadFalse when !kvm.Config.CheckInvA1 => MonitorAccess.Observation,
        EnabledReadFalse r => MonitorAccess.Part(r.Vcpu.vcpu_id),
        _ => MonitorAccess.Whole,
    };

    /// <summary>The first false reader by vCPU id (a set of readers has no order in time: their reads commute).</summary>
    private string FalseReader => $"vcpu{System.Numerics.BitOperations.TrailingZeroCount(falseReaders)}";

    private void OnInit(Event e) => kvm = ((Init)e).Kvm;

    private void OnEnabledReadFalse(Event e)
    {
        var r = (EnabledReadFalse)e;
        if (!kvm.Config.CheckInvA1) return;
        const string meaning = "INV-A1 (no false negative: a vCPU that reads apic_access_memslot_enabled == false out of slots_lock must find the deletion complete)";
        if (deletionInProgress) Specification.Assert(false, "INV-A1", $"{meaning}: {r.Vcpu.Name} read false while {firstDeleter}'s deletion of the memslot has not completed " +
                       $"(memslot {kvm.apic_access_slot[0].Peek()}, SPTE {(kvm.apic_access_spte.Peek() ? "present" : "absent")}): " +
                       $"{r.Vcpu.Name} goes on to enter the guest in x2APIC mode with its APIC page still mapped");
        for (int i = 0; i < kvm.apic_access_slot.Length; i++)
            if (kvm.apic_access_slot[i].Peek() != SlotState.ABSENT) Specification.Assert(false, "INV-A1", $"{meaning}: {r.Vcpu.Name} read false but the memslot is {kvm.apic_access_slot[i].Peek()} in address space {i}");
        if (kvm.apic_access_spte.Peek()) Specification.Assert(false, "INV-A3", $"{meaning} (and INV-A3): {r.Vcpu.Name} read false but an NPT SPTE still maps gfn 0xFEE00");
        falseReaders |= 1u << r.Vcpu.vcpu_id;
    }

    private void OnDeletionEntered(Event e)
    {
        string by = ((DeletionEntered)e).By;
        if (firstDeleter is not null) Specification.Assert(false, "INV-A2", $"INV-A2 (single deletion: the memslot deletion critical section runs at most once per VM): {by} enters it again after {firstDeleter}");
        firstDeleter = by;
        deletionInProgress = true;
    }

    private void OnDeletionDone(Event e)
    {
        deletionInProgress = false;
        deletionCompleted = true;
    }

    private void OnMemslotCreated(Event e)
    {
        string by = ((MemslotCreated)e).By;
        if (firstDeleter is not null) Specification.Assert(false, "INV-A2", $"INV-A2 (no resurrection: the memslot is never created again once inhibited): {by} creates it after {firstDeleter} deleted it" +
                       (deletionCompleted ? "" : " (deletion still in progress)"));
        if (falseReaders != 0 && kvm.Config.CheckInvA1) Specification.Assert(false, "INV-A1", $"INV-A1 (no false negative: once a vCPU read apic_access_memslot_enabled == false the slot must never be present again): " +
                       $"{by} creates the memslot after {FalseReader} read false and skipped the inhibition (H-A1: the slot was never allocated, so 'inhibited' was never set)");
    }

    /// <summary>A-RUN.7, VMRUN of <paramref name="v"/>: INV-A3's strong form. It reads the memslots and the SPTE (Peek:
    /// recorded reads, so the VMRUN step stays ordered against their writes) and v's own fields, no monitor field.</summary>
    public static void CheckAtVmrun(Kvm kvm, Vcpu v)
    {
        if (kvm.Config.InvA3 != InvA3Check.AtEveryEntry) return;
        if (!kvm.AllowApicvInX2apicWithoutX2apicVirtualization || !v.X2apicMode || !v.X2apicUpdateHandled) return;
        const string meaning = "INV-A3 (strong form, what the code implements: at every VMRUN of an x2APIC vCPU on hybrid AVIC after its APICv update was handled, " +
                               "no APIC-access memslot and no SPTE maps gfn 0xFEE00, so no xAPIC MMIO access can reach the vCPU's vAPIC backing page)";
        for (int i = 0; i < kvm.apic_access_slot.Length; i++)
            if (kvm.apic_access_slot[i].Peek() != SlotState.ABSENT) Specification.Assert(false, "INV-A3", $"{meaning}: {v.Name} enters the guest while the memslot is {kvm.apic_access_slot[i].Peek()} in address space {i}");
        if (kvm.apic_access_spte.Peek()) Specification.Assert(false, "INV-A3", $"{meaning}: {v.Name} enters the guest while an NPT SPTE maps gfn 0xFEE00");
    }
}

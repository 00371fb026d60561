// Configuration of the Protocol B model (kvm-protocols.md §2): machine size, strict or non-strict
// doorbells (seed 002), code era, optional actors, the guest programs that bound each execution,
// which invariants are checked, and the mutations that turn the model into a bug variant (§3, §4).
namespace Avic.Coyote.Models.Doorbell;

/// <summary>Which kernel code the model follows (kvm-protocols.md §2.1 "Code eras").</summary>
public enum CodeEra
{
    /// <summary>≤ v6.14 (and the RFC's base): svm->avic_physical_id_cache points into the table; the
    /// hardware and KVM see the same entry.</summary>
    DirectTable,

    /// <summary>2025 kvm-x86: KVM's shadow svm->avic_physical_id_entry, written to the table under
    /// ir_list_lock; enable_ipiv=0 never writes IsRunning=1; GA_LOG_INTR only while blocking.</summary>
    ShadowEntry,
}

/// <summary>Code changes that make a bug variant (kvm-protocols.md §3 historical bugs, §4 mutants).</summary>
[Flags]
public enum Mutation : long
{
    None = 0,
    /// <summary>MB1: avic_vcpu_load ignores kvm_vcpu_is_blocking().</summary>
    LoadIgnoresBlocking = 1L << 0,
    /// <summary>MB2/B-5(b): no preempt_disable() around kvm_arch_vcpu_blocking + prepare_to_rcuwait.</summary>
    PreemptibleBlocking = 1L << 1,
    /// <summary>MB2/B-5(a): no preempt_disable() around finish_rcuwait + kvm_arch_vcpu_unblocking.</summary>
    PreemptibleUnblocking = 1L << 2,
    /// <summary>MB3/B-4: no preempt_disable() in __kvm_vcpu_update_apicv.</summary>
    PreemptibleApicvUpdate = 1L << 3,
    /// <summary>MB4/B-1: avic_vcpu_unblocking loads with a cpu read before a preemptible point (READ_ONCE(vcpu->cpu), not get_cpu()).</summary>
    StaleCpuInUnblocking = 1L << 4,
    /// <summary>MB5/B-2 (before 66fa226c131f): the sender reads apicv_active first, then sets IRR and reads
    /// vcpu->mode (svm_deliver_avic_intr's order), so a concurrent deactivation is missed.</summary>
    ApicvActiveReadFirst = 1L << 5,
    /// <summary>MB9/B-3 (before 755c2bf87860): kvm_apic_update_apicv recomputes irr_pending from IRR when deactivating.</summary>
    RecomputeIrrPending = 1L << 9,
    /// <summary>MB6 (strict) / MB12 (non-strict): avic_vcpu_blocking does not clear IsRunning.</summary>
    BlockingKeepsIsRunning = 1L << 6,
    /// <summary>MB8/B-8 (erratum #1235): the sender's AVIC reads IsRunning before its IRR write is visible.</summary>
    HardwareIrrNotFenced = 1L << 8,
    /// <summary>MB11: non-strict RFC but __avic_vcpu_load keeps WARN_ON(IsRunning).</summary>
    NonStrictKeepsLoadWarn = 1L << 11,
    /// <summary>MB13: strict mode, but svm_vcpu_put skips __avic_vcpu_put (the RFC applied unconditionally).</summary>
    StrictSkipsPut = 1L << 13,
    /// <summary>MB14/B-6: avic_set_virtual_apic_mode does avic_vcpu_put + avic_vcpu_load with preemption enabled (before e0bead97e759).</summary>
    SetVirtualApicModeReloads = 1L << 14,
    /// <summary>MB15: the IRTE's GALogIntr is not set while blocking: an IOMMU-posted IRQ to a sleeping vCPU wakes nobody.</summary>
    NoGaLogIntr = 1L << 15,
    /// <summary>B-7 (1), before f3cebc75e742: avic_pi_update_irte programs the IRTE without the pCPU of a running vCPU.</summary>
    IrteWithoutCpu = 1L << 20,
    /// <summary>B-7 (2), before 4c08e737f056: load/put update the entry outside ir_list_lock (only the IRTE walk
    /// takes it) and avic_pi_update_irte reads the entry before taking it.</summary>
    LoadPutWithoutIrListLock = 1L << 21,
    /// <summary>MB17: enable_ipiv=0, but the table write does not mask IsRunning.</summary>
    IpivOffWritesIsRunning = 1L << 17,
    /// <summary>MB18: svm_complete_interrupt_delivery never rings the software doorbell (avic_ring_doorbell) for a
    /// target in guest mode, it only calls kvm_vcpu_wake_up: the IRQ waits in IRR for an unrelated exit.</summary>
    NoSoftwareDoorbell = 1L << 18,
    /// <summary>MB20: kvm_sched_in skips kvm_arch_vcpu_load when the vCPU comes back to the pCPU it left (a
    /// "nothing changed" shortcut): after a strict put it re-enters the guest with IsRunning=0.</summary>
    SchedInSkipsLoad = 1L << 22,
}

/// <summary>Invariants of kvm-protocols.md §2.4 the model checks (each can be switched off to let a
/// variant show a later consequence of the same bug).</summary>
[Flags]
public enum Invariant
{
    None = 0,
    /// <summary>INV-B1 (strict) / INV-B1-NS (non-strict): IsRunning consistency.</summary>
    IsRunning = 1,
    /// <summary>INV-B2: shadow / table / IRTE coherence whenever ir_list_lock is free (2025 code).</summary>
    EntryCoherence = 2,
    /// <summary>INV-B3: a hardware doorbell goes where the target runs (strict) or last ran (non-strict).</summary>
    DoorbellTarget = 4,
    /// <summary>INV-B4 as a liveness monitor: an IRQ posted to a blocked vCPU is hot until it leaves schedule().</summary>
    NoLostWakeup = 8,
    /// <summary>INV-B4 in its quiescent-state safety form (asserted when every thread has finished).</summary>
    NoLostWakeupAtQuiescence = 16,
    /// <summary>INV-B5 (quiescent form): no vCPU ends with IRR set that neither AVIC nor KVM will deliver.</summary>
    NoLostIrq = 32,
    /// <summary>INV-B6: every WARN of the modelled kernel code is an assertion.</summary>
    NoWarn = 64,
    /// <summary>INV-B7 (liveness): an IRQ posted to a vCPU that waits for it in guest mode ('S' guests) is
    /// delivered there (VMRUN, doorbell, or an exit it causes) without waiting for an unrelated exit.</summary>
    Delivery = 128,

    All = IsRunning | EntryCoherence | DoorbellTarget | NoLostWakeup | NoLostIrq | NoWarn | Delivery,
}

/// <summary>One configuration of the Protocol B model.</summary>
public sealed record DoorbellConfig
{
    public int Vcpus { get; init; } = 2;

    /// <summary>Host pCPUs; at least <see cref="Vcpus"/> (a woken or preempted vCPU always finds an idle pCPU).</summary>
    public int Pcpus { get; init; } = 2;

    /// <summary>avic_doorbell_strict (seed 002); false = the RFC's non-strict mode (DirectTable era only).</summary>
    public bool Strict { get; init; } = true;

    public CodeEra Era { get; init; } = CodeEra.DirectTable;

    /// <summary>enable_ipiv (ShadowEntry era; forced off on erratum-#1235 CPUs).</summary>
    public bool EnableIpiv { get; init; } = true;

    /// <summary>Run an APICv inhibitor (set then clear one inhibit reason; B-INHIBITOR → B-REFRESH on every vCPU).</summary>
    public bool Inhibitor { get; init; }

    /// <summary>The inhibitor clears the inhibit again (false: APICv stays inhibited, so an IRQ stuck in
    /// IRR is not rescued by a later re-activation's VMRUN).</summary>
    public bool InhibitorClears { get; init; } = true;

    /// <summary>Interrupts a device raises through an IOMMU-posted IRTE routed to vCPU 0 (ShadowEntry era;
    /// 0: no device, no IRTEs). A device thread first routes the IRTE (avic_pi_update_irte).</summary>
    public int DeviceIrqs { get; init; }

    /// <summary>One halt-polling check of kvm_vcpu_check_block before blocking (IsRunning still 1 meanwhile).</summary>
    public bool HaltPoll { get; init; } = true;

    /// <summary>
    /// Each vCPU's guest, one character per guest entry: 'I' writes ICR (a fixed IPI to the next vCPU),
    /// 'H' executes HLT, 'X' enables x2APIC (WRMSR IA32_APIC_BASE), 'S' spins in guest mode until it sees an
    /// interrupt (it gives up only when no other thread can act any more; see GuestSpin.cs).
    /// Null: <see cref="DefaultPrograms"/>.
    /// </summary>
    public string[]? Programs { get; init; }

    /// <summary>Number of TIF_NEED_RESCHED the scheduler tick sets.</summary>
    public int Preemptions { get; init; } = 2;

    public Mutation Mutations { get; init; }

    public Invariant Checks { get; init; } = Invariant.All;

    public bool Has(Mutation m) => (Mutations & m) != 0;

    public bool Checking(Invariant i) => (Checks & i) != 0;

    /// <summary>Some guest waits for an interrupt in guest mode, so INV-B7 has something to judge.</summary>
    public bool HasSpinningGuest => (Programs ?? DefaultPrograms()).Any(p => p.Contains('S'));

    /// <summary>"IH", "HI", "IH"...: neighbours alternate between sending and halting.</summary>
    public string[] DefaultPrograms() =>
        Enumerable.Range(0, Vcpus).Select(v => v % 2 == 0 ? "IHI" : "HIH").ToArray();

    /// <summary>Rejects configurations the model does not cover, with the reason.</summary>
    public void Validate()
    {
        if (Vcpus is < 2 or > 3) throw new ArgumentException($"Vcpus must be 2 or 3, not {Vcpus}");
        if (Pcpus < Vcpus || Pcpus > 4) throw new ArgumentException($"Pcpus must be between Vcpus ({Vcpus}) and 4, not {Pcpus}");
        if (!Strict && Era != CodeEra.DirectTable) throw new ArgumentException("the non-strict RFC (seed 002) applies to the DirectTable era only");
        if (DeviceIrqs > 0 && Era != CodeEra.ShadowEntry) throw new ArgumentException("IOMMU-posted IRTEs are modelled for the ShadowEntry era only");
        string[] programs = Programs ?? DefaultPrograms();
        if (programs.Length != Vcpus) throw new ArgumentException($"{programs.Length} guest programs for {Vcpus} vCPUs");
        foreach (string p in programs)
            if (p.Any(c => c is not ('I' or 'H' or 'X' or 'S'))) throw new ArgumentException($"guest program '{p}': use I, H, X, S");
    }
}

// Configuration of the Protocol B model (kvm-protocols.md §2): machine size, the kernel's module
// parameters (avic_doorbell_strict, enable_ipiv, halt polling), optional actors, the guest programs
// that bound each execution, and which invariants are checked. Which kernel code runs (the 2025
// code, the v5.18-era table, seed 002's RFC, a bug variant) is the AvicKvm subclass the variant runs.
using Avic.Coyote.Models.Kernel;

namespace Avic.Coyote.Models.Doorbell;

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

    /// <summary>The most vCPUs the model covers (<see cref="Validate"/>); tables of per-vCPU names are this long.</summary>
    public const int MaxVcpus = 3;

    /// <summary>Host pCPUs; at least <see cref="Vcpus"/> (a woken or preempted vCPU always finds an idle pCPU).</summary>
    public int Pcpus { get; init; } = 2;

    /// <summary>avic_doorbell_strict (seed 002's module parameter; only AvicKvm_rfc has it); false = non-strict.</summary>
    public bool Strict { get; init; } = true;

    /// <summary>enable_ipiv (2025 code; forced off on erratum-#1235 CPUs).</summary>
    public bool EnableIpiv { get; init; } = true;

    /// <summary>Run an APICv inhibitor (set then clear one inhibit reason; B-INHIBITOR → B-REFRESH on every vCPU).</summary>
    public bool Inhibitor { get; init; }

    /// <summary>The inhibitor clears the inhibit again (false: APICv stays inhibited, so an IRQ stuck in
    /// IRR is not rescued by a later re-activation's VMRUN).</summary>
    public bool InhibitorClears { get; init; } = true;

    /// <summary>Interrupts a device raises through an IOMMU-posted IRTE routed to vCPU 0 (2025 code;
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

    /// <summary>Where the tick's preemptions land (Kernel/Sched.cs): drawn windows (PCT and random find the
    /// bug variants with them) or chosen by the schedule (no draws: what exhaustive search can afford). By default
    /// each search gets its own (BySearch: scheduled under dfs, drawn under PCT and random).</summary>
    public TickLanding Tick { get; init; } = TickLanding.BySearch;

    /// <summary>How a vCPU thread that runs again finds its pCPU (Kernel/Sched.cs): any idle one, drawn, or no draw
    /// (an idle pCPU pulls a preempted thread; else its previous pCPU).</summary>
    public Migration Migration { get; init; } = Migration.Drawn;

    public Invariant Checks { get; init; } = Invariant.All;

    public bool Checking(Invariant i) => (Checks & i) != 0;

    /// <summary>Some guest waits for an interrupt in guest mode, so INV-B7 has something to judge.</summary>
    public bool HasSpinningGuest => (Programs ?? DefaultPrograms()).Any(p => p.Contains('S'));

    /// <summary>"IHI", "HIH", "IHI"...: neighbours alternate between sending and halting.</summary>
    public string[] DefaultPrograms() =>
        Vcpus < DefaultProgramsByCount.Length ? DefaultProgramsByCount[Vcpus] : MakeDefaultPrograms(Vcpus);

    // Made once (every execution builds its configuration anew); nothing writes to them.
    private static readonly string[][] DefaultProgramsByCount = [.. Enumerable.Range(0, MaxVcpus + 1).Select(MakeDefaultPrograms)];

    private static string[] MakeDefaultPrograms(int vcpus) =>
        Enumerable.Range(0, vcpus).Select(v => v % 2 == 0 ? "IHI" : "HIH").ToArray();

    /// <summary>Rejects configurations the model does not cover, with the reason.</summary>
    public void Validate()
    {
        if (Vcpus is < 2 or > MaxVcpus) throw new ArgumentException($"Vcpus must be 2 or {MaxVcpus}, not {Vcpus}");
        if (Pcpus < Vcpus || Pcpus > 4) throw new ArgumentException($"Pcpus must be between Vcpus ({Vcpus}) and 4, not {Pcpus}");
        string[] programs = Programs ?? DefaultPrograms();
        if (programs.Length != Vcpus) throw new ArgumentException($"{programs.Length} guest programs for {Vcpus} vCPUs");
        foreach (string p in programs)
            if (p.AsSpan().IndexOfAnyExcept("IHXS") >= 0) throw new ArgumentException($"guest program '{p}': use I, H, X, S");
    }
}
